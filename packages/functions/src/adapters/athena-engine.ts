import { randomBytes } from "node:crypto";
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  GetTableMetadataCommand,
  type GetTableMetadataCommandOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  errorMessage,
  type MaterializeResult,
  type MaterializeTarget,
  orderedParams,
  type QueryDefinition,
  type QueryEngine,
  QueryFailedError,
  type QueryResult,
  QueryTimeoutError,
  type SqlLoader,
} from "@flowcost/core";
import type { z } from "zod";
import { S3Lake } from "./s3-lake.ts";

export interface AthenaEngineLogger {
  info(msg: string, extra?: object): void;
  warn(msg: string, extra?: object): void;
}

export interface AthenaEngineOptions {
  readonly athena: AthenaClient;
  readonly s3: S3Client;
  readonly workGroup: string;
  readonly database: string;
  /** Default `AwsDataCatalog`. */
  readonly catalog?: string;
  /** `s3://bucket/prefix/`; omit when the workgroup enforces its own. */
  readonly outputLocation?: string;
  /** Materialised tables live at `s3://<lakeBucket>/<target.prefix>/...`. */
  readonly lakeBucket: string;
  readonly loadSql: SqlLoader;
  /** Overall limit per statement; the query is stopped when it passes. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** First and largest pause between polls (and between throttled retries). Defaults 250 ms, 5 s. */
  readonly pollMinMs?: number;
  readonly pollMaxMs?: number;
  /** Attempts for a call Athena throttles, first one included. Default 8. */
  readonly maxAttempts?: number;
  readonly logger?: AthenaEngineLogger;
  /** Test seams. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Names one materialisation run (its S3 folder and staging table); `[a-z0-9_]+`. */
  readonly runId?: () => string;
}

/** Athena writes at most 100 partitions per INSERT INTO (aws-facts.md §2.5). */
export const MAX_PARTITIONS_PER_INSERT = 100;
const PAGE_SIZE = 1000;
const THROTTLED = new Set(["TooManyRequestsException", "ThrottlingException"]);

/**
 * Partition values, table names, prefixes and catalog types end up inside DDL text (Athena DDL
 * takes no execution parameters) and inside S3 keys. They come from the job's window and from
 * our own catalog, never from a user, but a strict pattern still guarantees that no quote,
 * backtick, `/` or `..` can reach a statement or a key, whatever a caller passes.
 */
const PARTITION_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,127}$/;
const PREFIX = /^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/;
const HIVE_TYPE = /^[a-z][a-z0-9_<>,:() ]*$/;
const RUN_ID = /^[a-z0-9_]{1,64}$/;

/** A value as Athena's ExecutionParameters want it: SQL literal text (aws-facts.md §2.4). */
export function athenaLiteral(value: string | number): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`parameter value ${value} is not a finite number`);
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

interface Execution {
  readonly queryId: string;
  readonly bytesScanned: number;
  readonly elapsedMs: number;
}

interface TableLayout {
  /** Data columns (the row schema's keys minus partition columns) with the catalog's types. */
  readonly columns: ReadonlyArray<{ name: string; type: string }>;
  readonly partitionKeys: ReadonlyArray<string>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The QueryEngine port on Athena (style.md §3.8): parameters through ExecutionParameters, capped
 * exponential polling under a timeout that stops the query, paged results parsed through the
 * query's row schema, and a materialisation that replaces each owned partition in one catalog
 * update. Bytes scanned (the $5/TB meter) are logged and returned for every statement.
 */
export class AthenaEngine implements QueryEngine {
  readonly name = "athena" as const;
  private readonly catalog: string;
  private readonly timeoutMs: number;
  private readonly pollMinMs: number;
  private readonly pollMaxMs: number;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly newRunId: () => string;
  /** The lake bucket, where materialised runs' files are listed and superseded ones deleted. */
  private readonly lake: S3Lake;

