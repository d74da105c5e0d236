import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  errorMessage,
  flowField,
  type MaterializeResult,
  type MaterializeTarget,
  orderedParams,
  type QueryDefinition,
  type QueryEngine,
  QueryFailedError,
  type QueryResult,
  RAW_FLOW_COLUMNS,
  type RejectCounts,
  type RejectReason,
  rawFlowLogDay,
  reasonForCsvErrors,
  type SqlLoader,
} from "@flowcost/core";
import type { z } from "zod";
import { type FailedFlowLogObject, groupByHeader, type LocalFlowLogFile } from "../lake/flow-log-files.ts";
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

/** What loading raw flow logs rejected or could not read, per object (the ledger's inputs). */
export interface RawFlowLogLoad {
  /** Rejected lines per object path, by reason. */
  readonly rejected: ReadonlyMap<string, RejectCounts>;
  readonly failed: ReadonlyArray<FailedFlowLogObject>;
  /** Rows per Parquet object, from its footer. */
  readonly parquetRows: ReadonlyMap<string, number>;
  /** Text objects without a header line (read with the default v2 layout). */
  readonly headerless: ReadonlySet<string>;
}

interface RejectedLines {
  readonly file: string;
  readonly lines: Array<{ reason: RejectReason; text: string }>;
}

interface ParquetGroup {
  readonly columns: ReadonlyArray<{ column: string; type: "int" | "bigint" | "string" }>;
  readonly files: LocalFlowLogFile[];
  readonly rows: Map<string, number>;
}

