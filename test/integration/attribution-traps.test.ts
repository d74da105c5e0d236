import { BYTES_PER_GB } from "@flowcost/core";
import { runPipeline } from "@flowcost/local/pipeline";
import { UNEXPLAINED_INSTANCE } from "@flowcost/local/scenario/cur";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { bytesByKey, rowKey, truthKey } from "../support/scenario-keys.ts";
import { tempDir } from "../support/temp.ts";

describe("external SNAT on, CUR as gzip CSV: NAT bytes land on pods, each byte once", async () => {
  const lakeDir = await tempDir("snat-on");
  const scenario = await generateScenario({
    outDir: lakeDir,
    seed: 11,
    externalSnat: true,
    curFormat: "csv",
  });
  const result = await runPipeline({ lakeDir });
  const rows = result.days[0]?.rows ?? [];
  const attributed = rows.filter((r) => r.category !== "unattributed");

  test("exact bytes per category, ends and confidence against the generator's answer key", () => {
    expect(bytesByKey(attributed, rowKey, (r) => r.bytes)).toEqual(
      bytesByKey(scenario.truth, truthKey, (t) => t.bytes),
    );
  });

  test("NAT processed bytes name the pods (exact) and split by pkt-*-aws-service into s3, dynamodb and internet", () => {
    const nat = attributed.filter((r) => r.category === "nat" && r.subcategory !== "cross_az_leg");
    expect(new Set(nat.map((r) => r.subcategory))).toEqual(new Set(["s3", "dynamodb", "internet"]));
    expect(nat.every((r) => r.confidence === "exact")).toBe(true);
    const s3 = nat.filter((r) => r.subcategory === "s3");
    expect(new Set(s3.map((r) => (r.src_kind === "pod" ? r.src_workload : r.dst_workload)))).toEqual(
      new Set(["catalog"]),
    );
  });

  test("double logging: counted bytes equal the generator's transfers, not the sum of every record", () => {
    const truthTotal = scenario.truth.reduce((s, t) => s + t.bytes, 0);
    expect(attributed.reduce((s, r) => s + r.bytes, 0)).toBe(truthTotal);
  });

  test("AZs are AZ IDs (use1-az*), never the zone names Kubernetes labels carry", () => {
    const azs = new Set(attributed.flatMap((r) => [r.src_az_id, r.dst_az_id]).filter((a) => a !== null));
    expect([...azs].sort()).toEqual(["use1-az1", "use1-az4", "use1-az6"]);
  });

  test("an address nobody owns is kept with its IP as unknown / ambiguous, not dropped", () => {
    const unknown = attributed.filter((r) => r.category === "unknown");
    expect(unknown.map((r) => [r.dst_ip, r.confidence, r.src_workload])).toEqual([
      ["10.1.5.20", "ambiguous", "ledger"],
    ]);
  });

  test("the CSV export reconciles like Parquet: one unattributed line naming the instance no flow explains", () => {
    const billed = Math.round((scenario.billedNetworkUsd.get(scenario.day) ?? 0) * 100);
    expect(rows.reduce((s, r) => s + Math.round((r.billed_cost_usd ?? 0) * 100), 0)).toBe(billed);
    const unattributed = rows.filter((r) => r.category === "unattributed");
    expect(unattributed.map((r) => r.src_resource)).toEqual([UNEXPLAINED_INSTANCE]);
  });
});

describe("default SNAT (node IP), no CUR: node-level NAT attribution and list-price estimates", async () => {
  const lakeDir = await tempDir("snat-off");
  const scenario = await generateScenario({ outDir: lakeDir, seed: 5, curFormat: "none" });
  const result = await runPipeline({ lakeDir });
  const rows = result.days[0]?.rows ?? [];

  test("NAT bytes are attributed to the nodes, labelled confidence node, with exact bytes", () => {
    expect(bytesByKey(rows, rowKey, (r) => r.bytes)).toEqual(
      bytesByKey(scenario.truth, truthKey, (t) => t.bytes),
    );
    const nat = rows.filter((r) => r.category === "nat");
    expect(nat.length).toBeGreaterThan(0);
    expect(
      nat.every((r) => r.confidence === "node" && (r.src_kind === "node" || r.dst_kind === "node")),
    ).toBe(true);
  });

  test("default SNAT leaves in-VPC traffic alone: interface-endpoint calls still name the pods (exact), estimated at $0.01/GB", () => {
    const endpoint = rows.filter((r) => r.category === "vpc_endpoint");
    expect(endpoint.length).toBeGreaterThan(0);
    // Never the node: the VPC CNI SNATs only destinations outside the VPC.
    expect(endpoint.map((r) => [r.src_kind, r.dst_kind].sort().join("+"))).toEqual(
      endpoint.map(() => "pod+vpc_endpoint"),
    );
    expect(endpoint.every((r) => r.confidence === "exact")).toBe(true);
    const bytes = endpoint.reduce((s, r) => s + r.bytes, 0);
    expect(bytes).toBe(
      scenario.truth.filter((t) => t.category === "vpc_endpoint").reduce((s, t) => s + t.bytes, 0),
    );
    const listUsd = endpoint.reduce((s, r) => s + r.list_cost_usd, 0);
    expect(listUsd).toBeCloseTo((bytes / BYTES_PER_GB) * 0.01, 12);
  });

  test("without a CUR every row says costBasis estimated and carries no billed dollars", () => {
    expect(result.days[0]?.reconciliation?.costBasis).toBe("estimated");
    expect(rows.every((r) => r.cost_basis === "estimated" && r.billed_cost_usd === null)).toBe(true);
    expect(rows.some((r) => r.category === "unattributed")).toBe(false);
  });
});
