import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  errorMessage,
  type MaterializeResult,
  type MaterializeTarget,
  orderedParams,
  type QueryDefinition,
  type QueryEngine,
  QueryFailedError,
  type QueryResult,
  RAW_FLOW_COLUMNS,
  rawFlowLogDay,
  type SqlLoader,
} from "@flowcost/core";
import type { z } from "zod";
import { groupByHeader, type LocalFlowLogFile } from "../lake/flow-log-files.ts";
import { stagingDir, swapPartitions } from "../lake/partitions.ts";
import { localSqlLoader } from "./sql-files.ts";
import { CURATED_TABLES, type CuratedTable } from "./tables.ts";

export interface DuckDbEngineOptions {
  /** The local lake folder (architecture.md's layout). */
  readonly lakeDir: string;
  /** DuckDB's memory_limit, e.g. `1GB`: it spills to disk beyond it. */
  readonly memoryLimit?: string;
  readonly threads?: number;
  readonly queriesDir?: string;
}

const SQL_TYPE = { int: "INTEGER", bigint: "BIGINT", string: "VARCHAR" } as const;

/**
 * Trino function names DuckDB lacks (aws-facts.md §3), so Athena SQL runs unchanged.
 * Timestamps are UTC: the session time zone is pinned below.
 */
const TRINO_MACROS = [
  "CREATE MACRO from_unixtime(x) AS make_timestamp(CAST(x AS BIGINT) * 1000000)",
  "CREATE MACRO to_unixtime(ts) AS epoch(ts)",
  "CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, p)",
  "CREATE MACRO approx_distinct(x) AS approx_count_distinct(x)",
  "CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)",
  "CREATE MACRO date_format(ts, f) AS strftime(ts, replace(f, '%i', '%M'))",
];

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/**
 * The embedded engine: DuckDB over a local folder in the lake layout, with views named as the
 * Athena catalog names its tables. Any setup failure throws: a local engine that quietly
 * skips a macro or a view would drift from Athena (style.md A6).
 */
