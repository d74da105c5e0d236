import { attributeFlows, BYTES_PER_GB, DATASETS } from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { curatedFlow } from "../support/builders.ts";
import { describeRun, openSqlLake, project, sortRows } from "../support/sql-lake.ts";

const D = Date.UTC(2026, 10, 22) / 1000; // 2026-11-22 00:00 UTC
const dt = "2026-11-22";
const H = 3600;

/** ip_identity rows: who owned which address when (curated/ip_identity/dt=). */
const owner = (
  ip: string,
  uid: string,
  workloadKind: string,
  workload: string,
  az: string,
  from: number,
  to: number,
  kind = "pod",
) => ({
  cluster: "prod",
  ip,
  kind,
  owner_id: uid,
  namespace: kind === "pod" ? "shop" : null,
  pod_name: kind === "pod" ? `${workload}-${uid}` : null,
  workload_kind: workloadKind,
  workload,
  node: kind === "node" ? workload : null,
  az_id: az,
  resource_id: null,
  service: null,
  valid_from: from,
  valid_to: to,
});
const identity = [
  owner("10.0.1.5", "node/ip-10-0-1-5", "Node", "ip-10-0-1-5", "use1-az1", D, D + 24 * H, "node"),
  owner("10.0.2.6", "node/ip-10-0-2-6", "Node", "ip-10-0-2-6", "use1-az2", D, D + 24 * H, "node"),
  owner("10.0.1.10", "u-api", "Deployment", "api", "use1-az1", D, D + 24 * H),
  owner("10.0.2.20", "u-db", "StatefulSet", "db", "use1-az2", D, D + 24 * H),
  // 10.0.2.30 changes hands at 01:00 while one conversation to it goes on all day.
  owner("10.0.2.30", "u-old", "CronJob", "report", "use1-az2", D, D + H),
  owner("10.0.2.30", "u-new", "CronJob", "nightly", "use1-az2", D + H, D + 24 * H),
  // 10.0.2.40 is claimed by two pods between 01:00 and 02:00 (a missed deletion).
  owner("10.0.2.40", "u-ca", "Deployment", "cache-a", "use1-az2", D, D + 2 * H),
  owner("10.0.2.40", "u-cb", "Deployment", "cache-b", "use1-az2", D + H, D + 24 * H),
  // 10.0.2.50's only pod ends at 01:00; nothing owns the address afterwards.
  owner("10.0.2.50", "u-batch", "Job", "batch", "use1-az2", D, D + H),
];

/** curated_flows rows (what compact_flows writes): api on node 1 (use1-az1) sending to node 2's pods. */
const flow = curatedFlow;
/** The same record as the receiving node's ENI logs it (the same bytes: never counted twice). */
const atReceiver = (r: Record<string, unknown>) => ({
  ...r,
  interface_id: "eni-node2",
  az_id: "use1-az2",
  flow_direction: "ingress",
});
const to30 = { pkt_dstaddr: "10.0.2.30", service_port: 9000 };
const to40 = { pkt_dstaddr: "10.0.2.40", service_port: 6379 };
const to50 = { pkt_dstaddr: "10.0.2.50", service_port: 7000 };
const flowsByHour: Record<string, Array<Record<string, unknown>>> = {
  "00": [
    flow(D + 60, D + 120, { bytes: 1_000 }),
    flow(D + 600, D + 660, { ...to30, bytes: 300 }),
    atReceiver(flow(D + 601, D + 661, { ...to30, bytes: 300 })),
    // Spans the hand-over at 01:00: both owners overlap it, the later one wins, ambiguous.
    flow(D + H - 30, D + H + 20, { ...to30, bytes: 50 }),
    atReceiver(flow(D + H - 29, D + H + 21, { ...to30, bytes: 50 })),
    flow(D + 1800, D + 1860, { ...to40, bytes: 1_100 }),
    flow(D + 1200, D + 1260, { ...to50, bytes: 100 }),
  ],
  "01": [flow(D + H + 1800, D + H + 1860, { ...to40, bytes: 4_000 })],
  "02": [
    flow(D + 2 * H, D + 2 * H + 60, { ...to30, bytes: 700 }),
    atReceiver(flow(D + 2 * H + 1, D + 2 * H + 61, { ...to30, bytes: 700 })),
    flow(D + 2 * H + 60, D + 2 * H + 120, { ...to40, bytes: 2_000 }),
    flow(D + 2 * H + 300, D + 2 * H + 360, { ...to50, bytes: 200 }),
  ],
  "23": [flow(D + 23 * H, D + 23 * H + 60, { bytes: 10_000 })],
};

