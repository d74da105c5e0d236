import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { BYTES_PER_GB, type Recommendation, recommendationsDocumentSchema } from "@flowcost/core";
import { findSnapshots } from "@flowcost/local/lake/inventory-files";
import { runPipeline } from "@flowcost/local/pipeline";
import type { TruthEnd, TruthRow } from "@flowcost/local/scenario/traffic";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { runCli } from "../support/cli.ts";
import { applyMergePatch, patchArgument } from "../support/merge-patch.ts";
import { tempDir } from "../support/temp.ts";

// us-east-1 list prices (aws-facts.md §6): inter-AZ $0.01/GB each way, NAT $0.045/GB and $0.045/h,
// interface endpoint $0.01/GB and $0.01 per AZ-hour. Two hours measured, extrapolated to 30 days.
const WINDOW_DAYS = 2 / 24;
const CROSS_AZ = 0.02;
const NAT_GB = 0.045;
const NAT_HOUR = 0.045;
const VPCE_GB = 0.01;
const VPCE_AZ_HOUR = 0.01;
const HOURS = 720;

/** The rules' formula applied to the generator's answer key: bytes per price, 30 days, minus added hours. */
function expectedSavings(parts: Array<[number, number]>, addedMonthly = 0): number {
  const gross =
    parts.reduce((s, [bytes, perGb]) => s + (bytes / BYTES_PER_GB) * perGb, 0) * (30 / WINDOW_DAYS);
  const net = gross - addedMonthly;
  return Math.round(net * 100 + (net >= 0 ? 1e-9 : -1e-9)) / 100;
}

const w = (e: TruthEnd) =>
  e.kind === "pod" ? `${e.namespace}/${e.workload}` : `${e.kind}:${e.workload ?? e.resource}`;
const between = (t: TruthRow, a: string[], b: string[]) =>
  (a.includes(w(t.src)) && b.includes(w(t.dst))) || (b.includes(w(t.src)) && a.includes(w(t.dst)));
const far = (t: TruthRow) => (t.dst.kind === "aws_service" || t.dst.kind === "internet" ? t.dst : t.src);

