import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { FLOW_NUMBER_LIMITS, RAW_FLOW_STATUS_PARTITION } from "@flowcost/core";
import { readRows } from "./duckdb-start.ts";
import type { StagedResult } from "./partition-writer.ts";
import type { RejectedLines } from "./rejected-lines.ts";
import { globUnder, ident } from "./sql-text.ts";

/**
 * compact_flows' number limits (core FLOW_NUMBER_LIMITS) for the view this class defines when the
 * ledger is counted apart from compaction: an OK record outside them is booked as number_range
 * (status 'NUMBER_RANGE'), as the query files do.
 */
const NUMBER_RANGE_OK = Object.entries(FLOW_NUMBER_LIMITS)
  .map(([field, { min, max }]) => `coalesce(${ident(field)}, 0) BETWEEN ${min} AND ${max}`)
  .join(" AND ");

/**
 * `raw_flow_status`: the raw records counted per object, day, log status and whether they are
 * traffic, with SKIPDATA records kept apart (their ENI and window are data gaps), and the
 * first and last `start` per group. The ledger queries read it. By default a view (each query
 * scans the objects); `materialize` scans once into a small table instead, and `adopt` takes
 * the counts compact_flows_directed made in its own scan.
 */
export class RawFlowStatus {
  private kind: "view" | "table" | undefined;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly rejects: Pick<RejectedLines, "skip">,
  ) {}

  /** The default: a view over `raw_flow_logs` (redefined with it). */
  defineView(): Promise<void> {
    return this.define("view");
  }

  /**
   * Scans the raw objects once into the `raw_flow_status` table. Its rejected lines are marked as
   * booked unless `keepRejects` leaves them for the caller to book (see compactFlowLogs).
   */
  async materialize(options: { keepRejects?: boolean } = {}): Promise<void> {
    await this.connection.run("SET preserve_insertion_order = false");
    try {
      await this.define("table");
    } finally {
      await this.connection.run("RESET preserve_insertion_order");
    }
    if (!options.keepRejects) await this.rejects.skip();
  }

  /**
   * Takes compact_flows_directed's status rows out of a staged result into the `raw_flow_status`
   * table (the ledger's per-object counts, from the compaction scan itself) and returns the
   * staged result without them. The column mapping is the one its SQL file's header gives.
   * Without status rows (no record read), the counts come from a scan as before.
   */
  async adopt(staged: StagedResult): Promise<StagedResult> {
    const rel = `dt=${RAW_FLOW_STATUS_PARTITION.dt}/hour=${RAW_FLOW_STATUS_PARTITION.hour}`;
    if (!staged.rows.has(rel)) {
      await this.materialize();
      return staged;
    }
    const dir = join(staged.staged, `dt=${RAW_FLOW_STATUS_PARTITION.dt}`);
    await this.drop();
    await this.connection.run(
      `CREATE TABLE raw_flow_status AS SELECT
         account_id AS source_file, region AS day, action AS log_status, direction_inferred AS traffic,
         interface_id AS gap_interface_id,
         CASE WHEN action = 'SKIPDATA' THEN first_start END AS gap_start,
         CASE WHEN action = 'SKIPDATA' THEN last_end END AS gap_end,
         records, first_start, minute AS last_start
       FROM read_parquet(${globUnder(dir, "*/*.parquet")})`,
    );
    this.kind = "table";
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
  async spans(): Promise<Map<string, { first: number; last: number }>> {
    const rows = await readRows(
      this.connection,
      `SELECT source_file, min(first_start) AS first, max(last_start) AS last FROM raw_flow_status
       WHERE traffic AND first_start IS NOT NULL GROUP BY source_file`,
    );
    return new Map(
      rows.map((r) => [String(r.source_file), { first: Number(r.first), last: Number(r.last) }]),
    );
  }

  private async drop(): Promise<void> {
    if (this.kind === "table") await this.connection.run("DROP TABLE IF EXISTS raw_flow_status");
    else if (this.kind === "view") await this.connection.run("DROP VIEW IF EXISTS raw_flow_status");
  }

  private async define(kind: "view" | "table"): Promise<void> {
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
    await this.drop();
    await this.connection.run(`CREATE ${kind === "view" ? "VIEW" : "TABLE"} raw_flow_status AS ${body}`);
    this.kind = kind;
  }
}
