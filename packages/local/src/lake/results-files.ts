import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { createResultsStore, type DocumentBackend, type ResultsStore } from "@flowcost/core";

const isMissing = (error: unknown) =>
  typeof error === "object" &&
  error !== null &&
  "code" in error &&
  (error.code === "ENOENT" || error.code === "ENOTDIR");

/**
 * The lake folder as a document backend: a key is the path under the folder, exactly as in S3.
 * A write goes to a dot-named temp file in the same folder and is renamed over the key, so a
 * reader (another process serving the lake) sees the old document or the new one, never a part;
 * listings skip dot-named files, so an interrupted write leaves nothing a reader picks up.
 */
export function lakeDocumentBackend(lakeDir: string): DocumentBackend {
  const path = (key: string) => join(lakeDir, ...key.split("/"));
  return {
    async list(prefix) {
      const root = path(prefix);
      let entries: Dirent[];
      try {
        entries = await readdir(root, { recursive: true, withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
      return entries
        .filter((e) => e.isFile())
        .map((e) => relative(root, join(e.parentPath, e.name)).split(sep))
        .filter((parts) => parts.every((p) => !p.startsWith(".")))
        .map((parts) => `${prefix}${parts.join("/")}`);
    },
    async listVersions(prefix) {
      const keys = await this.list(prefix);
      return Promise.all(
        keys.map(async (key) => {
          const s = await stat(path(key));
          return { key, version: `${s.size}-${s.mtimeMs}` };
        }),
      );
    },
    async get(key) {
      try {
        return await readFile(path(key), "utf8");
      } catch (error) {
        if (
          isMissing(error) ||
          (typeof error === "object" && error !== null && "code" in error && error.code === "EISDIR")
        )
          return undefined;
        throw error;
      }
    },
    async put(key, body) {
      await replaceFile(path(key), async (temp) => writeFile(temp, body));
    },
    async putParts(key, parts) {
      await replaceFile(path(key), async (temp) => {
        const file = await open(temp, "w");
        try {
          for (const part of parts) await file.write(part);
        } finally {
          await file.close();
        }
      });
    },
  };
}

/**
 * Writes `target` through a dot-named temp file in its folder, renamed over it once `write` is
 * done; the temp file is removed when `write` throws.
 */
async function replaceFile(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The results store over a local lake folder (what `flowcost analyze` writes and `serve` reads). */
export function lakeResultsStore(lakeDir: string): ResultsStore {
  return createResultsStore(lakeDocumentBackend(lakeDir));
}
