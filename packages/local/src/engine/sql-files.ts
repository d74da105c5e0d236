import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type EngineName, type QueryDefinition, queryFile } from "@flowcost/core";

/** The repository's `queries/` folder: SQL lives only there. */
export const QUERIES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../queries");

const cache = new Map<string, string>();

/** The SQL text of a registered query for an engine (its sibling file when it has one). */
export async function loadQuerySql(
  q: QueryDefinition,
  engine: EngineName,
  dir = QUERIES_DIR,
): Promise<string> {
  const path = join(dir, queryFile(q, engine));
  let sql = cache.get(path);
  if (sql === undefined) {
    sql = stripTrailingSemicolon(await readFile(path, "utf8"));
    cache.set(path, sql);
  }
  return sql;
}

function stripTrailingSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, "");
}
