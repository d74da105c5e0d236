/** SQL text the engine writes itself (views, COPY targets): literals and identifiers, quoted. */
export const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** DuckDB's type for each flow-log field type (`core`'s RAW_FLOW_COLUMNS). */
export const SQL_TYPE = { int: "INTEGER", bigint: "BIGINT", string: "VARCHAR" } as const;

const escapeGlob = (path: string) => path.replace(/[*?[]/g, (c) => `[${c}]`);

/**
 * A file path for a DuckDB reader (read_csv, read_parquet, read_json, parquet_file_metadata),
 * quoted as a literal: readers expand `*`, `?` and `[...]` in every path they get, so a file
 * named `a*.log.gz` would read every object its pattern matches. Each of those characters goes
 * into a one-character class (`[*]`), which matches only itself.
 */
export const pathLiteral = (path: string) => quote(escapeGlob(path));

/** A glob under a folder taken literally (the lake folder's own name may hold `*` or `[`). */
export const globUnder = (folder: string, pattern: string) => quote(`${escapeGlob(folder)}/${pattern}`);
