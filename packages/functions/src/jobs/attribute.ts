import { gzipSync } from "node:zlib";
import {
  attributeDayOfPlaces,
  attributionPlaces,
  buildDaySummary,
  DATASETS,
  type DaySummary,
  type DayWindow,
  dayPlaces,
  dayWindow,
  listPricePlaceholderWarning,
  noCurWarning,
  type Place,
  type PriceOverrides,
  partitionPrefix,
  pricesFor,
  type QueryEngine,
  type RegionPrices,
  type ResultRow,
  recommendDays,
} from "@flowcost/core";
import { z } from "zod";
import { s3InventoryReader } from "../adapters/s3-inventory-reader.ts";
import type { S3Lake } from "../adapters/s3-lake.ts";
import { s3ResultsStore } from "../adapters/s3-results-store.ts";
import { config } from "../shared/config.ts";
import { athenaEngine, s3Lake } from "../shared/engine.ts";
import { logger } from "../shared/logger.ts";
import { ScheduledEvent, withJob } from "../shared/middleware.ts";

export const AttributeEvent = ScheduledEvent.extend({
  /**
   * `daily`: the last complete UTC day; `hourly` (infra/jobs.ts calls it `provisional`): the day so
   * far, provisional until the daily run replaces it. Default daily.
   */
  mode: z
    .enum(["daily", "hourly", "provisional"])
    .default("daily")
    .transform((mode) => (mode === "provisional" ? "hourly" : mode)),
});

/** The day a run at `time` attributes: never an implicit now, always the event's own time. */
export function attributionDay(time: string, mode: "daily" | "hourly"): DayWindow {
  const at = Date.parse(time) / 1000;
  // Hourly runs redo the current day with the hour that just closed; daily runs close yesterday.
  return dayWindow(mode === "daily" ? at - 86400 : at - 3600);
}

/**
 * The columns of `queries/ddl/athena/results_daily.sql`, in its order, without the `dt` partition
 * (the folder carries it). A unit test checks them against the local engine's table.
 */
export const RESULTS_DAILY_COLUMNS = [
  "category",
  "subcategory",
  "src_kind",
  "src_namespace",
  "src_workload_kind",
  "src_workload",
  "src_ip",
  "src_az_id",
  "src_node",
  "src_resource",
  "dst_kind",
  "dst_namespace",
  "dst_workload_kind",
  "dst_workload",
  "dst_ip",
  "dst_az_id",
  "dst_node",
  "dst_resource",
  "service",
  "load_balancer",
  "nat_gateway",
  "confidence",
  "bytes",
  "list_cost_usd",
  "billed_cost_usd",
  "cost_basis",
  "account_id",
  "region",
] as const satisfies ReadonlyArray<keyof ResultRow>;

/** The one object a day's results live in, under `results/daily/dt=YYYY-MM-DD/`. */
export const RESULTS_OBJECT = "rows.json.gz";

/**
 * A day's rows as the results_daily table reads them: gzip JSON lines, one object per row with
 * exactly the table's columns (nulls kept, so every line has every key).
 */
export function resultsDailyBody(rows: ReadonlyArray<ResultRow>): Uint8Array {
  const lines = rows.map((row) =>
    JSON.stringify(Object.fromEntries(RESULTS_DAILY_COLUMNS.map((column) => [column, row[column] ?? null]))),
  );
  return gzipSync(lines.length === 0 ? "" : `${lines.join("\n")}\n`);
}

/** The part of the lake the results_daily writer needs. */
export interface ResultsDailyStore {
  list(prefix: string): Promise<string[]>;
  delete(keys: ReadonlyArray<string>): Promise<void>;
  put(key: string, body: Uint8Array): Promise<void>;
}

/**
 * Replaces a day's results: one PUT of the day's object (S3 replaces an object whole, so a reader
 * sees the old day or the new one), then every other key under the day's prefix is deleted (left
 * by an older layout or an interrupted run). Idempotent: a re-run writes the same key.
 */
export async function writeResultsDaily(
  store: ResultsDailyStore,
  dt: string,
  rows: ReadonlyArray<ResultRow>,
): Promise<number> {
  const prefix = partitionPrefix("resultsDaily", { dt });
  const key = `${prefix}${RESULTS_OBJECT}`;
  await store.put(key, resultsDailyBody(rows));
  await store.delete((await store.list(prefix)).filter((k) => k !== key));
  return rows.length;
}

/** The lake bucket as a results_daily store. */
export function s3ResultsDailyStore(lake: Pick<S3Lake, "list" | "delete" | "putBytes">): ResultsDailyStore {
  return {
    list: (prefix) => lake.list(prefix),
    delete: (keys) => lake.delete(keys),
    // No Content-Encoding: the bytes are the gzip file Athena decompresses by its `.gz` name.
    put: (key, body) => lake.putBytes(key, body, { contentType: "application/x-ndjson" }),
  };
}

