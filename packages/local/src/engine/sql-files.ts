import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createSqlLoader, type SqlLoader } from "@flowcost/core";

const here = dirname(fileURLToPath(import.meta.url));
/**
 * The `queries/` folder: SQL lives only there. In the repository it is four levels up; the built
 * CLI (scripts/build-cli.mjs) ships a copy beside its one bundled file.
 */
export const QUERIES_DIR = [join(here, "queries"), resolve(here, "../../../../queries")].find((d) =>
  existsSync(join(d, "README.md")),
) as string;

export function localSqlLoader(dir = QUERIES_DIR): SqlLoader {
  return createSqlLoader((path) => readFile(join(dir, path), "utf8"));
}
