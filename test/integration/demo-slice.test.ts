import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { BYTES_PER_GB } from "@flowcost/core";
import { runPipeline } from "@flowcost/local/pipeline";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";

const pairKey = (r: {
  category: string;
  srcNamespace: string | null;
  srcWorkload: string | null;
  srcAzId: string | null;
  dstNamespace: string | null;
  dstWorkload: string | null;
  dstAzId: string | null;
}) =>
  [r.category, r.srcNamespace, r.srcWorkload, r.srcAzId, r.dstNamespace, r.dstWorkload, r.dstAzId].join("|");

describe("the first slice: raw flow logs + kubectl snapshots -> cross-AZ bytes and dollars per workload pair", async () => {
  const lakeDir = await tempDir("slice");
  const scenario = await generateScenario({ outDir: lakeDir, seed: 7 });
  const result = await runPipeline({ lakeDir });
  const day = result.days[0];

  test("every generated transfer is attributed once, to the right workloads and AZ IDs, with exact bytes", () => {
    expect(result.days).toHaveLength(1);
    const actual = new Map(
      (day?.rows ?? []).map((r) => [
        pairKey({
          category: r.category,
          srcNamespace: r.src_namespace,
          srcWorkload: r.src_workload,
          srcAzId: r.src_az_id,
          dstNamespace: r.dst_namespace,
          dstWorkload: r.dst_workload,
          dstAzId: r.dst_az_id,
        }),
        r.bytes,
      ]),
    );
    const expected = new Map(scenario.truth.map((t) => [pairKey(t), t.bytes]));
    expect(actual).toEqual(expected);
  });

  test("cross-AZ dollars charge both billed sides ($0.01/GB out + $0.01/GB in), to the cent", () => {
    const cross = (day?.rows ?? []).filter((r) => r.category === "cross_az");
    const expectedTotal = scenario.truth
      .filter((t) => t.category === "cross_az")
      .reduce((sum, t) => sum + (t.bytes / BYTES_PER_GB) * 0.02, 0);
    const actualTotal = cross.reduce((sum, r) => sum + r.list_cost_usd, 0);
    expect(Math.round(actualTotal * 100)).toBe(Math.round(expectedTotal * 100));
    for (const r of cross) expect(r.list_cost_usd).toBeCloseTo((r.bytes / BYTES_PER_GB) * 0.02, 9);
    expect(
      (day?.rows ?? []).filter((r) => r.category === "same_az").every((r) => r.list_cost_usd === 0),
    ).toBe(true);
  });

  test("the pod that reused a deleted pod's IP is attributed to its own workload (a CronJob), not the old one", () => {
    const reuse = (day?.rows ?? []).filter(
      (r) => r.src_workload === "nightly-report" || r.dst_workload === "nightly-report",
    );
    expect(reuse.length).toBeGreaterThan(0);
    expect(reuse.every((r) => r.confidence === "exact")).toBe(true);
    expect(day?.identity.clusters[0]?.stats.overlaps).toBe(1);
    const kinds = new Set(reuse.flatMap((r) => [r.src_workload_kind, r.dst_workload_kind]));
    expect(kinds).toContain("CronJob");
  });

  test("re-running the pipeline replaces its partitions: same results, same number of files", async () => {
    const files = async () => (await readdir(join(lakeDir, "curated"), { recursive: true })).sort();
    const before = await files();
    const again = await runPipeline({ lakeDir });
    expect(await files()).toEqual(before);
    expect(again.days[0]?.rows).toEqual(day?.rows);
  });
});
