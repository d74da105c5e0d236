import { attributeCrossAz, BYTES_PER_GB, type DayWindow, pricesFor } from "@flowcost/core";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";

/** attribute for one day, at list prices (the slice; CUR reconciliation comes with it later). */
export async function attributeDay(engine: DuckDbEngine, day: DayWindow, region: string) {
  const prices = pricesFor(region);
  return engine.query(attributeCrossAz, {
    dt: day.dt,
    bytesPerGb: BYTES_PER_GB,
    outPerGb: prices.interAzPerGbEachDirection,
    inPerGb: prices.interAzPerGbEachDirection,
  });
}
