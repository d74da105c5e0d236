import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  errorMessage,
  type MaterializeResult,
  type MaterializeTarget,
  orderedParams,
  type QueryDefinition,
  type QueryEngine,
  QueryFailedError,
  type QueryResult,
  type SqlLoader,
} from "@flowcost/core";
import type { z } from "zod";
import type { RunTransaction } from "../lake/run-transaction.ts";
import { CuratedViews } from "./curated-views.ts";
import { type DuckDbEngineOptions, readRows, startDuckDb } from "./duckdb-start.ts";
import { csvBufferBytes, MemoryShares } from "./memory-share.ts";
import { PartitionWriter } from "./partition-writer.ts";
import { RawFlowLogs } from "./raw-flow-logs.ts";
import { RawFlowStatus } from "./raw-flow-status.ts";
import { RejectedLines } from "./rejected-lines.ts";
import { localSqlLoader } from "./sql-files.ts";

export type { DuckDbEngineOptions } from "./duckdb-start.ts";

export interface LakeEngineOptions extends DuckDbEngineOptions {
  /**
   * The run the engine writes for: its partitions are staged in the run and published when the
   * run commits, and the views read them meanwhile. Without one, each write is published at once.
   */
  readonly run?: RunTransaction;
}
export { parseMemoryLimit } from "./memory-share.ts";
export type { StagedResult } from "./partition-writer.ts";
export type { RawFlowLogLoad } from "./raw-flow-logs.ts";
export type { BookedRejects } from "./rejected-lines.ts";

/**
 * The embedded engine: DuckDB over a local folder in the lake layout, with views named as the
 * Athena catalog names its tables. It does what the `QueryEngine` port promises (`query`,
 * `materialize`); the local jobs' other work is done by the parts it holds, each in a file
 * named for its job:
 * - `rawFlowLogs` (raw-flow-logs.ts): the `raw_flow_logs` view over a run's objects;
 * - `rawFlowStatus` (raw-flow-status.ts): the ledger's per-object counts;
 * - `rejects` (rejected-lines.ts): lines `read_csv` rejected, booked per object;
 * - `partitions` (partition-writer.ts): staging and publishing curated partitions;
 * - `curated` (curated-views.ts): the views over the curated datasets;
 * - `memory` (memory-share.ts): DuckDB's share of the memory limit;
 * and unreadable-objects.ts finds the objects DuckDB cannot read at all. Any setup failure
 * throws: a local engine that quietly skips a macro or a view would drift from Athena (A6).
 */
export class DuckDbEngine implements QueryEngine {
  readonly name = "duckdb" as const;
  readonly rawFlowLogs: RawFlowLogs;
  readonly rawFlowStatus: RawFlowStatus;
  readonly rejects: RejectedLines;
  readonly partitions: PartitionWriter;
  readonly curated: CuratedViews;
  readonly memory: MemoryShares;
  private readonly loadSql: SqlLoader;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    options: LakeEngineOptions,
  ) {
    this.loadSql = localSqlLoader(options.queriesDir);
    this.curated = new CuratedViews(connection, options.lakeDir, options.run);
    this.memory = new MemoryShares(connection, options.memoryLimit ?? "1GB", options.threads ?? 2);
    this.partitions = new PartitionWriter(connection, options, this.loadSql, this.curated, this.memory);
    this.rawFlowLogs = new RawFlowLogs(
      connection,
      options.lakeDir,
      () => this.rawFlowStatus.defineView(),
      csvBufferBytes(options.memoryLimit ?? "1GB"),
    );
    this.rejects = new RejectedLines(connection, this.rawFlowLogs);
    this.rawFlowStatus = new RawFlowStatus(connection, this.rejects);
  }

  static async open(options: LakeEngineOptions): Promise<DuckDbEngine> {
    let engine: DuckDbEngine | undefined;
    try {
      const { instance, connection } = await startDuckDb(options);
      engine = new DuckDbEngine(instance, connection, options);
      await engine.rawFlowLogs.define([]);
      await engine.curated.refresh();
    } catch (error) {
      engine?.close();
      throw new Error(`DuckDB engine setup failed: ${errorMessage(error)}`, { cause: error });
    }
    return engine;
  }

  close(): void {
    this.rawFlowLogs.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** Raw SQL for engine-internal work (views, ledgers); never with user-supplied text. */
  run(sql: string): Promise<Array<Record<string, unknown>>> {
    return readRows(this.connection, sql);
  }

  async query<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
  ): Promise<QueryResult<z.output<R>>> {
    const started = performance.now();
    const sql = await this.loadSql(q, "duckdb");
    const values = orderedParams(q, params);
    // The result is read a chunk (2,048 rows) at a time and each row parsed as it arrives, so the
    // process never holds DuckDB's whole result, its value objects and the parsed rows at once.
    const rows: Array<z.output<R>> = [];
    // DuckDB hands every row its own copy of each string; a day's result rows repeat a few
    // thousand names (namespaces, workloads, nodes, AZs) across 100,000 rows, so each is kept once.
    const strings = new Map<string, string>();
    try {
      const prepared = await this.connection.prepare(sql);
      prepared.bind(values);
      const result = await prepared.stream();
      for await (const chunk of result.yieldRowObjects()) {
        for (const row of chunk) {
          const parsed = q.row.safeParse(row);
          if (!parsed.success) {
            throw new QueryFailedError(
              q.name,
              `row ${rows.length} does not match the row schema: ${parsed.error.message}`,
            );
          }
          const data = parsed.data as Record<string, unknown>;
          for (const key in data) {
            const value = data[key];
            if (typeof value !== "string") continue;
            const kept = strings.get(value);
            if (kept === undefined) strings.set(value, value);
            else data[key] = kept;
          }
          rows.push(data as z.output<R>);
        }
      }
    } catch (error) {
      if (error instanceof QueryFailedError) throw error;
      throw new QueryFailedError(q.name, errorMessage(error), { cause: error });
    }
    return { rows, stats: { engine: "duckdb", elapsedMs: performance.now() - started } };
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
    const staged = await this.partitions.stage(q, params);
    const written = await this.partitions.publish(staged, target.prefix, target.partitions);
    return {
      rowsWritten: [...staged.rows.values()].reduce((a, b) => a + b, 0),
      partitionsWritten: written,
      stats: { engine: "duckdb", elapsedMs: staged.elapsedMs },
    };
  }
}