  constructor(private readonly options: AthenaEngineOptions) {
    this.catalog = options.catalog ?? "AwsDataCatalog";
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.pollMinMs = options.pollMinMs ?? 250;
    this.pollMaxMs = Math.max(options.pollMaxMs ?? 5_000, this.pollMinMs);
    this.maxAttempts = options.maxAttempts ?? 8;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.lake = new S3Lake({ s3: options.s3, bucket: options.lakeBucket });
    this.newRunId =
      options.runId ??
      (() => {
        const stamp = new Date(this.now()).toISOString().replace(/[-:]/g, "").slice(0, 15).toLowerCase();
        return `${stamp}_${randomBytes(4).toString("hex")}`;
      });
  }

  async query<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
  ): Promise<QueryResult<z.output<R>>> {
    const sql = await this.options.loadSql(q, "athena");
    const execution = await this.execute(q.name, sql, orderedParams(q, params));
    const rows = await this.fetchRows(q, execution.queryId);
    return {
      rows,
      stats: {
        engine: "athena",
        queryId: execution.queryId,
        bytesScanned: execution.bytesScanned,
        elapsedMs: execution.elapsedMs,
      },
    };
  }

  /**
   * Replaces the target's owned partitions with the query's rows; a partition appears whole or
   * not at all. Each run writes through a throw-away external table partitioned like the target
   * plus a `run` column, located at the dataset's own prefix, so its files land at
   * `<prefix>/<k>=<v>/.../run=<runId>/` (INSERT INTO never touches another run's folder). Then
   * each owned partition of the target is pointed at the new run folder by one catalog update
   * (readers see the old files or the new ones, never a mix), partitions the query left empty are
   * dropped, and every other object under the partition's prefix (earlier runs, failed runs'
   * leftovers) is deleted. The target must register its partitions (no partition projection).
   */
  async materialize<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
    target: MaterializeTarget,
  ): Promise<MaterializeResult> {
    const started = this.now();
    const keys = q.partitionedBy;
    if (keys.length === 0) throw new Error(`query ${q.name} declares no partition columns`);
    checkPattern(IDENTIFIER, target.table, `materialize ${q.name}: table name`);
    checkPattern(PREFIX, target.prefix, `materialize ${q.name}: lake prefix`);
    if (keys.includes("run")) throw new Error(`query ${q.name}: "run" is reserved for the run folder`);
    const partitions = target.partitions.map((p) => partitionValues(q.name, keys, p));
    const layout = await this.tableLayout(q, target.table);
    const runId = this.newRunId();
    checkPattern(RUN_ID, runId, "run id");

    const sql = await this.options.loadSql(q, "athena");
    const values = orderedParams(q, params);
    const staging = `${target.table}__run_${runId}`;
    const root = `s3://${this.options.lakeBucket}/${target.prefix}/`;
    const executions: Execution[] = [];
    let rowsWritten = 0;

    await this.ddl(
      q.name,
      `CREATE EXTERNAL TABLE \`${staging}\` (${layout.columns.map((c) => `\`${c.name}\` ${c.type}`).join(", ")})` +
        ` PARTITIONED BY (${[...keys, "run"].map((k) => `\`${k}\` string`).join(", ")})` +
        ` STORED AS PARQUET LOCATION '${root}' TBLPROPERTIES ('parquet.compression' = 'SNAPPY')`,
    );
    try {
      const selectList = [...layout.columns.map((c) => `"${c.name}"`), ...keys.map((k) => `"${k}"`)];
      for (const chunk of chunked(partitions, MAX_PARTITIONS_PER_INSERT)) {
        const predicate = chunk
          .map(() => `(${keys.map((k) => `"${k}" = CAST(? AS varchar)`).join(" AND ")})`)
          .join(" OR ");
        const insert =
          `INSERT INTO "${staging}"\nSELECT ${selectList.join(", ")}, CAST(? AS varchar) AS "run"\n` +
          `FROM (\n${sql}\n) AS materialized\nWHERE ${predicate}`;
        const execution = await this.execute(q.name, insert, [runId, ...values, ...chunk.flat()]);
        executions.push(execution);
        rowsWritten += await this.updateCount(q.name, execution.queryId);
      }
    } catch (error) {
      await this.removeRunFolders(target.prefix, keys, partitions, runId);
      throw error;
    } finally {
      await this.ddl(q.name, `DROP TABLE IF EXISTS \`${staging}\``);
    }

    const written: Array<{ values: string[]; location: string; stale: string[] }> = [];
    const empty: Array<{ values: string[]; stale: string[] }> = [];
    for (const partition of partitions) {
      const folder = `${target.prefix}/${partitionPath(keys, partition)}/`;
      const runFolder = `${folder}run=${runId}/`;
      const objects = await this.lake.list(folder);
      const stale = objects.filter((k) => !k.startsWith(runFolder));
      if (objects.length > stale.length) {
        written.push({ values: partition, location: `s3://${this.options.lakeBucket}/${runFolder}`, stale });
      } else {
        empty.push({ values: partition, stale });
      }
    }

    const spec = (partition: string[]) =>
      `PARTITION (${keys.map((k, i) => `\`${k}\` = '${partition[i]}'`).join(", ")})`;
    for (const chunk of chunked(written, MAX_PARTITIONS_PER_INSERT)) {
      await this.ddl(
        q.name,
        `ALTER TABLE \`${target.table}\` ADD IF NOT EXISTS ${chunk
          .map((w) => `${spec(w.values)} LOCATION '${w.location}'`)
          .join(" ")}`,
      );
    }
    // ADD IF NOT EXISTS leaves an existing partition where it was; SET LOCATION is the switch.
    for (const w of written) {
      await this.ddl(
        q.name,
        `ALTER TABLE \`${target.table}\` ${spec(w.values)} SET LOCATION '${w.location}'`,
      );
    }
    for (const chunk of chunked(empty, MAX_PARTITIONS_PER_INSERT)) {
      await this.ddl(
        q.name,
        `ALTER TABLE \`${target.table}\` DROP IF EXISTS ${chunk.map((e) => spec(e.values)).join(", ")}`,
      );
    }
    // Only now that no partition points at them can the earlier files go.
    for (const p of [...written, ...empty]) await this.lake.delete(p.stale);

    const bytesScanned = executions.reduce((sum, e) => sum + e.bytesScanned, 0);
    const elapsedMs = this.now() - started;
    this.options.logger?.info("athena materialize finished", {
      queryName: q.name,
      table: target.table,
      runId,
      queryIds: executions.map((e) => e.queryId),
      partitionsWritten: written.length,
      partitionsEmptied: empty.length,
      rowsWritten,
      bytesScanned,
      elapsedMs,
    });
    return {
      rowsWritten,
      partitionsWritten: written.map((w) => partitionPath(keys, w.values)),
      stats: { engine: "athena", queryId: executions[0]?.queryId, bytesScanned, elapsedMs },
    };
  }

  /** Starts a statement, waits for it under the timeout, logs its id, state, time and bytes. */
  private async execute(
    label: string,
    sql: string,
    values: ReadonlyArray<string | number>,
  ): Promise<Execution> {
    const started = this.now();
    const startOutput = await this.withRetry("StartQueryExecution", () =>
      this.options.athena.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          QueryExecutionContext: { Database: this.options.database, Catalog: this.catalog },
          WorkGroup: this.options.workGroup,
          ...(this.options.outputLocation
            ? { ResultConfiguration: { OutputLocation: this.options.outputLocation } }
            : {}),
          // The API rejects an empty list: omit it when the statement has no placeholders.
          ...(values.length > 0 ? { ExecutionParameters: values.map(athenaLiteral) } : {}),
        }),
      ),
    );
    const queryId = startOutput.QueryExecutionId;
    if (!queryId) throw new QueryFailedError(label, "Athena returned no QueryExecutionId");

    let delay = this.pollMinMs;
    for (;;) {
      const output = await this.withRetry("GetQueryExecution", () =>
        this.options.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })),
      );
      const status = output.QueryExecution?.Status;
      const state = status?.State;
      const bytesScanned = output.QueryExecution?.Statistics?.DataScannedInBytes ?? 0;
      const elapsedMs = this.now() - started;
      const facts = { queryName: label, queryId, state, elapsedMs, bytesScanned };
      if (state === "SUCCEEDED") {
        this.options.logger?.info("athena query finished", facts);
        return { queryId, bytesScanned, elapsedMs };
      }
      if (state === "FAILED" || state === "CANCELLED") {
        this.options.logger?.warn("athena query did not succeed", facts);
        throw new QueryFailedError(
          label,
          `${state}: ${status?.StateChangeReason ?? "Athena gave no reason"} (query id ${queryId})`,
          { queryId },
        );
      }
      if (elapsedMs >= this.timeoutMs) {
        this.options.logger?.warn("athena query timed out; stopping it", facts);
        await this.withRetry("StopQueryExecution", () =>
          this.options.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId })),
        ).catch((error: unknown) =>
          this.options.logger?.warn("could not stop the timed-out query", {
            queryId,
            error: errorMessage(error),
          }),
        );
        throw new QueryTimeoutError(
          label,
          `still ${state ?? "pending"} after ${elapsedMs} ms (limit ${this.timeoutMs} ms); stopped (query id ${queryId})`,
          { queryId },
        );
      }
      await this.sleep(Math.min(delay, this.timeoutMs - elapsedMs));
      delay = Math.min(delay * 2, this.pollMaxMs);
    }
  }

  private async ddl(label: string, statement: string): Promise<void> {
    await this.execute(label, statement, []);
  }

  /** Pages through the results (1000 rows a call), dropping the header row once. */
  private async fetchRows<R extends z.ZodObject>(
    q: QueryDefinition<z.ZodObject, R>,
    queryId: string,
  ): Promise<Array<z.output<R>>> {
    const rows: Array<z.output<R>> = [];
    let columns: string[] | undefined;
    let nextToken: string | undefined;
    let firstPage = true;
    do {
      const token = nextToken;
      const page: GetQueryResultsCommandOutput = await this.withRetry("GetQueryResults", () =>
        this.options.athena.send(
          new GetQueryResultsCommand({ QueryExecutionId: queryId, MaxResults: PAGE_SIZE, NextToken: token }),
        ),
      );
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c, i) => c.Name ?? `_col${i}`);
      if (!columns) throw new QueryFailedError(q.name, "Athena returned no column metadata", { queryId });
      // For a SELECT, the first row of the first page repeats the column names.
      const data = (page.ResultSet?.Rows ?? []).slice(firstPage ? 1 : 0);
      firstPage = false;
      for (const row of data) {
        const cells = row.Data ?? [];
        const record: Record<string, string | null> = {};
        columns.forEach((name, i) => {
          record[name] = cells[i]?.VarCharValue ?? null;
        });
        const parsed = q.row.safeParse(record);
        if (!parsed.success) {
          throw new QueryFailedError(
            q.name,
            `row ${rows.length} does not match the row schema: ${parsed.error.message} (query id ${queryId})`,
            { queryId },
          );
        }
        rows.push(parsed.data as z.output<R>);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }

  /** INSERT INTO reports how many rows it wrote as the result's UpdateCount. */
  private async updateCount(label: string, queryId: string): Promise<number> {
    const output = await this.withRetry("GetQueryResults", () =>
      this.options.athena.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, MaxResults: 1 })),
    );
    if (output.UpdateCount === undefined) {
      this.options.logger?.warn("INSERT INTO reported no row count", { queryName: label, queryId });
      return 0;
    }
    return Number(output.UpdateCount);
  }

  /**
   * The target's column types and partition keys from the catalog, checked against the query:
   * every row-schema column must exist, partition keys must match in order, and partitions
   * must be registered (projection would ignore the locations this engine sets).
   */
  private async tableLayout(q: QueryDefinition, table: string): Promise<TableLayout> {
    let metadata: GetTableMetadataCommandOutput;
    try {
      metadata = await this.withRetry("GetTableMetadata", () =>
        this.options.athena.send(
          new GetTableMetadataCommand({
            CatalogName: this.catalog,
            DatabaseName: this.options.database,
            TableName: table,
          }),
        ),
      );
    } catch (error) {
      throw new QueryFailedError(
        q.name,
        `cannot read table ${this.options.database}.${table} from the catalog: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    const tableMetadata = metadata.TableMetadata;
    const partitionKeys = (tableMetadata?.PartitionKeys ?? []).map((k) => (k.Name ?? "").toLowerCase());
    if (partitionKeys.join() !== q.partitionedBy.join()) {
      throw new QueryFailedError(
        q.name,
        `table ${table} is partitioned by (${partitionKeys.join(", ")}) but the query by (${q.partitionedBy.join(", ")})`,
      );
    }
    if (tableMetadata?.Parameters?.["projection.enabled"]?.toLowerCase() === "true") {
      throw new QueryFailedError(
        q.name,
        `table ${table} uses partition projection, which ignores registered partition locations; ` +
          "a materialised table must register its partitions",
      );
    }
    const types = new Map(
      (tableMetadata?.Columns ?? []).map((c) => [(c.Name ?? "").toLowerCase(), (c.Type ?? "").toLowerCase()]),
    );
    const columns = Object.keys(q.row.shape)
      .filter((name) => !q.partitionedBy.includes(name))
      .map((name) => {
        checkPattern(IDENTIFIER, name, `query ${q.name}: column name`);
        const type = types.get(name);
        if (!type) throw new QueryFailedError(q.name, `table ${table} has no column ${name}`);
        checkPattern(HIVE_TYPE, type, `table ${table}: type of ${name}`);
        return { name, type };
      });
    return { columns, partitionKeys };
  }

  /** After a failed INSERT, its partial files are never referenced; remove them now, best effort. */
  private async removeRunFolders(
    prefix: string,
    keys: ReadonlyArray<string>,
    partitions: ReadonlyArray<string[]>,
    runId: string,
  ): Promise<void> {
    try {
      for (const p of partitions) {
        await this.lake.delete(await this.lake.list(`${prefix}/${partitionPath(keys, p)}/run=${runId}/`));
      }
    } catch (error) {
      this.options.logger?.warn("could not remove a failed run's files; the next run removes them", {
        runId,
        error: errorMessage(error),
      });
    }
  }

  /** Retries calls Athena throttles (quota per second, active-query quota) with capped backoff. */
  private async withRetry<T>(call: string, op: () => Promise<T>): Promise<T> {
    let delay = this.pollMinMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (error) {
        const name = error instanceof Error ? error.name : "";
        if (!THROTTLED.has(name) || attempt >= this.maxAttempts) throw error;
        this.options.logger?.warn("athena throttled the call; retrying", { call, attempt, delayMs: delay });
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.pollMaxMs);
      }
    }
  }
}

function checkPattern(pattern: RegExp, value: string, what: string): void {
  if (!pattern.test(value)) throw new Error(`${what} ${JSON.stringify(value)} does not match ${pattern}`);
}

/** A target partition as its values in the query's partition-column order, validated. */
function partitionValues(
  queryName: string,
  keys: ReadonlyArray<string>,
  partition: Readonly<Record<string, string>>,
): string[] {
  const given = Object.keys(partition).sort().join();
  if (given !== [...keys].sort().join()) {
    throw new Error(
      `materialize ${queryName}: partition ${JSON.stringify(partition)} must name exactly ${keys.join(", ")}`,
    );
  }
  return keys.map((k) => {
    const value = partition[k] ?? "";
    checkPattern(PARTITION_VALUE, value, `materialize ${queryName}: partition value ${k}`);
    return value;
  });
}

function partitionPath(keys: ReadonlyArray<string>, values: ReadonlyArray<string>): string {
  return keys.map((k, i) => `${k}=${values[i]}`).join("/");
}

function chunked<T>(items: ReadonlyArray<T>, size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
