import { attributeCrossAz, BYTES_PER_GB, DATASETS } from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { describeRun, openSqlLake, project, sortRows } from "../support/sql-lake.ts";

const D = Date.UTC(2026, 10, 22) / 1000; // 2026-11-22 00:00 UTC
const dt = "2026-11-22";

/** ip_identity rows: who owned which address when (curated/ip_identity/dt=). */
const pod = (
  ip: string,
  uid: string,
  kind: string,
  workload: string,
  az: string,
  from: number,
  to: number,
) => ({
  cluster: "prod",
  ip,
  kind: "pod",
  owner_id: uid,
  namespace: "shop",
  pod_name: `${workload}-${uid}`,
  workload_kind: kind,
  workload,
  node: null,
  az_id: az,
  resource_id: null,
  service: null,
  valid_from: from,
  valid_to: to,
});
const identity = [
  pod("10.0.1.10", "u-api", "Deployment", "api", "use1-az1", D, D + 86400),
  pod("10.0.1.11", "u-web", "Deployment", "web", "use1-az1", D, D + 86400),
  pod("10.0.2.20", "u-db", "StatefulSet", "db", "use1-az2", D, D + 86400),
  // 10.0.2.30 changes hands at 01:00: a finished CronJob pod, then a new Job's pod.
  pod("10.0.2.30", "u-old", "CronJob", "report", "use1-az2", D, D + 3600),
  pod("10.0.2.30", "u-new", "CronJob", "nightly", "use1-az2", D + 3600, D + 86400),
  // 10.0.3.40 is claimed by two pods between 01:00 and 02:00 (a missed deletion).
  pod("10.0.3.40", "u-ca", "Deployment", "cache-a", "use1-az3", D, D + 7200),
  pod("10.0.3.40", "u-cb", "Deployment", "cache-b", "use1-az3", D + 3600, D + 86400),
  {
    cluster: "prod",
    ip: "10.0.1.5",
    kind: "node",
    owner_id: "node/ip-10-0-1-5",
    namespace: null,
    pod_name: null,
    workload_kind: "Node",
    workload: "ip-10-0-1-5",
    node: "ip-10-0-1-5",
    az_id: "use1-az1",
    resource_id: null,
    service: null,
    valid_from: D,
    valid_to: D + 86400,
  },
];

/** curated_flows rows (what compact_flows writes); node ENIs' primary IPs in srcaddr/dstaddr. */
const flow = (o: Record<string, unknown>) => ({
  account_id: "123456789012",
  region: "us-east-1",
  vpc_id: "vpc-0abc",
  interface_id: "eni-node1",
  az_id: "use1-az1",
  flow_direction: "egress",
  direction_inferred: false,
  srcaddr: "10.0.1.5",
  dstaddr: "10.0.2.6",
  pkt_srcaddr: "10.0.1.10",
  pkt_dstaddr: "10.0.2.20",
  pkt_src_aws_service: null,
  pkt_dst_aws_service: null,
  traffic_path: 1,
  protocol: 6,
  service_port: 5432,
  action: "ACCEPT",
  packets: 1,
  records: 1,
  ...o,
});
const at = (start: number, end: number) => ({
  minute: start - (start % 60),
  first_start: start,
  last_end: end,
});
const flowsByHour: Record<string, Array<Record<string, unknown>>> = {
  "00": [
    // api -> db across AZs, logged at the sender (egress) and again at the receiver (ingress).
    flow({ ...at(D + 100, D + 160), bytes: 1_000_000_000 }),
    flow({
      ...at(D + 101, D + 161),
      bytes: 1_000_000_000,
      interface_id: "eni-node2",
      az_id: "use1-az2",
      flow_direction: "ingress",
    }),
    // api -> web in one AZ.
    flow({
      ...at(D + 200, D + 230),
      bytes: 5_000,
      dstaddr: "10.0.1.6",
      pkt_dstaddr: "10.0.1.11",
      service_port: 8080,
    }),
    // To 10.0.2.30 while the old CronJob pod owned it.
    flow({ ...at(D + 600, D + 660), bytes: 300, pkt_dstaddr: "10.0.2.30", service_port: 9000 }),
    // Node-level traffic: no packet address, the node's own IP (e.g. kubelet, or SNAT).
    flow({ ...at(D + 900, D + 960), bytes: 800, pkt_srcaddr: null, pkt_dstaddr: null, dstaddr: "10.0.2.20" }),
  ],
  "01": [
    // To 10.0.3.40 while both cache pods claim it.
    flow({ ...at(D + 5000, D + 5060), bytes: 4_000, pkt_dstaddr: "10.0.3.40", service_port: 6379 }),
  ],
  "02": [
    // To 10.0.2.30 after the new Job's pod took it over.
    flow({ ...at(D + 7200, D + 7260), bytes: 700, pkt_dstaddr: "10.0.2.30", service_port: 9000 }),
  ],
};

