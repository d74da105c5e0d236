import {
  ALL_PLACES,
  type AttributeDayResult,
  attributeDayOfPlaces,
  DATASETS,
  type DayWindow,
  type Place,
  type PriceOverrides,
  pricesFor,
  type ResultRow,
} from "@flowcost/core";
import { defineCurView, usableCurFiles } from "../engine/cur.ts";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";
import { findCurFiles } from "../lake/cur-files.ts";
import type { SkippedInput } from "../lake/skipped-inputs.ts";

/**
 * DuckDB's share of the configured memory limit while it attributes a day and writes the
 * results: the rest is for Node, which holds the day's result rows for reconciliation and the
 * day's results document, and for what DuckDB's allocator keeps beyond its own limit. At the
 * full limit the attribution query alone took the process to 1,007 MiB under a 1 GB limit
 * (6.4M records, 112,629 result rows); at 0.5 it peaked at 730 MiB and the allocator handed
 * the memory back after the query.
 */
const ATTRIBUTION_MEMORY_SHARE = 0.5;

/**
 * The least of DuckDB's share each attribution thread needs: on 1.61M records (0.42M compacted
 * rows) two threads ran out of memory at 122 and 143 MiB, one thread finished at 122 MiB.
 */
const ATTRIBUTION_LEAST_PER_THREAD = 96 * 2 ** 20;

/** A day's attribution as the local run keeps it, with the day's rows in one array. */
export interface AttributeJobResult extends AttributeDayResult {
  /** The day's rows with billed dollars (or estimates) and the `unattributed` rows, as written. */
  readonly rows: ResultRow[];
  /** CUR files of the day's billing period that could not be used, each left out by name. */
  readonly skipped: ReadonlyArray<SkippedInput>;
}

/** The lake's CUR files for the day's billing period that can be read (the rest skipped, named). */
async function dayCurFiles(engine: DuckDbEngine, day: DayWindow, lakeDir: string | undefined) {
  const found = lakeDir
    ? (await findCurFiles(lakeDir)).filter((f) => f.billingPeriod === day.dt.slice(0, 7))
    : [];
  return usableCurFiles(engine, found);
}

/**
 * attribute for one day: every category at list price, reconciled to the CUR when the lake holds
 * an export for the day's month, written to results/daily/dt= (replaced whole).
 */
export function attributeDay(
  engine: DuckDbEngine,
  day: DayWindow,
  region: string,
  /** The lake folder, for its CUR export; without one the dollars are estimates. */
  lakeDir?: string,
  /** List-price overrides from the configuration (docs/pricing.md). */
  prices: PriceOverrides = {},
): Promise<AttributeJobResult> {
  // One place: every flow and every CUR line of the day, at the Region's prices.
  return attributeDayByPlace(engine, day, [{ accountId: ALL_PLACES, region }], lakeDir, prices);
}

/**
 * attribute for one day of a lake holding several accounts or Regions (an Organization's central
 * flow-log bucket): core's per-place attribution when there are several (each account and Region
 * attributed on its own flows, priced at its Region's prices, reconciled to its own CUR lines; a
 * payer's export holds every linked account's), the rows tagged with `account_id` and `region`
 * and written once. One place is attributed whole at its Region's prices.
 */
export async function attributeDayByPlace(
  engine: DuckDbEngine,
  day: DayWindow,
  places: ReadonlyArray<Place>,
  lakeDir?: string,
  prices: PriceOverrides = {},
): Promise<AttributeJobResult> {
  const { usable: curFiles, skipped } = await dayCurFiles(engine, day, lakeDir);
  await defineCurView(engine, curFiles);
  const result = await engine.memory.withShare(
    ATTRIBUTION_MEMORY_SHARE,
    () =>
      attributeDayOfPlaces(
        {
          engine,
          pricesOf: (region) => pricesFor(region, prices),
          hasCur: curFiles.length > 0,
          writeResults: (dt, rows) =>
            engine.partitions.writeRows("results_daily", DATASETS.resultsDaily, { dt }, rows),
        },
        day,
        places,
        places[0]?.region ?? "us-east-1",
      ),
    // The day's results partition is replaced whole, so a retry on one thread leaves nothing behind.
    { leastPerThread: ATTRIBUTION_LEAST_PER_THREAD, oneThreadRetry: true },
  );
  return {
    ...result,
    rows: [...result.reconciliation.rows, ...result.reconciliation.unattributed],
    skipped,
  };
}
