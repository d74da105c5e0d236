import { runPipeline } from "@flowcost/local/pipeline";
import { PLANTED_WORKLOAD, SECOND_WEEK_CHANGE, WEEKEND_FACTOR } from "@flowcost/local/scenario/days";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { bytesByKey, rowKey, truthKey } from "../support/scenario-keys.ts";
import { tempDir } from "../support/temp.ts";

describe("multi-day generator: the same cluster over several UTC days, a weekly pattern and a planted regression", async () => {
  const lakeDir = await tempDir("multi-day");
  // 8 days ending Sunday 2026-11-22: Sun 15 .. Sun 22, so two weekends, the change from day 8 (the
  // last) and the plant on it. One hour a day keeps the test short; the demo uses two.
  const scenario = await generateScenario({ outDir: lakeDir, seed: 5, days: 8, hours: 1 });
  const result = await runPipeline({ lakeDir });

  test("every day is attributed exactly as the generator's answer key says (bytes per category, ends, AZ IDs, confidence)", () => {
    expect(result.days.map((d) => d.day.dt)).toEqual([
      "2026-11-15",
      "2026-11-16",
      "2026-11-17",
      "2026-11-18",
      "2026-11-19",
      "2026-11-20",
      "2026-11-21",
      "2026-11-22",
    ]);
    expect(scenario.daily.map((d) => d.day.dt)).toEqual(result.days.map((d) => d.day.dt));
    for (const [i, day] of result.days.entries()) {
      const attributed = day.rows.filter((r) => r.category !== "unattributed");
      expect(bytesByKey(attributed, rowKey, (r) => r.bytes)).toEqual(
        bytesByKey(scenario.daily[i]?.truth ?? [], truthKey, (t) => t.bytes),
      );
    }
  });

  test("each day reconciles to its own CUR lines: allocated + unattributed = billed, to the cent", () => {
    for (const day of result.days) {
      const billed = Math.round((scenario.billedNetworkUsd.get(day.day.dt) ?? 0) * 100);
      expect(day.reconciliation?.costBasis).toBe("billed");
      expect(day.reconciliation?.billedCents).toBe(billed);
    }
  });

  test("weekends are quieter, the storefront's catalog calls grow from the 8th day, and only the last day has the planted workload", () => {
    const crossBytes = (i: number, from: string, to: string) =>
      (scenario.daily[i]?.truth ?? [])
        .filter((t) => t.category !== "same_az" && `${t.src.namespace}/${t.src.workload}` === from)
        .filter((t) => `${t.dst.namespace}/${t.dst.workload}` === to)
        .reduce((s, t) => s + t.bytes, 0);
    const days = scenario.daily.map((d) => d.day);
    expect(days.map((d) => d.weekend)).toEqual([true, false, false, false, false, false, true, true]);
    expect(days.map((d) => d.scale)).toEqual([WEEKEND_FACTOR, 1, 1, 1, 1, 1, WEEKEND_FACTOR, WEEKEND_FACTOR]);
    // Same weekday level before and after the change: traffic varies by +-50% per minute, so the
    // comparison is on a weekday's bill, which is well above a weekend's.
    const billed = (dt: string) => scenario.billedNetworkUsd.get(dt) ?? 0;
    expect(billed("2026-11-16")).toBeGreaterThan(billed("2026-11-15"));
    expect(billed("2026-11-21")).toBeLessThan(billed("2026-11-20"));
    expect(SECOND_WEEK_CHANGE.firstDayIndex).toBe(7);
    const planted = `${PLANTED_WORKLOAD.namespace}/${PLANTED_WORKLOAD.name}`;
    for (const [i, d] of days.entries()) {
      const pulled = crossBytes(i, "shop/catalog", planted);
      if (d.planted) expect(pulled).toBeGreaterThan(100e9 * 0.25);
      else expect(pulled).toBe(0);
    }
    expect(scenario.planted).toEqual({ dt: "2026-11-22", namespace: "analytics", workload: "exporter" });
    // The plant more than doubles the day's bill against the Sunday before.
    expect(billed("2026-11-22")).toBeGreaterThan(2 * billed("2026-11-15"));
  });
});