describe("recommendations on the planted problems, savings to the cent from the generator's truth", async () => {
  const lakeDir = await tempDir("recs");
  const scenario = await generateScenario({ outDir: lakeDir, seed: 7, problems: true });
  const result = await runPipeline({ lakeDir });
  const recs = result.recommendations;
  const truth = scenario.truth;
  const bytes = (pred: (t: TruthRow) => boolean) => truth.filter(pred).reduce((s, t) => s + t.bytes, 0);
  const crossBetween = (a: string[], b: string[]) =>
    bytes((t) => t.category === "cross_az" && between(t, a, b));
  const byId = (id: string): Recommendation => {
    const r = recs.find((x) => x.id === id);
    if (!r) throw new Error(`no recommendation ${id}; have ${recs.map((x) => x.id).join(", ")}`);
    return r;
  };
  const natProcessing = (sub: string, service?: string) =>
    bytes(
      (t) =>
        t.category === "nat" &&
        t.subcategory === sub &&
        (service === undefined || far(t).workload === service),
    );
  const natLeg = (pred: (service: string | null) => boolean) =>
    bytes((t) => t.category === "nat" && t.subcategory === "cross_az_leg" && pred(far(t).workload));

  test.each([
    [
      "topology_aware_routing/demo/shop/search",
      () => expectedSavings([[crossBetween(["shop/web"], ["shop/search"]), CROSS_AZ]]),
    ],
    [
      "internal_traffic_policy_local/demo/monitoring/node-agent",
      () =>
        expectedSavings([[crossBetween(["shop/web", "shop/frontend"], ["monitoring/node-agent"]), CROSS_AZ]]),
    ],
    [
      "topology_spread/demo/shop/catalog",
      () =>
        expectedSavings([
          [crossBetween(["shop/frontend", "batch/nightly-report"], ["shop/catalog"]), CROSS_AZ],
        ]),
    ],
    [
      "topology_spread/demo/shop/session",
      () => expectedSavings([[crossBetween(["shop/web"], ["shop/session"]), CROSS_AZ]]),
    ],
    [
      "topology_spread/demo/kube-system/coredns",
      () => expectedSavings([[bytes((t) => t.category === "cross_az" && t.subcategory === "dns"), CROSS_AZ]]),
    ],
    [
      "nodelocal_dnscache/demo/kube-system/node-local-dns",
      () => expectedSavings([[bytes((t) => t.category === "cross_az" && t.subcategory === "dns"), CROSS_AZ]]),
    ],
    [
      "s3_gateway_endpoint/demo/vpc-0f1e2d3c4b5a69788",
      () =>
        expectedSavings([
          [natProcessing("s3"), NAT_GB],
          [natLeg((s) => s === "S3"), CROSS_AZ],
        ]),
    ],
    [
      "dynamodb_gateway_endpoint/demo/vpc-0f1e2d3c4b5a69788",
      () =>
        expectedSavings([
          [natProcessing("dynamodb"), NAT_GB],
          [natLeg((s) => s === "DYNAMODB"), CROSS_AZ],
        ]),
    ],
    [
      "interface_endpoint/demo/vpc-0f1e2d3c4b5a69788 com.amazonaws.us-east-1.ebs",
      () =>
        expectedSavings(
          [
            [natProcessing("aws-other", "EBS"), NAT_GB - VPCE_GB],
            [natLeg((s) => s === "EBS"), CROSS_AZ],
          ],
          3 * HOURS * VPCE_AZ_HOUR,
        ),
    ],
    [
      "nat_gateway_per_az/demo/nat-0a1b2c3d4e5f60718",
      // S3, DynamoDB and EBS leave the NAT gateway through the recommended endpoints; two AZs lack a gateway.
      () =>
        expectedSavings(
          [[natLeg((s) => !["S3", "DYNAMODB", "EBS"].includes(s ?? "")), CROSS_AZ]],
          2 * HOURS * NAT_HOUR,
        ),
    ],
    [
      `lb_ip_target_mode/demo/${scenario.network?.nlb.arn}`,
      () =>
        expectedSavings([
          [bytes((t) => t.category === "cross_az" && t.subcategory === "nodeport"), CROSS_AZ],
        ]),
    ],
    [
      `nlb_cross_zone_off/demo/${scenario.network?.nlb.arn}`,
      () => expectedSavings([[bytes((t) => t.subcategory === "nlb_cross_zone"), CROSS_AZ]]),
    ],
  ])("%s is recommended with the savings the truth gives", (id, expected) => {
    const r = byId(id);
    expect(r.status, r.reason ?? "").toBe("recommended");
    expect(r.estimatedMonthlySavingsUsd).toBeGreaterThan(0);
    expect(r.estimatedMonthlySavingsUsd).toBe(expected());
    expect(r.savings?.windowDays).toBe(WINDOW_DAYS);
  });

  test("recommended changes come ranked by estimated monthly savings", () => {
    const recommended = recs
      .filter((r) => r.status === "recommended")
      .map((r) => r.estimatedMonthlySavingsUsd);
    expect(recommended).toEqual([...recommended].sort((a, b) => b - a));
    expect(recs.findIndex((r) => r.status !== "recommended")).toBe(recommended.length);
  });

  test.each([
    [
      "internal_traffic_policy_local/demo/shop/session",
      /^single backend \(1 ready endpoint on .+\): with internalTrafficPolicy: Local, callers on 3 other node\(s\) would have their traffic dropped$/,
    ],
    [
      "topology_aware_routing/demo/shop/catalog",
      /^spread the endpoints first \(topology_spread\): endpoints in every client zone/,
    ],
    ["topology_aware_routing/demo/shop/session", /^spread the endpoints first \(topology_spread\)/],
    ["internal_traffic_policy_local/demo/shop/search", /^3 calling node\(s\) have no local endpoint/],
    ["topology_aware_routing/demo/monitoring/node-agent", /^superseded by internal_traffic_policy_local/],
    [
      "interface_endpoint/demo/vpc-0f1e2d3c4b5a69788 com.amazonaws.us-east-1.execute-api",
      /^endpoint hours \(\$21\.60 a month for 3 AZs\) above the per-GB saving \(\$\d+\.\d\d a month\)$/,
    ],
    [
      "interface_endpoint/demo/vpc-0f1e2d3c4b5a69788 AMAZON",
      /^needs the destination service: flow logs and ip-ranges name it only AMAZON/,
    ],
  ])("%s is declined: %s", (id, reason) => {
    const r = byId(id);
    expect(r.status).toBe("declined");
    expect(r.reason).toMatch(reason);
    expect(r.estimatedMonthlySavingsUsd).toBe(0);
  });

  test("the interface endpoint that does not pay: its hours exceed the per-GB saving the truth gives", () => {
    const r = byId("interface_endpoint/demo/vpc-0f1e2d3c4b5a69788 com.amazonaws.us-east-1.execute-api");
    const gross = expectedSavings([
      [natProcessing("aws-other", "API_GATEWAY"), NAT_GB - VPCE_GB],
      [natLeg((s) => s === "API_GATEWAY"), CROSS_AZ],
    ]);
    expect(r.savings?.grossMonthlySavingsUsd).toBe(gross);
    expect(r.savings?.addedMonthlyCostUsd).toBe(21.6);
    expect(gross).toBeLessThan(21.6);
  });

  test("kubelet <-> API server traffic is reported with its cost, never routed", () => {
    const r = byId("bypasses_services/demo/demo");
    expect(r.status).toBe("report");
    expect(r.estimatedMonthlySavingsUsd).toBe(0);
    expect(r.evidence.bytes).toBe(
      bytes((t) => t.category === "cross_az" && t.subcategory === "control_plane"),
    );
    expect(r.evidence.notes[0]).toMatch(/^kubelet <-> EKS API server \(control plane\): \d+ bytes/);
    expect(r.change.format).toBe("none");
    expect(
      recs.some(
        (x) =>
          x.kind !== "bypasses_services" &&
          x.evidence.topFlows.some((f) => f.subcategory === "control_plane"),
      ),
    ).toBe(false);
  });

  test("the generated kubectl patches apply to the Service JSON they target, changing only what they say", async () => {
    const snapshots = await findSnapshotsIn(lakeDir);
    const last = snapshots.at(-1);
    const list = JSON.parse(gunzipSync(await readFile(last as string)).toString("utf8")) as {
      items: K8sObject[];
    };
    const service = (ns: string, name: string) =>
      list.items.find((i) => i.kind === "Service" && i.metadata.namespace === ns && i.metadata.name === name);
    const cases: Array<[string, string, string, (after: K8sObject, before: K8sObject) => void]> = [
      [
        "topology_aware_routing/demo/shop/search",
        "shop",
        "search",
        (a) => expect(a.spec.trafficDistribution).toBe("PreferSameZone"),
      ],
      [
        "internal_traffic_policy_local/demo/monitoring/node-agent",
        "monitoring",
        "node-agent",
        (a) => expect(a.spec.internalTrafficPolicy).toBe("Local"),
      ],
      [
        `nlb_cross_zone_off/demo/${scenario.network?.nlb.arn}`,
        "payments",
        "api-public",
        (a, b) => {
          expect(a.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-attributes"]).toBe(
            "load_balancing.cross_zone.enabled=false",
          );
          expect(a.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"]).toBe(
            b.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"],
          );
        },
      ],
      [
        `lb_ip_target_mode/demo/${scenario.network?.nlb.arn}`,
        "payments",
        "api-public",
        (a) =>
          expect(a.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"]).toBe(
            "ip",
          ),
      ],
    ];
    for (const [id, ns, name, check] of cases) {
      const r = byId(id);
      const before = service(ns, name);
      if (!before) throw new Error(`${ns}/${name} is not in the snapshot`);
      expect(r.change.text.startsWith(`kubectl patch service ${name} -n ${ns} --type merge -p '`)).toBe(true);
      // The command's argument is the recorded patch, and applying it changes only what it names.
      expect(patchArgument(r.change.text)).toEqual(r.change.patch);
      const after = applyMergePatch(before, r.change.patch) as K8sObject;
      check(after, before);
      expect(after.spec.selector).toEqual(before.spec.selector);
      expect(after.spec.ports).toEqual(before.spec.ports);
      expect(after.metadata.name).toBe(name);
    }
  });

  test("what-if for the cluster, computed from the measured flows: a NAT gateway per AZ, VPC endpoints", () => {
    const at = (change: string) =>
      result.whatIf.find((w) => w.scope.kind === "cluster" && w.change === change);
    const month = (bytes: number, perGb: number) => (bytes / BYTES_PER_GB) * perGb * (30 / WINDOW_DAYS);
    const legs = natLeg(() => true);
    const perAz = at("nat_gateway_per_az");
    expect(perAz?.movedBytes).toBe(legs);
    expect(perAz?.savedMonthlyUsd).toBeCloseTo(month(legs, CROSS_AZ) - 2 * HOURS * NAT_HOUR, 9);
    // S3 and DynamoDB leave the NAT gateway for free; EBS and API Gateway for $0.01/GB and 3 AZ-hours
    // each; the internet and the AMAZON ranges stay.
    const endpoints = at("vpc_endpoints");
    const leg = (s: string) => natLeg((x) => x === s);
    const viaNat = (sub: string, service?: string) => natProcessing(sub, service);
    const moved =
      month(viaNat("s3"), NAT_GB) +
      month(leg("S3"), CROSS_AZ) +
      month(viaNat("dynamodb"), NAT_GB) +
      month(leg("DYNAMODB"), CROSS_AZ);
    const repriced = ["EBS", "API_GATEWAY"].reduce(
      (s, x) => s + month(viaNat("aws-other", x), NAT_GB - VPCE_GB) + month(leg(x), CROSS_AZ),
      0,
    );
    expect(endpoints?.savedMonthlyUsd).toBeCloseTo(moved + repriced - 2 * 3 * HOURS * VPCE_AZ_HOUR, 9);
    expect(endpoints?.notes).toContain(
      "bytes to AMAZON/EC2 ranges stay on the NAT gateway: no single endpoint serves them",
    );
  });

  test("what-if per Service: zone routing on shop/search saves what the recommendation says; Local on shop/session drops callers", () => {
    const search = result.whatIf.find(
      (w) => w.scope.kind === "service" && w.scope.name === "search" && w.change === "topology_aware_routing",
    );
    expect(Math.round((search?.savedMonthlyUsd ?? 0) * 100) / 100).toBe(
      byId("topology_aware_routing/demo/shop/search").estimatedMonthlySavingsUsd,
    );
    const session = result.whatIf.find(
      (w) =>
        w.scope.kind === "service" &&
        w.scope.name === "session" &&
        w.change === "internal_traffic_policy_local",
    );
    expect(session?.notes).toEqual([
      "shop/session: callers on 3 node(s) without a local endpoint would be dropped",
    ]);
  });

  test("flow logs in AWS's default format (no pkt-* fields): stitching and ip-ranges.json give the same advice", async () => {
    const plain = await tempDir("recs-default");
    await generateScenario({ outDir: plain, seed: 7, problems: true, flowLogFormat: "default" });
    const summary = (rs: Recommendation[]) =>
      rs.map((r) => [r.id, r.status, r.estimatedMonthlySavingsUsd, r.reason]);
    expect(summary((await runPipeline({ lakeDir: plain })).recommendations)).toEqual(summary(recs));
  }, 600_000);

  test("flowcost analyze: the recommendations in the JSON (valid against the committed schema) and advice in the table", async () => {
    const json = await runCli(["analyze", lakeDir, "--format", "json"]);
    const output = JSON.parse(json.stdout);
    const schema = z.fromJSONSchema(
      JSON.parse(await readFile(join(import.meta.dirname, "../../docs/analyze-output.schema.json"), "utf8")),
    );
    expect(schema.safeParse(output).success).toBe(true);
    expect(output.schemaVersion).toBe(2);
    const summary = (rs: Recommendation[]) => rs.map((r) => [r.id, r.status, r.estimatedMonthlySavingsUsd]);
    expect(summary(output.recommendations)).toEqual(summary(recs));
    const table = (await runCli(["analyze", lakeDir])).stdout;
    expect(table).toContain(
      "Recommendations (savings at list price: the measured traffic extrapolated to 30 days)",
    );
    expect(table).toContain(`  1. ${recs[0]?.title}`);
    expect(table).toContain("kubectl patch service search -n shop --type merge \\\n");
    expect(table).toContain("Checked and not recommended");
    expect(table).toContain(
      "What if (list price, 30 days, from the measured flows; regardless of the checks above)",
    );
  });

  test("each day's recommendations are written to results/recommendations/dt=<day>/recommendations.json", async () => {
    const doc = recommendationsDocumentSchema.parse(
      JSON.parse(
        await readFile(
          join(lakeDir, `results/recommendations/dt=${scenario.day}/recommendations.json`),
          "utf8",
        ),
      ),
    );
    expect(doc.dt).toBe(scenario.day);
    expect(doc.recommendations.map((r) => r.id)).toEqual(recs.map((r) => r.id));
  });
});

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations: Record<string, string> };
  spec: { trafficDistribution?: string; internalTrafficPolicy?: string; selector?: unknown; ports?: unknown };
}

