import { createHash } from "node:crypto";
import { createReadStream, type Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { type FlowLogObjectKey, parseFlowLogKey } from "@flowcost/core";

/**
 * Every file under the flow-log prefix is either read or named with why not: a folder of flow
 * logs copied by hand can hold objects under a key layout flowcost does not recognise, with an
 * extension it does not read, behind a symbolic link, or twice under two names. Skipping any of
 * them silently would change the answer without a word; reading a copy twice would double it.
 */

export interface SurveyedFlowLogFile extends FlowLogObjectKey {
  /** Absolute path on disk (a symbolic link's own path when the object is reached through one). */
  readonly path: string;
}

/** Why a file under the flow-log prefix is not read. */
export const SKIP_CODES = [
  /** The path is under `AWSLogs/` (or names `vpcflowlogs`, or ends `.log.gz`) but matches neither S3 key layout. */
  "unrecognised-key-layout",
  /** The key layout is right, the extension is not one AWS writes (`.log.gz`, `.log`, `.parquet`). */
  "unrecognised-extension",
  /** A symbolic link to a folder (not followed: it could loop or leave the lake) or to nothing. */
  "symlink-not-followed",
  /** Byte for byte the same object as another one, which is read instead (counted once). */
  "duplicate-object",
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export interface SkippedFile {
  readonly path: string;
  readonly code: SkipCode;
  readonly reason: string;
}

export interface FlowLogSurvey {
  readonly files: SurveyedFlowLogFile[];
  readonly skipped: SkippedFile[];
}

/** Folders flowcost itself writes into a lake, and the inventory and CUR trees: never flow logs. */
const NOT_FLOW_LOGS =
  /^(curated|results|reports|state|inventory|\.staging|\.trash)(\/|$)|\/data\/BILLING_PERIOD=/;
/**
 * A path a user meant as a flow-log object: under an `AWSLogs/` folder, naming `vpcflowlogs`, or
 * a gzip'd log (`.log.gz`, `.log.gzip`) anywhere else in the lake, such as a flow log copied out
 * of its key layout under another name.
 */
const FLOW_LOG_LIKE = /(^|\/)AWSLogs\/|vpcflowlogs|\.log\.gz(ip)?$/;
const LAYOUTS =
  "AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/[<hh>/]<file> or the Hive-compatible aws-account-id=/aws-service=vpcflowlogs/aws-region=/year=/month=/day=/[hour=/] layout";

/** What a path under the lake says about itself, before anything is opened. */
export function classifyFlowLogPath(
  rel: string,
):
  | { kind: "object"; key: FlowLogObjectKey }
  | { kind: "skipped"; code: SkipCode; reason: string }
  | { kind: "other" } {
  const normalized = rel.replaceAll("\\", "/");
  if (NOT_FLOW_LOGS.test(normalized)) return { kind: "other" };
  const key = parseFlowLogKey(normalized);
  if (key) return { kind: "object", key };
  if (!FLOW_LOG_LIKE.test(normalized)) return { kind: "other" };
  const name = basename(normalized);
  const stem = name.includes(".") ? name.slice(0, name.indexOf(".")) : name;
  if (parseFlowLogKey(`${dirname(normalized)}/${stem}.log.gz`))
    return {
      kind: "skipped",
      code: "unrecognised-extension",
      reason: `extension "${name.slice(stem.length)}" is not read: flow-log objects end .log.gz, .log or .parquet (rename the file to read it)`,
    };
  return {
    kind: "skipped",
    code: "unrecognised-key-layout",
    reason: `key layout not recognised: flow-log objects are read only at ${LAYOUTS}`,
  };
}

/** A directory entry as a file to read, a link not to follow, or neither. */
async function entryKind(
  entry: Dirent,
  path: string,
): Promise<"file" | "link-to-folder" | "broken-link" | "other"> {
  if (entry.isFile()) return "file";
  if (!entry.isSymbolicLink()) return "other";
  try {
    const target = await stat(path);
    return target.isFile() ? "file" : target.isDirectory() ? "link-to-folder" : "other";
  } catch {
    return "broken-link";
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Objects with the same content, found by size first and then by SHA-256 of the bytes (only
 * objects that share a size are read). The first in path order is kept; each later copy is
 * named as a duplicate of it. Empty objects hold no records, so they are never duplicates.
 */
async function findDuplicates(files: ReadonlyArray<SurveyedFlowLogFile>): Promise<Map<string, string>> {
  const bySize = new Map<number, SurveyedFlowLogFile[]>();
  for (const f of files) {
    const { size } = await stat(f.path);
    if (size === 0) continue;
    bySize.set(size, [...(bySize.get(size) ?? []), f]);
  }
  const duplicateOf = new Map<string, string>();
  for (const group of bySize.values()) {
    if (group.length < 2) continue;
    const firstByHash = new Map<string, string>();
    for (const f of group) {
      const digest = await sha256(f.path);
      const first = firstByHash.get(digest);
      if (first === undefined) firstByHash.set(digest, f.path);
      else duplicateOf.set(f.path, first);
    }
  }
  return duplicateOf;
}

/**
 * Every flow-log object below `root` (either S3 key layout, symbolic links to files followed),
 * in path order, and every file under the flow-log prefix that is not read, with why.
 * `duplicates: false` skips the content comparison (callers that only need the objects' keys).
 */
export async function surveyFlowLogFiles(
  root: string,
  options: { readonly duplicates?: boolean } = {},
): Promise<FlowLogSurvey> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  const found: SurveyedFlowLogFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    const rel = relative(root, path);
    const kind = await entryKind(entry, path);
    if (kind === "other") continue;
    const classified = classifyFlowLogPath(rel);
    if (classified.kind === "other") continue;
    if (kind === "link-to-folder" || kind === "broken-link") {
      skipped.push({
        path,
        code: "symlink-not-followed",
        reason:
          kind === "broken-link"
            ? "a symbolic link to nothing: not read"
            : "a symbolic link to a folder: not followed (it could loop or leave the lake); copy the objects in to read them",
      });
    } else if (classified.kind === "skipped") {
      skipped.push({ path, code: classified.code, reason: classified.reason });
    } else {
      found.push({ ...classified.key, path });
    }
  }
  found.sort((a, b) => (a.path < b.path ? -1 : 1));
  const duplicateOf = options.duplicates === false ? new Map<string, string>() : await findDuplicates(found);
  for (const [path, first] of duplicateOf)
    skipped.push({
      path,
      code: "duplicate-object",
      reason: `the same bytes as ${first}: read once, under that name`,
    });
  skipped.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { files: found.filter((f) => !duplicateOf.has(f.path)), skipped };
}
