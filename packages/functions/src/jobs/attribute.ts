import { attributeAndReconcileDay, DATASETS, type DayWindow, dayWindow, pricesFor } from "@flowcost/core";
import { z } from "zod";
import { config } from "../shared/config.ts";
import { athenaEngine, s3Lake } from "../shared/engine.ts";
import { logger } from "../shared/logger.ts";
import { ScheduledEvent, withJob } from "../shared/middleware.ts";

const AttributeEvent = ScheduledEvent.extend({
  /** `daily`: the last complete UTC day; `hourly`: the day so far, provisional (default daily). */
  mode: z.enum(["daily", "hourly"]).default("daily"),
});

/** The day a run at `time` attributes: never an implicit now, always the event's own time. */
export function attributionDay(time: string, mode: "daily" | "hourly"): DayWindow {
  const at = Date.parse(time) / 1000;
  // Hourly runs redo the current day with the hour that just closed; daily runs close yesterday.
  return dayWindow(mode === "daily" ? at - 86400 : at - 3600);
}

export const handler = withJob(AttributeEvent, (event) => {
  const day = attributionDay(event.time, event.mode);
  return { window: day.dt, partition: `${DATASETS.resultsDaily}/dt=${day.dt}` };
}).handler(async (event) => {
  const day = attributionDay(event.time, event.mode);
  const result = await attributeAndReconcileDay(
    {
      engine: athenaEngine(),
      prices: pricesFor(config().region),
      hasCur: true,
      // Node rows carry their instance id (ip_identity.resource_id); see instancesFromRows.
      instanceOfNode: () => undefined,
      writeResults: async (dt, rows) => {
        await s3Lake().replacePrefix(`${DATASETS.resultsDaily}/dt=${dt}/`, [
          { name: "rows.json.gz", value: rows },
        ]);
        return rows.length;
      },
    },
    day,
  );
  logger.info("attribute finished", {
    mode: event.mode,
    costBasis: result.reconciliation.costBasis,
    rowsWritten: result.rowsWritten,
    billedCents: result.reconciliation.billedCents,
    unattributedCents: result.reconciliation.unattributedCents,
  });
  return { dt: day.dt, costBasis: result.reconciliation.costBasis, rowsWritten: result.rowsWritten };
});
