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

  test("pods calling the STS interface endpoint: vpc_endpoint rows at $0.01/GB, both ends named, the endpoint's GB and AZ-hours billed to them", () => {
    const endpoint = scenario.network?.vpcEndpoint;
    const rows = attributed.filter((r) => r.category === "vpc_endpoint");
    const endpointEnd = (r: (typeof rows)[number]) => (r.src_kind === "vpc_endpoint" ? "src" : "dst");
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const side = endpointEnd(r);
      const other = side === "src" ? "dst" : "src";
      expect(r[`${side}_resource`]).toBe(endpoint?.id);
      expect(r[`${other}_kind`]).toBe("pod");
      expect(endpoint?.callers).toContain(`${r[`${other}_namespace`]}/${r[`${other}_workload`]}`);
      // Each pod reaches the endpoint's ENI in its own zone.
      expect(r.src_az_id).toBe(r.dst_az_id);
      expect(r.confidence).toBe("exact");
      expect(r.list_cost_usd).toBeCloseTo((r.bytes / BYTES_PER_GB) * 0.01, 12);
    }
    const truthBytes = scenario.truth
      .filter((t) => t.category === "vpc_endpoint")
      .reduce((s, t) => s + t.bytes, 0);
    expect(rows.reduce((s, r) => s + r.bytes, 0)).toBe(truthBytes);
    // Billed: 3 AZs x 24 h x $0.01 = 72 cents of hours (no remainder) plus the processed GB's line,
    // whose cents the day's largest-remainder rounding takes down or up; nothing left unattributed.
    const gbCents = (truthBytes / BYTES_PER_GB) * 0.01 * 100;
    const billedCents = rows.reduce((s, r) => s + Math.round((r.billed_cost_usd ?? 0) * 100), 0);
    expect([72 + Math.floor(gbCents), 72 + Math.ceil(gbCents)]).toContain(billedCents);
    const unattributed = (day?.rows ?? []).filter((r) => r.category === "unattributed");
    expect(unattributed.filter((r) => r.subcategory?.startsWith("vpc_endpoint"))).toEqual([]);
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