const KEYS = [
  "dt",
  "category",
  "src_namespace",
  "src_workload_kind",
  "src_workload",
  "src_az_id",
  "dst_namespace",
  "dst_workload_kind",
  "dst_workload",
  "dst_az_id",
  "confidence",
  "bytes",
] as const;
const expected = (o: Partial<Record<(typeof KEYS)[number], unknown>>) => ({
  dt,
  category: "cross_az",
  src_namespace: "shop",
  src_workload_kind: "Deployment",
  src_workload: "api",
  src_az_id: "use1-az1",
  dst_namespace: "shop",
  dst_workload_kind: "StatefulSet",
  dst_workload: "db",
  dst_az_id: "use1-az2",
  confidence: "exact",
  ...o,
});

describe("attribute_cross_az on DuckDB", async () => {
  const { engine } = await openSqlLake("sql-attribute");
  await engine.writeRows("ip_identity", DATASETS.ipIdentity, { dt }, identity);
  for (const [hour, rows] of Object.entries(flowsByHour)) {
    await engine.writeRows("curated_flows", DATASETS.curatedFlows, { dt, hour }, rows);
  }
  const params = { dt, bytesPerGb: BYTES_PER_GB, outPerGb: 0.01, inPerGb: 0.01 };
  const result = await engine.query(attributeCrossAz, params);
  const context = await describeRun(attributeCrossAz, params);

  test("egress records only, pods through pkt-* addresses, owners by time, overlaps ambiguous, nodes labelled", () => {
    expect(sortRows(project(result.rows, KEYS)), context).toEqual(
      sortRows([
        expected({ bytes: 1_000_000_000 }),
        expected({
          category: "same_az",
          dst_workload_kind: "Deployment",
          dst_workload: "web",
          dst_az_id: "use1-az1",
          bytes: 5_000,
        }),
        expected({ dst_workload_kind: "CronJob", dst_workload: "report", bytes: 300 }),
        expected({ dst_workload_kind: "CronJob", dst_workload: "nightly", bytes: 700 }),
        expected({
          dst_workload_kind: "Deployment",
          dst_workload: "cache-b",
          dst_az_id: "use1-az3",
          confidence: "ambiguous",
          bytes: 4_000,
        }),
        expected({
          src_namespace: null,
          src_workload_kind: "Node",
          src_workload: "ip-10-0-1-5",
          confidence: "node",
          bytes: 800,
        }),
      ]),
    );
  });

  test("cross-AZ bytes are priced on both billed sides (out at the sender + in at the receiver); same-AZ is free", () => {
    for (const r of result.rows) {
      const expectedCost = r.category === "cross_az" ? (r.bytes / BYTES_PER_GB) * (0.01 + 0.01) : 0;
      expect(r.list_cost_usd, `${context}\nrow ${JSON.stringify(r)}`).toBeCloseTo(expectedCost, 12);
    }
    const total = result.rows.reduce((sum, r) => sum + r.list_cost_usd, 0);
    // 1,000,005,800 cross-AZ bytes moved, $0.02 per GB.
    expect(total, context).toBeCloseTo((1_000_005_800 / BYTES_PER_GB) * 0.02, 12);
  });

  test("pricing only the sending side halves the cross-AZ cost", async () => {
    const oneSided = await engine.query(attributeCrossAz, { ...params, inPerGb: 0 });
    const cost = (rows: typeof result.rows) => rows.reduce((sum, r) => sum + r.list_cost_usd, 0);
    expect(cost(oneSided.rows), context).toBeCloseTo(cost(result.rows) / 2, 12);
  });
});
