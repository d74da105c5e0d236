import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { EngineName } from "@flowcost/core";
import { QUERIES_DIR } from "@flowcost/local/engine/sql-files";

export { QUERIES_DIR };

/** Every `.sql` file below `queries/` (or one of its folders), as `/`-separated relative paths. */
export async function sqlFiles(under = ""): Promise<string[]> {
  const root = join(QUERIES_DIR, under);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".sql"))
    .map((e) => relative(QUERIES_DIR, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

export function readQueryFile(path: string): Promise<string> {
  return readFile(join(QUERIES_DIR, path), "utf8");
}

/** What a query file's path says: `<area>/<name>[.<engine>].sql`. */
export function describePath(
  path: string,
): { area: string; name: string; engine: EngineName | undefined } | undefined {
  const match = /^([a-z0-9_]+)\/([a-z0-9_]+)(?:\.(athena|duckdb))?\.sql$/.exec(path);
  if (!match) return undefined;
  return { area: match[1] ?? "", name: match[2] ?? "", engine: match[3] as EngineName | undefined };
}

/**
 * The SQL with comments, string literals and quoted identifiers blanked out, so what remains
 * is code: `?` inside `'it''s?'` or `-- why?` is not a placeholder.
 */
export function codeOnly(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += " ";
    } else if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j += 1;
      }
      out += `${c}${c}`;
      i = j + 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** Positional `?` placeholders in a statement. */
export function countPlaceholders(sql: string): number {
  return (codeOnly(sql).match(/\?/g) ?? []).length;
}
