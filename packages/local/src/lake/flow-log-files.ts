import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { createGunzip } from "node:zlib";
import { FlowLogFormatError, type FlowLogObjectKey, parseFlowLogKey, parseHeaderLine } from "@flowcost/core";

export interface LocalFlowLogFile extends FlowLogObjectKey {
  /** Absolute path on disk. */
  readonly path: string;
}

/** Every file below `root` whose path is a flow-log S3 key (either layout). */
export async function findFlowLogFiles(root: string): Promise<LocalFlowLogFile[]> {
  const found: LocalFlowLogFile[] = [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const key = parseFlowLogKey(relative(root, path));
    if (key) found.push({ ...key, path });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * The first line of a (gzipped) text flow-log object, read without decompressing the rest.
 * A truncated or corrupt gzip head is an error naming the file.
 */
export async function readFirstLine(path: string): Promise<string> {
  const source = createReadStream(path);
  const stream = path.endsWith(".gz") ? source.pipe(createGunzip()) : source;
  let text = "";
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString("utf8");
      const newline = text.indexOf("\n");
      if (newline >= 0) return text.slice(0, newline);
      if (text.length > 65536) break;
    }
    return text;
  } catch (error) {
    throw new FlowLogFormatError(path, "cannot read the header line (corrupt or truncated gzip)", {
      cause: error,
    });
  } finally {
    source.destroy();
  }
}

export interface TextFormatGroup {
  readonly header: string;
  readonly hasHeader: boolean;
  readonly columns: ReadonlyArray<{ column: string; type: "int" | "bigint" | "string" }>;
  readonly files: LocalFlowLogFile[];
}

/** Groups text objects by their header line, so each group is read with one column layout. */
export async function groupByHeader(files: ReadonlyArray<LocalFlowLogFile>): Promise<TextFormatGroup[]> {
  const groups = new Map<string, TextFormatGroup>();
  for (const file of files) {
    if (file.encoding !== "text") continue;
    const format = parseHeaderLine(file.path, await readFirstLine(file.path));
    const id = `${format.hasHeader}|${format.header}`;
    let group = groups.get(id);
    if (!group) {
      group = {
        header: format.header,
        hasHeader: format.hasHeader,
        columns: format.fields.map((f) => ({ column: f.column, type: f.type })),
        files: [],
      };
      groups.set(id, group);
    }
    group.files.push(file);
  }
  return [...groups.values()];
}