const KEYS = [
  "category",
  "src_workload",
  "dst_kind",
  "dst_workload_kind",
  "dst_workload",
  "dst_ip",
  "dst_az_id",
  "confidence",
  "bytes",
] as const;
const apiTo = (o: Partial<Record<(typeof KEYS)[number], unknown>>) => ({
  category: "cross_az",
  src_workload: "api",
  dst_kind: "pod",
  dst_ip: null,
  dst_az_id: "use1-az2",
  confidence: "exact",
  ...o,
});

describe("attribute_flows on DuckDB: owners by time within one conversation", async () => {
  const { engine } = await openSqlLake("sql-attribute-flows");
  await engine.partitions.writeRows("ip_identity", DATASETS.ipIdentity, { dt }, identity);
  for (const [hour, rows] of Object.entries(flowsByHour)) {
    await engine.partitions.writeRows("curated_flows", DATASETS.curatedFlows, { dt, hour }, rows);
  }
  const params = {
    dt,
    bytesPerGb: BYTES_PER_GB,
    interAzPerGb: 0.01,
    natPerGb: 0.045,
    vpcEndpointPerGb: 0.01,
    internetPerGb: 0.09,
  };
  const result = await engine.query(attributeFlows, params);
  const context = await describeRun(attributeFlows, params);

  test("each record is owned by whoever held the address during it; a conversation spanning owners splits between them", () => {
    expect(sortRows(project(result.rows, KEYS)), context).toEqual(
      sortRows(
        project(
          [
            // A stable conversation sums across the day's hours.
            apiTo({ dst_workload_kind: "StatefulSet", dst_workload: "db", bytes: 11_000 }),
            apiTo({ dst_workload_kind: "CronJob", dst_workload: "report", bytes: 300 }),
            apiTo({
              dst_workload_kind: "CronJob",
              dst_workload: "nightly",
              confidence: "ambiguous",
              bytes: 50,
            }),
            apiTo({ dst_workload_kind: "CronJob", dst_workload: "nightly", bytes: 700 }),
            apiTo({ dst_workload_kind: "Deployment", dst_workload: "cache-a", bytes: 1_100 }),
            apiTo({
              dst_workload_kind: "Deployment",
              dst_workload: "cache-b",
              confidence: "ambiguous",
              bytes: 4_000,
            }),
            apiTo({ dst_workload_kind: "Deployment", dst_workload: "cache-b", bytes: 2_000 }),
            apiTo({ dst_workload_kind: "Job", dst_workload: "batch", bytes: 100 }),
            // After its pod ended the address is unexplained: kept with its IP, never dropped.
            apiTo({
              category: "unknown",
              dst_kind: "unknown",
              dst_workload_kind: null,
              dst_workload: null,
              dst_ip: "10.0.2.50",
              dst_az_id: null,
              confidence: "ambiguous",
              bytes: 200,
            }),
          ],
          KEYS,
        ),
      ),
    );
  });

  test("every egress byte is counted once: the receiver's ingress copies add nothing", () => {
    const total = result.rows.reduce((sum, r) => sum + r.bytes, 0);
    expect(total, context).toBe(1_000 + 10_000 + 300 + 50 + 700 + 1_100 + 4_000 + 2_000 + 100 + 200);
  });

  test("cross-AZ rows are priced on both billed sides, unknown rows carry no list cost", () => {
    for (const r of result.rows) {
      const expectedCost = r.category === "cross_az" ? (r.bytes / BYTES_PER_GB) * 0.02 : 0;
      expect(r.list_cost_usd, `${context}\nrow ${JSON.stringify(r)}`).toBeCloseTo(expectedCost, 15);
    }
  });
});
