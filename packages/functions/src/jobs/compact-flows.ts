import {
  compactFlows,
  DATASETS,
  type HourWindow,
  hourWindow,
  type MaterializeResult,
  type QueryEngine,
  rawFlowLogDay,
} from "@flowcost/core";
import type { Watermark } from "../adapters/s3-lake.ts";
import { config } from "../shared/config.ts";
import { athenaEngine, s3Lake } from "../shared/engine.ts";
import { logger } from "../shared/logger.ts";
import { ScheduledEvent, withJob } from "../shared/middleware.ts";

const HOUR = 3600;

/** The part of the lake this job needs: its watermark. */
export interface WatermarkStore {
  readWatermark(source: string): Promise<Watermark | undefined>;
  writeWatermark(watermark: Watermark): Promise<void>;
}

/**
 * The hours a run at `scheduledTime` compacts: the previous complete hour and the one before,
 * oldest first. Delivery lags ~10 minutes (aws-facts.md §1.9), so the hour before is redone to
 * pick up late objects; each hour's partition is replaced whole, so redoing it is safe.
 */
export function compactionWindows(scheduledTime: string): HourWindow[] {
  const current = hourWindow(new Date(scheduledTime));
  return [hourWindow(current.start - 2 * HOUR), hourWindow(current.start - HOUR)];
}

/** The same parameters as the local job (packages/local/src/jobs/compact.ts). */
export function compactParams(window: HourWindow) {
  // Records of an hour can sit in the next day's folder (objects are filed by `end`).
  const nextDay = new Date((window.end + 60) * 1000).toISOString().slice(0, 10);
  return {
    dayFrom: rawFlowLogDay(window.dt),
    dayTo: rawFlowLogDay(nextDay),
    windowStart: window.start,
    windowEnd: window.end,
  };
}

/**
 * Compacts each window, oldest first, then moves the watermark. A failure stops the run and
 * throws, leaving the watermark where it was; the watermark never moves backwards.
 */
export async function compactRecentHours(
  deps: { engine: QueryEngine; lake: WatermarkStore; source: string },
  scheduledTime: string,
): Promise<{ windows: HourWindow[]; results: MaterializeResult[]; watermark: Watermark }> {
  const windows = compactionWindows(scheduledTime);
  const results: MaterializeResult[] = [];
  for (const window of windows) {
    results.push(
      await deps.engine.materialize(compactFlows, compactParams(window), {
        table: "curated_flows",
        prefix: DATASETS.curatedFlows,
        partitions: [{ dt: window.dt, hour: window.hour }],
      }),
    );
  }
  const previous = await deps.lake.readWatermark(deps.source);
  const reached = windows[windows.length - 1]?.end ?? 0;
  const watermark: Watermark = {
    source: deps.source,
    completedThrough: Math.max(previous?.completedThrough ?? 0, reached),
    updatedBy: scheduledTime,
  };
  await deps.lake.writeWatermark(watermark);
  return { windows, results, watermark };
}

export const handler = withJob(ScheduledEvent, (event) => {
  const [first, last] = compactionWindows(event.time);
  return {
    window: `${first?.dt}T${first?.hour}:00Z/${last?.dt}T${last?.hour}:59Z`,
    partition: `${DATASETS.curatedFlows}/dt=${last?.dt}/hour=${last?.hour}`,
  };
}).handler(async (event) => {
  const { results, watermark } = await compactRecentHours(
    { engine: athenaEngine(), lake: s3Lake(), source: config().flowLogSource },
    event.time,
  );
  logger.info("compact-flows finished", {
    rowsWritten: results.reduce((sum, r) => sum + r.rowsWritten, 0),
    bytesScanned: results.reduce((sum, r) => sum + (r.stats.bytesScanned ?? 0), 0),
    queryIds: results.map((r) => r.stats.queryId),
    completedThrough: watermark.completedThrough,
  });
  return { completedThrough: watermark.completedThrough };
});
