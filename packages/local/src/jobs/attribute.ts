import {
  type AttributeDayResult,
  attributeAndReconcileDay,
  DATASETS,
  type DayWindow,
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

/**
 * A day's attribution as the local run keeps it: the reconciled rows, not the attributed rows
 * they were made from (a second copy of every row of the day, which nothing reads after
 * reconciliation).
 */
export interface AttributeJobResult extends Omit<AttributeDayResult, "attributed"> {
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
export async function attributeDay(
  engine: DuckDbEngine,
  day: DayWindow,
  region: string,
  /** The lake folder, for its CUR export; without one the dollars are estimates. */
  lakeDir?: string,
  /** List-price overrides from the configuration (docs/pricing.md). */
  prices: PriceOverrides = {},
): Promise<AttributeJobResult> {
  const { usable: curFiles, skipped } = await dayCurFiles(engine, day, lakeDir);
  await defineCurView(engine, curFiles);
  const result = await engine.memory.withShare(
    ATTRIBUTION_MEMORY_SHARE,
    () =>
      attributeAndReconcileDay(
        {
          engine,
          prices: pricesFor(region, prices),
          hasCur: curFiles.length > 0,
          writeResults: (dt, rows) =>
            engine.partitions.writeRows("results_daily", DATASETS.resultsDaily, { dt }, rows),
        },
        day,
      ),
    { leastPerThread: ATTRIBUTION_LEAST_PER_THREAD },
  );
  const { attributed: _attributed, ...kept } = result;
  return {
    ...kept,
    rows: [...result.reconciliation.rows, ...result.reconciliation.unattributed],
    skipped,
  };
}

/** One account and Region of a lake that holds several. */
export interface Place {
  readonly accountId: string;
  readonly region: string;
}

/**
 * attribute for one day of a lake holding several accounts or Regions (an Organization's central
 * flow-log bucket): each account and Region is attributed on its own flows, priced at its
 * Region's prices and reconciled to its own CUR lines (a payer's export holds every linked
 * account's); the rows, tagged with `account_id` and `region`, are written once for the day.
 * Each place's day adds up by itself, so the sums do too.
 */
export async function attributeDayByPlace(
  engine: DuckDbEngine,
  day: DayWindow,
  places: ReadonlyArray<Place>,
  lakeDir?: string,
  prices: PriceOverrides = {},
): Promise<AttributeJobResult> {
  const { usable: curFiles, skipped } = await dayCurFiles(engine, day, lakeDir);
  const parts: Array<{ place: Place; result: AttributeDayResult }> = [];
  try {
    for (const place of places) {
      await engine.curated.scopeFlows(place);
      await defineCurView(engine, curFiles, place);
      const result = await engine.memory.withShare(
        ATTRIBUTION_MEMORY_SHARE,
        () =>
          attributeAndReconcileDay(
            {
              engine,
              prices: pricesFor(place.region, prices),
              hasCur: curFiles.length > 0,
              writeResults: async (_dt, rows) => rows.length,
            },
            day,
          ),
        { leastPerThread: ATTRIBUTION_LEAST_PER_THREAD },
      );
      parts.push({ place, result });
    }
  } finally {
    await engine.curated.scopeFlows(undefined);
  }
  const tag = (place: Place) => (r: ResultRow) => ({
    ...r,
    account_id: place.accountId,
    region: place.region,
  });
  const rows = parts.flatMap(({ place, result: r }) => r.reconciliation.rows.map(tag(place)));
  const unattributed = parts.flatMap(({ place, result: r }) => r.reconciliation.unattributed.map(tag(place)));
  const sum = (pick: (r: AttributeDayResult["reconciliation"]) => number) =>
    parts.reduce((s, p) => s + pick(p.result.reconciliation), 0);
  const reconciliation = {
    dt: day.dt,
    costBasis: parts.some((p) => p.result.reconciliation.costBasis === "billed")
      ? ("billed" as const)
      : ("estimated" as const),
    rows,
    unattributed,
    billedCents: sum((r) => r.billedCents),
    allocatedCents: sum((r) => r.allocatedCents),
    unattributedCents: sum((r) => r.unattributedCents),
    // Aligned with `rows`, part by part, as the charge view reads it. Resource ids (instances, NAT
    // gateways, load balancers) are unique across accounts, so the places' lines never merge.
    rowLines: parts.flatMap((p) => p.result.reconciliation.rowLines),
    lines: parts.flatMap((p) => p.result.reconciliation.lines),
  };
  const written = [...rows, ...unattributed];
  const rowsWritten = await engine.partitions.writeRows(
    "results_daily",
    DATASETS.resultsDaily,
    { dt: day.dt },
    written,
  );
  return {
    lines: parts.flatMap((p) => p.result.lines),
    stitching: parts.flatMap((p) => p.result.stitching),
    reconciliation,
    rowsWritten,
    rows: written,
    skipped,
  };
}
