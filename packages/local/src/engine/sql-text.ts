/** SQL text the engine writes itself (views, COPY targets): literals and identifiers, quoted. */
export const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** DuckDB's type for each flow-log field type (`core`'s RAW_FLOW_COLUMNS). */
export const SQL_TYPE = { int: "INTEGER", bigint: "BIGINT", string: "VARCHAR" } as const;
