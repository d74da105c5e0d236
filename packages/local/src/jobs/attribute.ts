import {
  type AttributeDayResult,
  attributeAndReconcileDay,
  DATASETS,
  type DayWindow,
  type PriceOverrides,
  pricesFor,
  type ResultRow,
} from "@flowcost/core";
import { defineCurView } from "../engine/cur.ts";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";
import { findCurFiles } from "../lake/cur-files.ts";

export interface AttributeJobResult extends AttributeDayResult {
  /** The day's rows with billed dollars (or estimates) and the `unattributed` rows, as written. */
  readonly rows: ResultRow[];
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
  const curFiles = lakeDir
    ? (await findCurFiles(lakeDir)).filter((f) => f.billingPeriod === day.dt.slice(0, 7))
    : [];
  await defineCurView(engine, curFiles);
  const result = await attributeAndReconcileDay(
    {
      engine,
      prices: pricesFor(region, prices),
      hasCur: curFiles.length > 0,
      writeResults: (dt, rows) =>
        engine.partitions.writeRows("results_daily", DATASETS.resultsDaily, { dt }, rows),
    },
    day,
  );
  return { ...result, rows: [...result.reconciliation.rows, ...result.reconciliation.unattributed] };
}