export class DuckDbEngine implements QueryEngine {
  readonly name = "duckdb" as const;
  private readonly loadSql: SqlLoader;
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly options: DuckDbEngineOptions,
  ) {
    this.loadSql = localSqlLoader(options.queriesDir);
  }

  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(":memory:", {
      memory_limit: options.memoryLimit ?? "1GB",
      threads: String(options.threads ?? 2),
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      temp_directory: join(options.lakeDir, ".staging", "duckdb-tmp"),
    });
    const connection = await instance.connect();
    const engine = new DuckDbEngine(instance, connection, options);
    try {
      await connection.run("SET TimeZone = 'UTC'");
      for (const macro of TRINO_MACROS) await connection.run(macro);
      await engine.setRawFlowLogs([]);
      await engine.refreshCuratedViews();
    } catch (error) {
      engine.close();
      throw new Error(`DuckDB engine setup failed: ${errorMessage(error)}`, { cause: error });
    }
    return engine;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** Raw SQL for engine-internal work (views, ledgers); never with user-supplied text. */
  async run(sql: string): Promise<Array<Record<string, unknown>>> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
  }

  /**
   * Defines `raw_flow_logs` over the given objects: one `read_csv` per (header layout, day),
   * every flow-log column present (NULL where a layout lacks it) plus the `day` partition
   * column in the default layout's projection format, as Athena's table has it.
   */
  async setRawFlowLogs(files: ReadonlyArray<LocalFlowLogFile>): Promise<void> {
    const branches: string[] = [];
    for (const group of await groupByHeader(files)) {
      const present = new Map(group.columns.map((c) => [c.column, c.type]));
      const columns = group.columns.map((c) => `${quote(c.column)}: '${SQL_TYPE[c.type]}'`).join(", ");
      const byDay = new Map<string, LocalFlowLogFile[]>();
      for (const f of group.files) byDay.set(f.day, [...(byDay.get(f.day) ?? []), f]);
      for (const [day, dayFiles] of byDay) {
        const select = RAW_FLOW_COLUMNS.map((f) =>
          present.has(f.column) ? ident(f.column) : `CAST(NULL AS ${SQL_TYPE[f.type]}) AS ${ident(f.column)}`,
        ).join(", ");
        branches.push(
          `SELECT ${select}, ${quote(rawFlowLogDay(day))} AS day, filename AS source_file FROM read_csv([${dayFiles
            .map((f) => quote(f.path))
            .join(", ")}], delim = ' ', header = ${group.hasHeader}, nullstr = '-', auto_detect = false, ` +
            `columns = {${columns}}, filename = true)`,
        );
      }
    }
    if (branches.length === 0) {
      const empty = RAW_FLOW_COLUMNS.map(
        (f) => `CAST(NULL AS ${SQL_TYPE[f.type]}) AS ${ident(f.column)}`,
      ).join(", ");
      branches.push(
        `SELECT ${empty}, CAST(NULL AS VARCHAR) AS day, CAST(NULL AS VARCHAR) AS source_file WHERE false`,
      );
    }
    await this.connection.run(`CREATE OR REPLACE VIEW raw_flow_logs AS ${branches.join("\nUNION ALL\n")}`);
  }

  /** Points each curated view at its Parquet files, or at an empty typed relation when there are none. */
  async refreshCuratedViews(): Promise<void> {
    for (const [table, spec] of Object.entries(CURATED_TABLES) as Array<
      [CuratedTable, (typeof CURATED_TABLES)[CuratedTable]]
    >) {
      const dir = join(this.options.lakeDir, spec.prefix);
      const hasFiles = await readdir(dir, { recursive: true })
        .then((entries) => entries.some((e) => e.endsWith(".parquet")))
        .catch(() => false);
      const depth = spec.partitions.map(() => "*").join("/");
      const hiveTypes = spec.partitions.map((p) => `${quote(p)}: VARCHAR`).join(", ");
      const body = hasFiles
        ? `SELECT * FROM read_parquet(${quote(`${dir}/${depth}/*.parquet`)}, hive_partitioning = true, hive_types = {${hiveTypes}})`
        : `SELECT ${Object.entries(spec.columns)
            .map(([c, t]) => `CAST(NULL AS ${t}) AS ${ident(c)}`)
            .join(", ")} WHERE false`;
      await this.connection.run(`CREATE OR REPLACE VIEW ${ident(table)} AS ${body}`);
    }
  }

  async query<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
  ): Promise<QueryResult<z.output<R>>> {
    const started = performance.now();
    const sql = await this.loadSql(q, "duckdb");
    const values = orderedParams(q, params);
    let raw: Array<Record<string, unknown>>;
    try {
      await this.refreshCuratedViews();
      const prepared = await this.connection.prepare(sql);
      prepared.bind(values);
      raw = (await prepared.runAndReadAll()).getRowObjects() as Array<Record<string, unknown>>;
    } catch (error) {
      throw new QueryFailedError(q.name, errorMessage(error), { cause: error });
    }
    const rows = raw.map((row, index) => {
      const parsed = q.row.safeParse(row);
      if (!parsed.success) {
        throw new QueryFailedError(
          q.name,
          `row ${index} does not match the row schema: ${parsed.error.message}`,
        );
      }
      return parsed.data as z.output<R>;
    });
    return { rows, stats: { engine: "duckdb", elapsedMs: performance.now() - started } };
  }

  /**
   * Writes rows computed in TypeScript (identity intervals) as one partition of a curated table,
   * through the same staging-and-swap path as query results.
   */
  async writeRows(
    table: CuratedTable,
    prefix: string,
    partition: Readonly<Record<string, string>>,
    rows: ReadonlyArray<Record<string, unknown>>,
  ): Promise<number> {
    const spec = CURATED_TABLES[table];
    const staged = stagingDir(this.options.lakeDir);
    const input = join(staged, "_input.jsonl");
    await mkdir(staged, { recursive: true });
    await writeFile(input, rows.map((r) => JSON.stringify(r)).join("\n"));
    const data = Object.entries(spec.columns).filter(([c]) => !(c in partition));
    const columns = data.map(([c, t]) => `${quote(c)}: '${t}'`).join(", ");
    const constants = Object.entries(partition).map(([k, v]) => `${quote(v)} AS ${ident(k)}`);
    if (rows.length > 0) {
      await this.connection.run(
        `COPY (SELECT ${[...data.map(([c]) => ident(c)), ...constants].join(", ")} FROM read_json(${quote(input)}, ` +
          `format = 'newline_delimited', columns = {${columns}})) TO ${quote(join(staged, "out"))} ` +
          `(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${Object.keys(partition).map(ident).join(", ")}), WRITE_PARTITION_COLUMNS false)`,
      );
    }
    await swapPartitions(this.options.lakeDir, join(staged, "out"), join(this.options.lakeDir, prefix), [
      partition,
    ]);
    await rm(staged, { recursive: true, force: true });
    await this.refreshCuratedViews();
    return rows.length;
  }

  /**
   * `COPY (SELECT ...) TO <staging> (FORMAT parquet, PARTITION_BY ...)`, then each owned partition
   * is swapped into place whole (see swapPartitions).
   */
  async materialize<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
    target: MaterializeTarget,
  ): Promise<MaterializeResult> {
    const started = performance.now();
    if (q.partitionedBy.length === 0) throw new Error(`query ${q.name} declares no partition columns`);
    const sql = await this.loadSql(q, "duckdb");
    const staged = stagingDir(this.options.lakeDir);
    await mkdir(dirname(staged), { recursive: true });
    let rowsWritten: number;
    try {
      await this.refreshCuratedViews();
      const prepared = await this.connection.prepare(
        `COPY (${sql}) TO ${quote(staged)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${q.partitionedBy
          .map(ident)
          .join(", ")}), WRITE_PARTITION_COLUMNS false)`,
      );
      prepared.bind(orderedParams(q, params));
      const result = await prepared.runAndReadAll();
      rowsWritten = Number(result.getRows()[0]?.[0] ?? 0);
    } catch (error) {
      throw new QueryFailedError(q.name, errorMessage(error), { cause: error });
    }
    const written = await swapPartitions(
      this.options.lakeDir,
      staged,
      join(this.options.lakeDir, target.prefix),
      target.partitions,
    );
    await this.refreshCuratedViews();
    return {
      rowsWritten,
      partitionsWritten: written,
      stats: { engine: "duckdb", elapsedMs: performance.now() - started },
    };
  }
}
