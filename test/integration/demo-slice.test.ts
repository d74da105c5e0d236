import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { BYTES_PER_GB } from "@flowcost/core";
import { runPipeline } from "@flowcost/local/pipeline";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { bytesByKey, rowKey, truthKey } from "../support/scenario-keys.ts";
import { tempDir } from "../support/temp.ts";

describe("the demo: raw flow logs, snapshots, describe outputs and CUR -> bytes and dollars per workload pair", async () => {
  const lakeDir = await tempDir("slice");
  const scenario = await generateScenario({ outDir: lakeDir, seed: 7 });
  const result = await runPipeline({ lakeDir });
  const day = result.days[0];
  const attributed = (day?.rows ?? []).filter((r) => r.category !== "unattributed");

  test("every generated transfer is attributed once, to the right category, ends, AZ IDs and confidence, with exact bytes", () => {
    expect(result.days).toHaveLength(1);
    expect(bytesByKey(attributed, rowKey, (r) => r.bytes)).toEqual(
      bytesByKey(scenario.truth, truthKey, (t) => t.bytes),
    );
  });

  test("cross-AZ dollars charge both billed sides ($0.01/GB out + $0.01/GB in), to the cent", () => {
    const cross = attributed.filter((r) => r.category === "cross_az");
    const expectedTotal = scenario.truth
      .filter((t) => t.category === "cross_az")
      .reduce((sum, t) => sum + (t.bytes / BYTES_PER_GB) * 0.02, 0);
    const actualTotal = cross.reduce((sum, r) => sum + r.list_cost_usd, 0);
    expect(Math.round(actualTotal * 100)).toBe(Math.round(expectedTotal * 100));
    for (const r of cross) expect(r.list_cost_usd).toBeCloseTo((r.bytes / BYTES_PER_GB) * 0.02, 9);
    expect(attributed.filter((r) => r.category === "same_az").every((r) => r.list_cost_usd === 0)).toBe(true);
  });

  test("the pod that reused a deleted pod's IP is attributed to its own workload (a CronJob), not the old one", () => {
    const reuse = attributed.filter(
      (r) => r.src_workload === "nightly-report" || r.dst_workload === "nightly-report",
    );
    expect(reuse.length).toBeGreaterThan(0);
    expect(reuse.every((r) => r.confidence === "exact")).toBe(true);
    expect(day?.identity.clusters[0]?.stats.overlaps).toBe(1);
    expect(new Set(reuse.flatMap((r) => [r.src_workload_kind, r.dst_workload_kind]))).toContain("CronJob");
  });

  test("the day reconciles to the CUR: allocated + unattributed = billed network dollars, to the cent", () => {
    const billed = Math.round((scenario.billedNetworkUsd.get(scenario.day) ?? 0) * 100);
    const cents = (day?.rows ?? []).reduce((s, r) => s + Math.round((r.billed_cost_usd ?? 0) * 100), 0);
    expect(day?.reconciliation?.costBasis).toBe("billed");
    expect(day?.reconciliation?.billedCents).toBe(billed);
    expect(cents).toBe(billed);
  });

  test("re-running the pipeline replaces its partitions: same results, same number of files", async () => {
    const files = async () =>
      (await readdir(join(lakeDir, "curated"), { recursive: true }))
        .concat(await readdir(join(lakeDir, "results"), { recursive: true }))
        .sort();
    const before = await files();
    const again = await runPipeline({ lakeDir });
    expect(await files()).toEqual(before);
    expect(again.days[0]?.rows).toEqual(day?.rows);
  });
});