/** Objects of one layout that share the values the key supplies (day, account, region). */
function batchByKey(files: ReadonlyArray<LocalFlowLogFile>): LocalFlowLogFile[][] {
  const batches = new Map<string, LocalFlowLogFile[]>();
  for (const f of files) {
    const id = `${f.day}|${f.accountId}|${f.region}`;
    const batch = batches.get(id);
    if (batch) batch.push(f);
    else batches.set(id, [f]);
  }
  return [...batches.values()];
}

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
  /** The highest `reject_scans.scan_id` already booked in a ledger. */
  private lastRejectScan = 0;
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
   * Loads the given flow-log objects into the `raw_flow_records` table and defines the
   * `raw_flow_logs` view over it: every flow-log column (NULL where no layout has it), with
   * account and region taken from the S3 key when the format lacks them, plus the `day`
   * partition column in the default layout's projection format (as Athena's table has it) and
   * `source_file`. Text objects are read with one `read_csv` per (header layout, day, account,
   * region); Parquet objects with `read_parquet`, columns matched by name. Text is read once:
   * every later query (compaction per hour, ledger) scans the table, not the files.
   *
   * Rejected lines are counted per object and reason. A line rejected only for stray spaces
   * (doubled, leading or trailing) is re-read with single spaces, since the fields are intact.
   * A group whose read fails is retried object by object, so a bad object fails by name and
   * the others load.
   */
  async setRawFlowLogs(files: ReadonlyArray<LocalFlowLogFile>): Promise<RawFlowLogLoad> {
    const { groups, failed: headerFailures } = await groupByHeader(files);
    const parquet = await this.describeParquet(files.filter((f) => f.encoding === "parquet"));
    const failed = [...headerFailures, ...parquet.failed];
    const stored = new Set<string>(["account_id", "region"]);
    for (const g of [...groups, ...parquet.groups]) for (const c of g.columns) stored.add(c.column);
    const tableColumns = RAW_FLOW_COLUMNS.filter((f) => stored.has(f.column));
    await this.connection.run(
      `CREATE OR REPLACE TABLE raw_flow_records (${[
        ...tableColumns.map((f) => `${ident(f.column)} ${SQL_TYPE[f.type]}`),
        "day VARCHAR",
        "source_file VARCHAR",
      ].join(", ")})`,
    );
    const view = RAW_FLOW_COLUMNS.map((f) =>
      stored.has(f.column) ? ident(f.column) : `CAST(NULL AS ${SQL_TYPE[f.type]}) AS ${ident(f.column)}`,
    ).join(", ");
    await this.connection.run(
      `CREATE OR REPLACE VIEW raw_flow_logs AS SELECT ${view}, day, source_file FROM raw_flow_records`,
    );

    const rejected = new Map<string, RejectCounts>();
    const parquetRows = new Map<string, number>();
    // Row order inside the table means nothing (every reader groups or sorts), and keeping it
    // serialises the parallel CSV scan.
    await this.connection.run("SET preserve_insertion_order = false");
    const insertSelect = (columns: ReadonlyArray<{ column: string }>, key: LocalFlowLogFile) => {
      const present = new Set(columns.map((c) => c.column));
      const fromKey: Record<string, string> = { account_id: key.accountId, region: key.region };
      return [
        ...tableColumns.map((f) => {
          const fallback = fromKey[f.column];
          if (present.has(f.column)) {
            const value = `CAST(${ident(f.column)} AS ${SQL_TYPE[f.type]})`;
            return fallback === undefined ? value : `coalesce(${value}, ${quote(fallback)})`;
          }
          return fallback === undefined ? "NULL" : quote(fallback);
        }),
        quote(rawFlowLogDay(key.day)),
        "filename",
      ].join(", ");
    };

    for (const group of groups) {
      for (const batch of batchByKey(group.files)) {
        const first = batch[0] as LocalFlowLogFile;
        const read = (paths: ReadonlyArray<string>, header: boolean) =>
          `read_csv([${paths.map(quote).join(", ")}], delim = ' ', header = ${header}, nullstr = '-', ` +
          `quote = '', escape = '', auto_detect = false, columns = {${group.columns
            .map((c) => `${quote(c.column)}: '${SQL_TYPE[c.type]}'`)
            .join(", ")}}, filename = true, store_rejects = true)`;
        const insert = async (paths: ReadonlyArray<string>, header: boolean, sourceFile?: string) => {
          const select = insertSelect(group.columns, first).replace(
            /filename$/,
            sourceFile === undefined ? "filename" : quote(sourceFile),
          );
          await this.connection.run(
            `INSERT INTO raw_flow_records SELECT ${select} FROM ${read(paths, header)}`,
          );
          return this.collectRejects();
        };
        for (const { file, lines } of await this.loadIsolated(batch, failed, (paths) =>
          insert(paths, group.hasHeader),
        )) {
          const counts = rejected.get(file) ?? {};
          rejected.set(file, counts);
          const respaced: string[] = [];
          for (const line of lines) {
            const fixed = line.text.trim().split(/\s+/).join(" ");
            if (fixed !== line.text && fixed.split(" ").length === group.columns.length) respaced.push(fixed);
            else counts[line.reason] = (counts[line.reason] ?? 0) + 1;
          }
          if (respaced.length > 0) {
            const retry = join(this.options.lakeDir, ".staging", `respaced-${randomUUID()}.log`);
            await mkdir(dirname(retry), { recursive: true });
            await writeFile(retry, `${respaced.join("\n")}\n`);
            try {
              for (const again of await insert([retry], false, file)) {
                for (const line of again.lines) counts[line.reason] = (counts[line.reason] ?? 0) + 1;
              }
            } finally {
              await rm(retry, { force: true });
            }
          }
        }
      }
    }

    for (const group of parquet.groups) {
      for (const batch of batchByKey(group.files)) {
        const first = batch[0] as LocalFlowLogFile;
        await this.loadIsolated(batch, failed, async (paths) => {
          await this.connection.run(
            `INSERT INTO raw_flow_records SELECT ${insertSelect(group.columns, first)} FROM read_parquet([${paths
              .map(quote)
              .join(", ")}], filename = true)`,
          );
          return [];
        });
      }
      for (const file of group.files) parquetRows.set(file.path, group.rows.get(file.path) ?? 0);
    }
    await this.connection.run("RESET preserve_insertion_order");
    const headerless = new Set(groups.filter((g) => !g.hasHeader).flatMap((g) => g.files.map((f) => f.path)));
    return { rejected, failed, parquetRows, headerless };
  }

  /**
   * Runs `load` over a batch of objects; when it fails, runs it per object so that only the
   * objects that fail alone are reported (by name), and the rest load.
   */
  private async loadIsolated(
    batch: ReadonlyArray<LocalFlowLogFile>,
    failed: FailedFlowLogObject[],
    load: (paths: ReadonlyArray<string>) => Promise<RejectedLines[]>,
  ): Promise<RejectedLines[]> {
    try {
      return await load(batch.map((f) => f.path));
    } catch (error) {
      if (batch.length === 1) {
        failed.push({
          file: batch[0] as LocalFlowLogFile,
          reason: "unreadable_object",
          message: errorMessage(error),
        });
        return [];
      }
      const out: RejectedLines[] = [];
      for (const file of batch) out.push(...(await this.loadIsolated([file], failed, load)));
      return out;
    }
  }

  /**
   * The lines the last `read_csv` rejected, per object, with the ledger reason of each. The
   * reject tables keep every scan of the session, so only scans after the last one seen count.
   */
  private async collectRejects(): Promise<RejectedLines[]> {
    const rows = await this.run(
      `SELECT s.file_path AS file, e.line AS line, list(DISTINCT e.error_type) AS types,
              any_value(e.csv_line) AS text, max(e.scan_id) AS scan
       FROM reject_errors e JOIN reject_scans s ON s.scan_id = e.scan_id AND s.file_id = e.file_id
       WHERE e.scan_id > ${this.lastRejectScan}
       GROUP BY s.file_path, e.line`,
    );
    const [latest] = await this.run("SELECT coalesce(max(scan_id), 0) AS scan FROM reject_scans");
    this.lastRejectScan = Number(latest?.scan ?? 0);
    const byFile = new Map<string, RejectedLines>();
    for (const row of rows) {
      const file = String(row.file);
      let entry = byFile.get(file);
      if (!entry) {
        entry = { file, lines: [] };
        byFile.set(file, entry);
      }
      entry.lines.push({
        reason: reasonForCsvErrors((row.types as unknown[]).map(String)),
        text: String(row.text ?? ""),
      });
    }
    return [...byFile.values()];
  }

  /** Reads each Parquet object's schema and row count; groups objects that share a column set. */
  private async describeParquet(files: ReadonlyArray<LocalFlowLogFile>) {
    const groups = new Map<string, ParquetGroup>();
    const failed: FailedFlowLogObject[] = [];
    for (const file of files) {
      let columns: Array<{ column: string; type: "int" | "bigint" | "string" }>;
      let rows: number;
      try {
        const described = await this.run(`DESCRIBE SELECT * FROM read_parquet(${quote(file.path)})`);
        columns = described.flatMap((d) => {
          const field = flowField(String(d.column_name));
          return field ? [{ column: field.column, type: field.type }] : [];
        });
        const [meta] = await this.run(
          `SELECT sum(num_rows) AS n FROM parquet_file_metadata(${quote(file.path)})`,
        );
        rows = Number(meta?.n ?? 0);
      } catch (error) {
        failed.push({ file, reason: "unreadable_object", message: errorMessage(error) });
        continue;
      }
      const id = columns.map((c) => c.column).join(",");
      let group = groups.get(id);
      if (!group) {
        group = { columns, files: [], rows: new Map() };
        groups.set(id, group);
      }
      group.files.push(file);
      group.rows.set(file.path, rows);
    }
    return { groups: [...groups.values()], failed };
  }

  /** Every UTC hour (its start, Unix seconds) in which some loaded record is traffic. */
  async rawTrafficHours(): Promise<number[]> {
    const rows = await this.run(
      `SELECT DISTINCT "start" - ("start" % 3600) AS hour_start FROM raw_flow_logs
       WHERE coalesce(log_status, 'OK') = 'OK' AND "start" IS NOT NULL AND bytes IS NOT NULL ORDER BY 1`,
    );
    return rows.map((r) => Number(r.hour_start));
  }

  /** Removes an object's records from the loaded table (an object later found truncated). */
  async dropRawFlowLogFile(path: string): Promise<void> {
    const prepared = await this.connection.prepare("DELETE FROM raw_flow_records WHERE source_file = ?");
    prepared.bind([path]);
    await prepared.run();
  }

  /** Records held by the given curated_flows partitions (the ledger's `compacted`). */
  async compactedRecords(partitions: ReadonlyArray<{ dt: string; hour: string }>): Promise<number> {
    if (partitions.length === 0) return 0;
    await this.refreshCuratedViews();
    const prepared = await this.connection.prepare(
      `SELECT coalesce(sum(records), 0) AS n FROM curated_flows WHERE ${partitions
        .map(() => "(dt = ? AND hour = ?)")
        .join(" OR ")}`,
    );
    prepared.bind(partitions.flatMap((p) => [p.dt, p.hour]));
    const result = await prepared.runAndReadAll();
    return Number(result.getRows()[0]?.[0] ?? 0);
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
