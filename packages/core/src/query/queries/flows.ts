import { z } from "zod";
import { col, defineQuery } from "../catalog.ts";
import { dt, epochSeconds } from "./params.ts";

/** `raw_flow_logs.day` values, `YYYY/MM/DD` (the default layout's projection format). */
const rawDay = z.string().regex(/^\d{4}\/\d{2}\/\d{2}$/, "a raw flow-log day, YYYY/MM/DD");

/** Booleans: DuckDB returns true/false, Athena the strings 'true'/'false'. */
const bool = z.union([z.boolean(), z.enum(["true", "false"])]).transform((v) => v === true || v === "true");

/**
 * Queries over raw and curated flow logs (`queries/flows/`).
 *
 * compact_flows covers a window of whole hours and puts each row in its minute's hour
 * partition: Athena runs it per hour, the local engine over a whole run in one pass.
 */
export const compactFlows = defineQuery({
  name: "compact_flows",
  area: "flows",
  params: z.object({
    dayFrom: rawDay,
    dayTo: rawDay,
    windowStart: epochSeconds,
    windowEnd: epochSeconds,
  }),
  paramOrder: ["dayFrom", "dayTo", "windowStart", "windowEnd"],
  row: z.object({
    account_id: col.nullableString,
    region: col.nullableString,
    vpc_id: col.nullableString,
    interface_id: col.nullableString,
    az_id: col.nullableString,
    flow_direction: col.nullableString,
    direction_inferred: bool,
    srcaddr: col.nullableString,
    dstaddr: col.nullableString,
    pkt_srcaddr: col.nullableString,
    pkt_dstaddr: col.nullableString,
    pkt_src_aws_service: col.nullableString,
    pkt_dst_aws_service: col.nullableString,
    traffic_path: col.nullableInt,
    protocol: col.nullableInt,
    service_port: col.nullableInt,
    client_port: col.nullableInt,
    action: col.nullableString,
    minute: col.int,
    first_start: col.int,
    last_end: col.int,
    bytes: col.int,
    packets: col.nullableInt,
    records: col.int,
    dt: col.string,
    hour: col.string,
  }),
  partitionedBy: ["dt", "hour"],
});

/**
 * compact_flows for local runs whose every format logs flow-direction: the same rows without
 * the direction inference, so the groups stream into the write, plus the ledger's per-object
 * status counts from the same scan, in a partition of their own (dt =
 * RAW_FLOW_STATUS_PARTITION.dt), which the engine takes out before publishing. DuckDB only:
 * Athena compacts an hour with compact_flows and counts the ledger with its own queries.
 * A large run compacts in `passes` scans, pass `pass` aggregating the groups whose ENI hashes
 * to it (the status rows come from pass 0 alone); `passes: 1, pass: 0` is the one scan.
 */
export const compactFlowsDirected = defineQuery({
  ...compactFlows,
  name: "compact_flows_directed",
  params: compactFlows.params.extend({
    passes: z.number().int().min(1),
    pass: z.number().int().min(0),
  }),
  paramOrder: [
    "dayFrom",
    "dayTo",
    "pass",
    "passes",
    "pass",
    "windowStart",
    "windowEnd",
    "passes",
    "passes",
    "pass",
    "pass",
  ],
  engineSpecific: ["duckdb"],
  engines: ["duckdb"],
});

/** Where compact_flows_directed's local file puts the status rows (never a curated partition). */
export const RAW_FLOW_STATUS_PARTITION = { dt: "raw_flow_status", hour: "all" } as const;

/**
 * Per flow-log object: records read by the table, and how many are traffic, NODATA, SKIPDATA,
 * and OK records with an impossible number (number_range).
 * Athena names the object with `"$path"`, the local engine with its `source_file` column.
 */
export const flowLedger = defineQuery({
  name: "flow_ledger",
  area: "flows",
  params: z.object({ dayFrom: rawDay, dayTo: rawDay }),
  paramOrder: ["dayFrom", "dayTo"],
  row: z.object({
    file: col.string,
    records: col.int,
    used: col.int,
    nodata: col.int,
    skipdata: col.int,
    /** OK records with an impossible number (FLOW_NUMBER_LIMITS): rejected, never traffic. */
    number_range: col.int,
  }),
  engineSpecific: ["athena", "duckdb"],
});

/** SKIPDATA records per ENI and window: data gaps, reported, never summed as traffic. */
export const flowDataGaps = defineQuery({
  name: "flow_data_gaps",
  area: "flows",
  params: z.object({ dayFrom: rawDay, dayTo: rawDay }),
  paramOrder: ["dayFrom", "dayTo"],
  row: z.object({
    file: col.string,
    interface_id: col.nullableString,
    start: col.nullableInt,
    end: col.nullableInt,
  }),
  engineSpecific: ["athena", "duckdb"],
});

/**
 * The accounts and Regions of one day's curated flows (`queries/flows/day_places.sql`): the
 * attribute job attributes, prices and reconciles each on its own.
 */
export const dayPlaces = defineQuery({
  name: "day_places",
  area: "flows",
  params: z.object({ dt }),
  paramOrder: ["dt"],
  row: z.object({ account_id: col.string, region: col.string, bytes: col.int }),
});
