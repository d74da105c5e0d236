import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  errorMessage,
  FLOW_NUMBER_LIMITS,
  flowField,
  type MaterializeResult,
  type MaterializeTarget,
  orderedParams,
  type QueryDefinition,
  type QueryEngine,
  QueryFailedError,
  type QueryResult,
  RAW_FLOW_COLUMNS,
  RAW_FLOW_STATUS_PARTITION,
  type RejectCounts,
  type RejectReason,
  rawFlowLogDay,
  reasonForCsvErrors,
  type SqlLoader,
} from "@flowcost/core";
import type { z } from "zod";
import {
  type FailedFlowLogObject,
  groupByHeader,
  type LocalFlowLogFile,
  type TextFormatGroup,
} from "../lake/flow-log-files.ts";
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

/** What defining the raw flow-log view found before any scan (the ledger's inputs). */
export interface RawFlowLogLoad {
  /** Objects that cannot be read at all (header, unknown field, corrupt Parquet), by name. */
  readonly failed: ReadonlyArray<FailedFlowLogObject>;
  /** Rows per Parquet object, from its footer. */
  readonly parquetRows: ReadonlyMap<string, number>;
  /** Text objects without a header line (read with the default v2 layout). */
  readonly headerless: ReadonlySet<string>;
}

/** Rejected lines booked per object and reason by the scans since the last booking. */
export interface BookedRejects {
  readonly rejected: Map<string, RejectCounts>;
  /** Lines rejected only for stray spaces (doubled, leading, trailing), single-spaced, per object. */
  readonly respaced: Map<string, string[]>;
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

/** The objects behind the `raw_flow_logs` view, and what a run took out of it or added to it. */
interface RawSources {
  readonly text: ReadonlyArray<TextFormatGroup>;
  readonly parquet: ReadonlyArray<ParquetGroup>;
  readonly excluded: Set<string>;
  /** Original object path -> a headerless staging file with its re-spaced lines. */
  readonly respaced: Map<string, string>;
}

/** A query result written to staging as Hive partitions, not yet swapped into the lake. */
export interface StagedResult {
  readonly staged: string;
  /** Rows per staged partition (`dt=.../hour=...`). */
  readonly rows: ReadonlyMap<string, number>;
  readonly partitions: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly elapsedMs: number;
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

const MEMORY_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `1GB`, `512 MiB` -> bytes (DuckDB's units); undefined for anything else (left to DuckDB). */
export function parseMemoryLimit(limit: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(limit);
  const unit = MEMORY_UNITS[(match?.[2] ?? "b").toLowerCase()];
  return match && unit !== undefined ? Number(match[1]) * unit : undefined;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/**
 * compact_flows' number limits (core FLOW_NUMBER_LIMITS) for the `raw_flow_status` view the local
 * engine defines when it counts the ledger apart from compaction: an OK record outside them is
 * booked as number_range, as the query files do.
 */
const NUMBER_RANGE_OK = Object.entries(FLOW_NUMBER_LIMITS)
  .map(([field, { min, max }]) => `coalesce(${ident(field)}, 0) BETWEEN ${min} AND ${max}`)
  .join(" AND ");

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
  private rawSources: RawSources = { text: [], parquet: [], excluded: new Set(), respaced: new Map() };
  /** Column count of each text object's layout (a re-spaced line must have exactly as many). */
  private readonly rawColumns = new Map<string, number>();
  private readonly respacedOrigin = new Map<string, string>();
  private rawStatusKind: "view" | "table" | undefined;
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
    for (const path of this.rawSources.respaced.values()) rmSync(path, { force: true });
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** Raw SQL for engine-internal work (views, ledgers); never with user-supplied text. */
  async run(sql: string): Promise<Array<Record<string, unknown>>> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
  }

  /**
   * Defines the `raw_flow_logs` view over the given flow-log objects: every flow-log column
   * (NULL where no layout has it), with account and region taken from the S3 key when the format
   * lacks them, plus the `day` partition column in the default layout's projection format (as
   * Athena's table has it) and `source_file`. Text objects are read with one `read_csv` per
   * (header layout, day, account, region), Parquet objects with `read_parquet`, columns matched
   * by name. Nothing is read here but each text object's first line: the view streams from the
   * files each time a query scans it, so a run scans them as few times as it queries the view
   * (compaction once, the ledger's status counts once), and no raw row is held in memory.
   *
   * Every `read_csv` stores its rejected lines (`bookRejects` counts them per object).
   */
  async setRawFlowLogs(files: ReadonlyArray<LocalFlowLogFile>): Promise<RawFlowLogLoad> {
    const { groups, failed: headerFailures } = await groupByHeader(files);
    const parquet = await this.describeParquet(files.filter((f) => f.encoding === "parquet"));
    await this.clearRespaced();
    this.rawSources = { text: groups, parquet: parquet.groups, excluded: new Set(), respaced: new Map() };
    this.rawColumns.clear();
    for (const g of groups) for (const f of g.files) this.rawColumns.set(f.path, g.columns.length);
    await this.defineRawView();
    const parquetRows = new Map<string, number>();
    for (const g of parquet.groups) for (const f of g.files) parquetRows.set(f.path, g.rows.get(f.path) ?? 0);
    const headerless = new Set(groups.filter((g) => !g.hasHeader).flatMap((g) => g.files.map((f) => f.path)));
    return { failed: [...headerFailures, ...parquet.failed], parquetRows, headerless };
  }

  /** Takes objects out of the raw view (objects found truncated or unreadable). */
  async excludeRawFlowLogFiles(paths: Iterable<string>): Promise<void> {
    for (const p of paths) this.rawSources.excluded.add(p);
    await this.defineRawView();
  }

  /**
   * Adds each object's re-spaced lines to the raw view under the object's own name: a line
   * rejected only for stray spaces holds intact fields, so it is read again single-spaced.
   */
  async addRespacedLines(respaced: ReadonlyMap<string, ReadonlyArray<string>>): Promise<void> {
    for (const [file, lines] of respaced) {
      if (lines.length === 0) continue;
      const retry = join(this.options.lakeDir, ".staging", `respaced-${randomUUID()}.log`);
      await mkdir(dirname(retry), { recursive: true });
      await writeFile(retry, `${lines.join("\n")}\n`);
      const previous = this.rawSources.respaced.get(file);
      if (previous) await rm(previous, { force: true });
      this.rawSources.respaced.set(file, retry);
    }
    await this.defineRawView();
  }

  private async clearRespaced(): Promise<void> {
    for (const path of this.rawSources.respaced.values()) await rm(path, { force: true });
    this.rawSources.respaced.clear();
  }

  /** The SELECT list that maps one source's columns onto every raw flow-log column. */
  private rawSelect(
    columns: ReadonlyArray<{ column: string }>,
    key: LocalFlowLogFile,
    sourceFile: string | undefined,
  ): string {
    const present = new Set(columns.map((c) => c.column));
    const fromKey: Record<string, string> = { account_id: key.accountId, region: key.region };
    return [
      ...RAW_FLOW_COLUMNS.map((f) => {
        const fallback = fromKey[f.column];
        let value: string;
        if (present.has(f.column)) {
          const cast = `CAST(${ident(f.column)} AS ${SQL_TYPE[f.type]})`;
          value = fallback === undefined ? cast : `coalesce(${cast}, ${quote(fallback)})`;
        } else {
          value = fallback === undefined ? `CAST(NULL AS ${SQL_TYPE[f.type]})` : quote(fallback);
        }
        return `${value} AS ${ident(f.column)}`;
      }),
      `${quote(rawFlowLogDay(key.day))} AS day`,
      `${sourceFile === undefined ? "filename" : quote(sourceFile)} AS source_file`,
    ].join(", ");
  }

  /**
   * A `read_csv` of the group's layout. The scan keeps only lines whose every field parses: the
   * filter names every column, so DuckDB casts (and rejects on) all of them, not just those a
   * query projects, and every scan of the view rejects the same lines.
   */
  private readCsv(group: TextFormatGroup, paths: ReadonlyArray<string>, header: boolean): string {
    return (
      `(SELECT * FROM read_csv([${paths.map(quote).join(", ")}], delim = ' ', header = ${header}, nullstr = '-', ` +
      `quote = '', escape = '', auto_detect = false, columns = {${group.columns
        .map((c) => `${quote(c.column)}: '${SQL_TYPE[c.type]}'`)
        .join(", ")}}, filename = true, store_rejects = true) ` +
      `WHERE hash(${group.columns.map((c) => ident(c.column)).join(", ")}) IS NOT NULL)`
    );
  }

  /** (Re)defines `raw_flow_logs` (and the default `raw_flow_status`) over the current sources. */
  private async defineRawView(): Promise<void> {
    const { text, parquet, excluded, respaced } = this.rawSources;
    const parts: string[] = [];
    for (const group of text) {
      const files = group.files.filter((f) => !excluded.has(f.path));
      for (const batch of batchByKey(files)) {
        parts.push(
          `SELECT ${this.rawSelect(group.columns, batch[0] as LocalFlowLogFile, undefined)} FROM ${this.readCsv(
            group,
            batch.map((f) => f.path),
            group.hasHeader,
          )}`,
        );
      }
      for (const file of files) {
        const retry = respaced.get(file.path);
        if (retry === undefined) continue;
        this.respacedOrigin.set(retry, file.path);
        parts.push(
          `SELECT ${this.rawSelect(group.columns, file, file.path)} FROM ${this.readCsv(group, [retry], false)}`,
        );
      }
    }
    for (const group of parquet) {
      for (const batch of batchByKey(group.files.filter((f) => !excluded.has(f.path)))) {
        parts.push(
          `SELECT ${this.rawSelect(group.columns, batch[0] as LocalFlowLogFile, undefined)} FROM read_parquet([${batch
            .map((f) => quote(f.path))
            .join(", ")}], filename = true)`,
        );
      }
    }
    if (parts.length === 0) {
      parts.push(
        `SELECT ${RAW_FLOW_COLUMNS.map((f) => `CAST(NULL AS ${SQL_TYPE[f.type]}) AS ${ident(f.column)}`).join(", ")}, ` +
          "CAST(NULL AS VARCHAR) AS day, CAST(NULL AS VARCHAR) AS source_file WHERE false",
      );
    }
    await this.connection.run(`CREATE OR REPLACE VIEW raw_flow_logs AS ${parts.join("\nUNION ALL\n")}`);
    await this.defineRawFlowStatus("view");
  }

  /**
   * `raw_flow_status`: the raw records counted per object, day, log status and whether they are
   * traffic, with SKIPDATA records kept apart (their ENI and window are data gaps), and the
   * first and last `start` per group. The ledger queries read it. By default a view (each query
   * scans the objects); `materializeRawFlowStatus` scans once into a small table instead.
   */
  private async defineRawFlowStatus(kind: "view" | "table"): Promise<void> {
    const body = `SELECT
        source_file, day,
        CASE
          WHEN coalesce(log_status, 'OK') = 'OK' AND "start" IS NOT NULL AND bytes IS NOT NULL
            AND NOT (${NUMBER_RANGE_OK})
          THEN 'NUMBER_RANGE' ELSE log_status
        END AS log_status,
        coalesce(log_status, 'OK') = 'OK' AND "start" IS NOT NULL AND bytes IS NOT NULL
          AND ${NUMBER_RANGE_OK} AS traffic,
        CASE WHEN log_status = 'SKIPDATA' THEN interface_id END AS gap_interface_id,
        CASE WHEN log_status = 'SKIPDATA' THEN "start" END AS gap_start,
        CASE WHEN log_status = 'SKIPDATA' THEN "end" END AS gap_end,
        count(*) AS records, min("start") AS first_start, max("start") AS last_start
      FROM raw_flow_logs GROUP BY ALL`;
    if (this.rawStatusKind === "table") await this.connection.run("DROP TABLE IF EXISTS raw_flow_status");
    else if (this.rawStatusKind === "view") await this.connection.run("DROP VIEW IF EXISTS raw_flow_status");
    await this.connection.run(`CREATE ${kind === "view" ? "VIEW" : "TABLE"} raw_flow_status AS ${body}`);
    this.rawStatusKind = kind;
  }

  /**
   * Runs `work` with DuckDB's memory_limit at `share` of the configured limit. DuckDB's resident
   * memory runs past its buffer limit (allocator slack, memory outside the buffer manager:
   * measured ~250 MB over at 1 GB during a partitioned Parquet write), so the streaming steps
   * keep the whole process, Node included, near the configured figure.
   */
  async withMemoryShare<T>(share: number, work: () => Promise<T>): Promise<T> {
    const bytes = parseMemoryLimit(this.options.memoryLimit ?? "1GB");
    if (bytes === undefined) return work();
    await this.connection.run(`SET memory_limit = '${Math.floor((bytes * share) / 1048576)}MiB'`);
    try {
      return await work();
    } finally {
      await this.connection.run(`SET memory_limit = ${quote(this.options.memoryLimit ?? "1GB")}`);
    }
  }

  /** Scans the raw objects once into the `raw_flow_status` table (its rejected lines are not booked again). */
  async materializeRawFlowStatus(): Promise<void> {
    await this.connection.run("SET preserve_insertion_order = false");
    try {
      await this.defineRawFlowStatus("table");
    } finally {
      await this.connection.run("RESET preserve_insertion_order");
    }
    await this.skipRejects();
  }

  /**
   * Whether every format behind the raw view logs flow-direction, so nothing needs inferring
   * (compaction can then use compact_flows_directed, which also counts the ledger in its scan).
   */
  rawFlowLogsLogDirection(): boolean {
    const { text, parquet } = this.rawSources;
    return [...text, ...parquet].every((g) => g.columns.some((c) => c.column === "flow_direction"));
  }

  /**
   * Takes compact_flows_directed's status rows out of a staged result into the `raw_flow_status`
   * table (the ledger's per-object counts, from the compaction scan itself) and returns the
   * staged result without them. The column mapping is the one its SQL file's header gives.
   * Without status rows (no record read), the counts come from a scan as before.
   */
  async adoptRawFlowStatus(staged: StagedResult): Promise<StagedResult> {
    const rel = `dt=${RAW_FLOW_STATUS_PARTITION.dt}/hour=${RAW_FLOW_STATUS_PARTITION.hour}`;
    if (!staged.rows.has(rel)) {
      await this.materializeRawFlowStatus();
      return staged;
    }
    const dir = join(staged.staged, `dt=${RAW_FLOW_STATUS_PARTITION.dt}`);
    if (this.rawStatusKind === "table") await this.connection.run("DROP TABLE IF EXISTS raw_flow_status");
    else if (this.rawStatusKind === "view") await this.connection.run("DROP VIEW IF EXISTS raw_flow_status");
    await this.connection.run(
      `CREATE TABLE raw_flow_status AS SELECT
         account_id AS source_file, region AS day, action AS log_status, direction_inferred AS traffic,
         interface_id AS gap_interface_id,
         CASE WHEN action = 'SKIPDATA' THEN first_start END AS gap_start,
         CASE WHEN action = 'SKIPDATA' THEN last_end END AS gap_end,
         records, first_start, minute AS last_start
       FROM read_parquet(${quote(`${dir}/*/*.parquet`)})`,
    );
    this.rawStatusKind = "table";
    await rm(dir, { recursive: true, force: true });
    const rows = new Map([...staged.rows].filter(([k]) => k !== rel));
    const partitions = staged.partitions.filter((p) => p.dt !== RAW_FLOW_STATUS_PARTITION.dt);
    return { ...staged, rows, partitions };
  }

  /**
   * Per object: the first and last `start` of the traffic it holds (Unix seconds). Only traffic
   * counts: its times are range-checked, where a NODATA line or a rejected record may claim any
   * second since 1970 and make a run "own" every hour in between.
   */
  async rawFlowLogSpans(): Promise<Map<string, { first: number; last: number }>> {
    const rows = await this.run(
      `SELECT source_file, min(first_start) AS first, max(last_start) AS last FROM raw_flow_status
       WHERE traffic AND first_start IS NOT NULL GROUP BY source_file`,
    );
    return new Map(
      rows.map((r) => [String(r.source_file), { first: Number(r.first), last: Number(r.last) }]),
    );
  }

  /**
   * Books the lines the scans since the last booking rejected, per object and reason. Lines
   * rejected only for stray spaces are returned single-spaced instead of booked (see
   * `addRespacedLines`); lines of a re-spaced file are booked under their object, never
   * re-spaced again. `onlyRespaced` books just the re-spaced files' lines (the objects' own
   * lines were booked by an earlier scan of the same objects).
   */
  async bookRejects(options: { onlyRespaced?: boolean } = {}): Promise<BookedRejects> {
    const rejected = new Map<string, RejectCounts>();
    const respaced = new Map<string, string[]>();
    for (const { file, lines } of await this.collectRejects()) {
      const origin = this.respacedOrigin.get(file);
      if (options.onlyRespaced && origin === undefined) continue;
      const owner = origin ?? file;
      const counts = rejected.get(owner) ?? {};
      rejected.set(owner, counts);
      const width = this.rawColumns.get(owner);
      for (const line of lines) {
        const fixed = line.text.trim().split(/\s+/).join(" ");
        if (origin === undefined && fixed !== line.text && fixed.split(" ").length === width) {
          respaced.set(owner, [...(respaced.get(owner) ?? []), fixed]);
        } else {
          counts[line.reason] = (counts[line.reason] ?? 0) + 1;
        }
      }
    }
    return { rejected, respaced };
  }

  /** Marks every reject stored so far as seen, without booking it (a repeat scan of booked objects). */
  async skipRejects(): Promise<void> {
    if (!(await this.hasRejectTables())) return;
    const [latest] = await this.run("SELECT coalesce(max(scan_id), 0) AS scan FROM reject_scans");
    this.lastRejectScan = Number(latest?.scan ?? 0);
  }

  /** DuckDB creates the reject tables with the first `read_csv` that stores rejects. */
  private async hasRejectTables(): Promise<boolean> {
    const [row] = await this.run(
      "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('reject_scans', 'reject_errors')",
    );
    return Number(row?.n ?? 0) === 2;
  }

  /**
   * Reads each object of the raw view alone and returns those that fail, by name, so one bad
   * object cannot stop a run (called only after a scan of the whole view failed).
   */
  async findUnreadableRawFlowLogs(): Promise<FailedFlowLogObject[]> {
    const failed: FailedFlowLogObject[] = [];
    const { text, parquet, excluded } = this.rawSources;
    const probes: Array<[LocalFlowLogFile, string]> = [];
    for (const g of text) {
      for (const f of g.files) {
        if (!excluded.has(f.path)) probes.push([f, this.readCsv(g, [f.path], g.hasHeader)]);
      }
    }
    for (const g of parquet) {
      for (const f of g.files) if (!excluded.has(f.path)) probes.push([f, `read_parquet(${quote(f.path)})`]);
    }
    for (const [file, source] of probes) {
      try {
        await this.run(`SELECT count(*) AS n FROM ${source}`);
      } catch (error) {
        failed.push({ file, reason: "unreadable_object", message: `${file.path}: ${errorMessage(error)}` });
      }
    }
    await this.skipRejects();
    return failed;
  }

  /**
   * The lines the scans since the last booking rejected, per object, with the ledger reason of
   * each. The reject tables keep every scan of the session, so only later scans count.
   */
  private async collectRejects(): Promise<RejectedLines[]> {
    if (!(await this.hasRejectTables())) return [];
    const rows = await this.run(
      `SELECT s.file_path AS file, e.scan_id AS scan, e.line AS line, list(DISTINCT e.error_type) AS types,
              any_value(e.csv_line) AS text
       FROM reject_errors e JOIN reject_scans s ON s.scan_id = e.scan_id AND s.file_id = e.file_id
       WHERE e.scan_id > ${this.lastRejectScan}
       GROUP BY s.file_path, e.scan_id, e.line`,
    );
    await this.skipRejects();
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

  /**
   * Points each curated view at its Parquet files, or at an empty typed relation when there are
   * none. Run at open and after every write the engine makes (curated data changes only through
   * it), never per query: listing a year of hourly partitions on every query would be wasted I/O.
   */
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
    const staged = await this.stage(q, params);
    const written = await this.publishStaged(staged, target.prefix, target.partitions);
    return {
      rowsWritten: [...staged.rows.values()].reduce((a, b) => a + b, 0),
      partitionsWritten: written,
      stats: { engine: "duckdb", elapsedMs: staged.elapsedMs },
    };
  }

  /**
   * Runs the query into staging as Hive partitions (zstd Parquet, no bloom filters: nothing
   * reads curated files by point lookups), without preserving row order (which would serialise
   * the scan and hold rows back). Rows per partition come from the files' footers.
   */
  async stage<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
  ): Promise<StagedResult> {
    const started = performance.now();
    if (q.partitionedBy.length === 0) throw new Error(`query ${q.name} declares no partition columns`);
    const sql = await this.loadSql(q, "duckdb");
    const staged = stagingDir(this.options.lakeDir);
    await mkdir(dirname(staged), { recursive: true });
    try {
      await this.connection.run("SET preserve_insertion_order = false");
      // Each open partition holds a row group being built, outside what DuckDB can spill: with
      // DuckDB's defaults a 5M-record run over 24 hours ran out of a 700 MB limit. Flushing
      // small row groups and keeping few partition files open bounds that memory.
      await this.connection.run("SET partitioned_write_flush_threshold = 65536");
      await this.connection.run("SET partitioned_write_max_open_files = 8");
      const copy = async () => {
        const prepared = await this.connection.prepare(
          `COPY (${sql}) TO ${quote(staged)} (FORMAT parquet, COMPRESSION zstd, WRITE_BLOOM_FILTER false, ` +
            `PARTITION_BY (${q.partitionedBy.map(ident).join(", ")}), WRITE_PARTITION_COLUMNS false)`,
        );
        prepared.bind(orderedParams(q, params));
        await prepared.run();
      };
      try {
        await copy();
      } catch (error) {
        // Each thread aggregates and writes with its own buffers: at 5M records under a 700 MB
        // limit two threads sometimes run out where one does not. Slower beats failing.
        if (!/Out of Memory/i.test(errorMessage(error)) || (this.options.threads ?? 2) <= 1) throw error;
        await rm(staged, { recursive: true, force: true });
        await this.connection.run("SET threads = 1");
        try {
          await copy();
        } finally {
          await this.connection.run(`SET threads = ${this.options.threads ?? 2}`);
        }
      }
    } catch (error) {
      await rm(staged, { recursive: true, force: true });
      throw new QueryFailedError(q.name, errorMessage(error), { cause: error });
    } finally {
      await this.connection.run("RESET preserve_insertion_order");
      await this.connection.run("RESET partitioned_write_flush_threshold");
      await this.connection.run("RESET partitioned_write_max_open_files");
    }
    const rows = new Map<string, number>();
    const files = await readdir(staged, { recursive: true }).catch(() => [] as string[]);
    if (files.some((f) => f.endsWith(".parquet"))) {
      for (const r of await this.run(
        `SELECT file_name AS file, sum(num_rows) AS n FROM parquet_file_metadata(${quote(`${staged}/${q.partitionedBy.map(() => "*").join("/")}/*.parquet`)}) GROUP BY file_name`,
      )) {
        const rel = dirname(String(r.file).slice(staged.length + 1));
        rows.set(rel, (rows.get(rel) ?? 0) + Number(r.n));
      }
    }
    const partitions = [...rows.keys()]
      .sort()
      .map((rel) => Object.fromEntries(rel.split("/").map((kv) => kv.split("=", 2) as [string, string])));
    return { staged, rows, partitions, elapsedMs: performance.now() - started };
  }

  /** Swaps the owned partitions of a staged result into place (each whole, empty ones removed). */
  async publishStaged(
    staged: StagedResult,
    prefix: string,
    owned: ReadonlyArray<Readonly<Record<string, string>>>,
  ): Promise<string[]> {
    const written = await swapPartitions(
      this.options.lakeDir,
      staged.staged,
      join(this.options.lakeDir, prefix),
      owned,
    );
    await this.refreshCuratedViews();
    return written;
  }

  /**
   * Removes partitions of a curated dataset, through the same swap as a write (a swap with nothing
   * staged), so the views follow: curated data changes only through the engine.
   */
  async dropPartitions(
    prefix: string,
    partitions: ReadonlyArray<Readonly<Record<string, string>>>,
  ): Promise<void> {
    await swapPartitions(
      this.options.lakeDir,
      stagingDir(this.options.lakeDir),
      join(this.options.lakeDir, prefix),
      partitions,
    );
    await this.refreshCuratedViews();
  }

  /** Drops a staged result (a run that must redo its query). */
  async discardStaged(staged: StagedResult): Promise<void> {
    await rm(staged.staged, { recursive: true, force: true });
  }
}