async function findSnapshotsIn(lakeDir: string): Promise<string[]> {
  const files = await findSnapshots(lakeDir);
  return files.map((f) => f.path);
}

describe("a change applied mid-window: zone routing on shop/search from midnight", async () => {
  const lakeDir = await tempDir("recs-applied");
  const appliedAt = Date.UTC(2026, 10, 23) / 1000;
  await generateScenario({
    outDir: lakeDir,
    seed: 11,
    problems: true,
    startHour: 22,
    hours: 4,
    topologyAppliedAt: appliedAt,
  });
  const result = await runPipeline({ lakeDir });
  const searchCross = (dt: string) =>
    (result.days.find((d) => d.day.dt === dt)?.rows ?? []).filter(
      (r) =>
        r.category === "cross_az" &&
        [r.src_workload, r.dst_workload].includes("web") &&
        [r.src_workload, r.dst_workload].includes("search"),
    );

  test("it is reported as applied, with the measured daily cost before and after, and no longer recommended", () => {
    const r = result.recommendations.find((x) => x.id === "topology_aware_routing/demo/shop/search");
    expect(r?.status).toBe("applied");
    expect(r?.estimatedMonthlySavingsUsd).toBe(0);
    const ba = r?.beforeAfter;
    expect(ba?.appliedAt).toBe("2026-11-23T00:00:00Z");
    expect(ba?.observed).toBe("spec.trafficDistribution: PreferSameZone");
    expect(ba?.beforeDays).toEqual(["2026-11-22"]);
    expect(ba?.afterDays).toEqual(["2026-11-23"]);
    // Two measured hours each side, scaled to a day.
    const before = searchCross("2026-11-22").reduce((s, x) => s + x.list_cost_usd, 0) * 12;
    expect(before).toBeGreaterThan(0);
    expect(ba?.beforeDailyCostUsd).toBeCloseTo(before, 10);
    expect(searchCross("2026-11-23")).toEqual([]);
    expect(ba?.afterDailyCostUsd).toBe(0);
    expect(result.recommendations.filter((x) => x.status === "recommended").map((x) => x.id)).not.toContain(
      "topology_aware_routing/demo/shop/search",
    );
  });
});
