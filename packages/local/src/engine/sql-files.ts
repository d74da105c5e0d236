import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createSqlLoader, type SqlLoader } from "@flowcost/core";

/** The repository's `queries/` folder: SQL lives only there. */
export const QUERIES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../queries");

export function localSqlLoader(dir = QUERIES_DIR): SqlLoader {
  return createSqlLoader((path) => readFile(join(dir, path), "utf8"));
}
