import { chargeView, type OwnedRow } from "@flowcost/core";
import { lakeResultsStore } from "@flowcost/local/lake/results-files";
import { runPipeline } from "@flowcost/local/pipeline";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";

const sumBy = (rows: OwnedRow[], key: (r: OwnedRow) => string) => {
  const groups = new Map<string, number>();
  for (const r of rows) groups.set(key(r), (groups.get(key(r)) ?? 0) + (r.billedCents ?? 0));
  return groups;
};

describe("the demo's day document: results/summary/dt=/summary.json and the charge view", async () => {
  const lakeDir = await tempDir("summary");
  const scenario = await generateScenario({ outDir: lakeDir });
  const result = await runPipeline({ lakeDir });
  const store = lakeResultsStore(lakeDir);
  const billed = Math.round((scenario.billedNetworkUsd.get(scenario.day) ?? 0) * 100);

  test("the pipeline writes one document per day, which reads back equal to what it returned", async () => {
    expect(await store.listDays()).toEqual([scenario.day]);
    const doc = await store.readDay(scenario.day);
    expect(doc).toEqual(result.days[0]?.summary);
    expect(doc?.costBasis).toBe("billed");
    expect(doc?.reconciliation.billedCents).toBe(billed);
    expect(doc?.rows.reduce((s, r) => s + (r.billedCents ?? 0), 0)).toBe(billed);
    // The CUR's network lines, pooled per class and resource: what the FOCUS export ties rows to.
    expect(doc?.lines.reduce((s, l) => s + l.billedCents, 0)).toBe(billed);
    expect(
      doc?.lines.find((l) => l.resourceId === "i-0b1a2b3c4d5e6f708" && l.usageClass === "inter_az_out"),
    ).toMatchObject({
      billedCents: expect.any(Number),
      allocatedCents: expect.any(Number),
    });
    expect(doc?.ledger).toMatchObject({ read: 43_072, used: 43_048, nodata: 24, rejected: 0 });
    expect(doc?.identity).toEqual([expect.objectContaining({ cluster: "demo", snapshots: 25, overlaps: 1 })]);
    expect(doc?.warnings.map((w) => w.code)).toEqual(["identity-overlap"]);
    expect(doc).toMatchObject({ account: "111122223333", region: "us-east-1" });
  });

  test("charged to one owner each, the workloads' dollars add up to the $9.16 bill; counted at both ends they would not", async () => {
    const doc = await store.readDay(scenario.day);
    if (!doc) throw new Error("no document");
    const charges = chargeView(doc);
    const byOwner = sumBy(
      charges,
      (r) => `${r.owner.kind}:${r.owner.namespace ?? ""}/${r.owner.workload ?? r.owner.id}`,
    );

    expect(billed).toBe(916);
    expect([...byOwner.values()].reduce((s, c) => s + c, 0)).toBe(916);
    // The same rows counted at both ends of each transfer (the old "top workloads"): more than the bill.
    const bothEnds = doc.rows
      .filter((r) => r.category !== "unattributed")
      .reduce((s, r) => s + (r.billedCents ?? 0) * (r.source.workload && r.destination.workload ? 2 : 1), 0);
    expect(bothEnds).toBeGreaterThan(916);
    expect(byOwner.get("unattributed:/i-0b1a2b3c4d5e6f708")).toBe(2);
    // Load balancer hours and LCUs land on the Services behind them, not on a load balancer.
    expect(
      charges.filter((c) => c.owner.kind === "load_balancer").reduce((s, c) => s + (c.billedCents ?? 0), 0),
    ).toBe(0);
    expect(byOwner.get("service:shop/storefront")).toBeGreaterThan(0);
  });
});
