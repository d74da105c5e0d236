import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface DuckDbEngineOptions {
  /** The local lake folder (architecture.md's layout). */
  readonly lakeDir: string;
  /** DuckDB's memory_limit, e.g. `1GB`: it spills to disk beyond it. */
  readonly memoryLimit?: string;
  readonly threads?: number;
  readonly queriesDir?: string;
}

/**
 * Trino function names DuckDB lacks (aws-facts.md §3), so Athena SQL runs unchanged.
 * Timestamps are UTC: the session time zone is pinned below.
 */
export const TRINO_MACROS = [
  "CREATE MACRO from_unixtime(x) AS make_timestamp(CAST(x AS BIGINT) * 1000000)",
  "CREATE MACRO to_unixtime(ts) AS epoch(ts)",
  "CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, p)",
  "CREATE MACRO approx_distinct(x) AS approx_count_distinct(x)",
  "CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)",
  "CREATE MACRO date_format(ts, f) AS strftime(ts, replace(f, '%i', '%M'))",
];

export interface DuckDbSession {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
}

/**
 * Starts an in-memory DuckDB with the configured memory limit and threads, spilling under the
 * lake's staging folder, extensions never fetched, UTC and the Trino-name macros installed.
 * Any setup failure closes what was opened and throws (style.md A6).
 */
export async function startDuckDb(options: DuckDbEngineOptions): Promise<DuckDbSession> {
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: options.memoryLimit ?? "1GB",
    threads: String(options.threads ?? 2),
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    temp_directory: join(options.lakeDir, ".staging", "duckdb-tmp"),
  });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    for (const macro of TRINO_MACROS) await connection.run(macro);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return { instance, connection };
}

/** Runs engine-internal SQL (never user-supplied text) and returns its rows as JS objects. */
export async function readRows(
  connection: DuckDBConnection,
  sql: string,
): Promise<Array<Record<string, unknown>>> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
}
