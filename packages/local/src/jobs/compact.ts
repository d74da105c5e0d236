import { compactFlows, DATASETS, type HourWindow, rawFlowLogDay } from "@flowcost/core";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";

/** compact-flows for one hour: raw records -> curated/flows/dt=/hour= (replaced whole). */
export async function compactHour(engine: DuckDbEngine, window: HourWindow) {
  // Records of an hour can sit in the next day's folder (objects are filed by `end`).
  const nextDay = new Date((window.end + 60) * 1000).toISOString().slice(0, 10);
  return engine.materialize(
    compactFlows,
    {
      dt: window.dt,
      hour: window.hour,
      dayFrom: rawFlowLogDay(window.dt),
      dayTo: rawFlowLogDay(nextDay),
      windowStart: window.start,
      windowEnd: window.end,
    },
    {
      table: "curated_flows",
      prefix: DATASETS.curatedFlows,
      partitions: [{ dt: window.dt, hour: window.hour }],
    },
  );
}