/** What one attribute run needs: the engine, the lake bucket and the configured prices. */
export interface AttributeRunDeps {
  readonly engine: QueryEngine;
  readonly lake: Pick<S3Lake, "list" | "listObjects" | "listFolders" | "getBytes" | "putBytes" | "delete">;
  /** The deployment's Region: prices a day without flows (its CUR lines are then unattributed). */
  readonly region: string;
  /** List-price overrides by Region (FLOWCOST_PRICES). */
  readonly prices: PriceOverrides;
}

/**
 * One attribute run: the day's accounts and Regions from its curated flows, each attributed,
 * priced at its Region's prices (the built-in table with FLOWCOST_PRICES) and reconciled to its
 * own account's CUR lines in its Region when there are several (an Organization's central flow-log
 * bucket, a payer's CUR); then results/daily, the day's document and its recommendations.
 */
export async function runAttribute(deps: AttributeRunDeps, event: z.output<typeof AttributeEvent>) {
  const day = attributionDay(event.time, event.mode);
  // Records without an account id (`unknown` on ENIs AWS services create) join their Region's account.
  const places = attributionPlaces(
    (await deps.engine.query(dayPlaces, { dt: day.dt })).rows.map((r) => ({
      accountId: r.account_id,
      region: r.region,
    })),
  ).map((p) => p.place);
  const pricesOf = (region: string) => pricesFor(region, deps.prices);
  const store = s3ResultsDailyStore(deps.lake);
  const result = await attributeDayOfPlaces(
    {
      engine: deps.engine,
      pricesOf,
      // Without CUR lines for the day the reconciliation falls back to estimates by itself.
      hasCur: true,
      writeResults: (dt, rows) => writeResultsDaily(store, dt, rows),
    },
    day,
    places,
    deps.region,
  );
  // The day document the API, reports and alerts read: written after results/daily, in one PUT.
  // Account and Region are the day's when it holds one of each (each row names its own otherwise).
  const [only] = places.length === 1 ? places : [];
  const region = places[0]?.region ?? deps.region;
  await s3ResultsStore(deps.lake).writeDay(
    buildDaySummary({
      reconciliation: result.reconciliation,
      region: only?.region ?? (places.length === 0 ? deps.region : undefined),
      ...(only?.accountId ? { account: only.accountId } : {}),
      warnings: dayWarnings(day.dt, result.reconciliation.costBasis, places, deps.region, pricesOf),
    }),
  );
  // The day's recommendations, written to results/recommendations/dt= for the API and reports. The
  // measured time is the day (daily) or the day so far (provisional runs).
  const to =
    event.mode === "daily"
      ? day.end
      : Math.min(day.end, Math.floor(Date.parse(event.time) / 1000 / 3600) * 3600);
  const recommended = await recommendDays(
    {
      engine: deps.engine,
      inventory: s3InventoryReader(deps.lake),
      store: s3ResultsStore(deps.lake),
      region,
      prices: pricesOf(region),
      pricesFor: pricesOf,
    },
    [{ dt: day.dt, rows: [...result.reconciliation.rows], from: day.start, to }],
  );
  return { day, places, result, recommended };
}

/**
 * The day document's warnings: a day no CUR line covers (estimates), and each Region whose prices
 * include us-east-1's stand-ins (named, with where to set them).
 */
export function dayWarnings(
  dt: string,
  costBasis: "billed" | "estimated",
  places: ReadonlyArray<Place>,
  fallbackRegion: string,
  pricesOf: (region: string) => RegionPrices,
): DaySummary["warnings"] {
  const regions = [...new Set(places.length === 0 ? [fallbackRegion] : places.map((p) => p.region))].sort();
  return [
    ...(costBasis === "estimated" ? [noCurWarning(dt)] : []),
    ...regions.flatMap((region) => {
      const { placeholders } = pricesOf(region);
      return placeholders.length === 0
        ? []
        : [listPricePlaceholderWarning(region, placeholders, costBasis === "billed", "in FLOWCOST_PRICES")];
    }),
  ];
}

export const handler = withJob(AttributeEvent, (event) => {
  const day = attributionDay(event.time, event.mode);
  return { window: day.dt, partition: `${DATASETS.resultsDaily}/dt=${day.dt}` };
}).handler(async (event) => {
  const { day, places, result, recommended } = await runAttribute(
    { engine: athenaEngine(), lake: s3Lake(), region: config().region, prices: config().prices },
    event,
  );
  // An inventory file the recommendations could not read was left out (an earlier one read):
  // said in the log, by key, so it does not pass unseen.
  for (const f of recommended.skipped) logger.warn("inventory file skipped", { ...f });
  logger.info("attribute finished", {
    places: places.map((p) => `${p.accountId}/${p.region}`),
    recommendations: recommended.recommendations.filter((r) => r.status === "recommended").length,
    mode: event.mode,
    costBasis: result.reconciliation.costBasis,
    rowsWritten: result.rowsWritten,
    billedCents: result.reconciliation.billedCents,
    unattributedCents: result.reconciliation.unattributedCents,
  });
  return { dt: day.dt, costBasis: result.reconciliation.costBasis, rowsWritten: result.rowsWritten };
});
