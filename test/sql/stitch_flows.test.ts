import { DATASETS, stitchFlows } from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { describeRun, openSqlLake, project, sortRows } from "../support/sql-lake.ts";

const D = Date.UTC(2026, 10, 22) / 1000;
const dt = "2026-11-22";
const M = D + 3600; // 01:00

const owner = (
  ip: string,
  kind: string,
  node: string | null,
  az: string,
  resource: string | null = null,
) => ({
  cluster: "prod",
  ip,
  kind,
  owner_id: `${kind}/${ip}`,
  namespace: kind === "pod" ? "shop" : null,
  pod_name: null,
  workload_kind: null,
  workload: null,
  node,
  az_id: az,
  resource_id: resource,
  service: null,
  valid_from: D,
  valid_to: D + 86400,
});
const identity = [
  owner("10.0.1.5", "node", "n1", "use1-az1"),
  owner("10.0.2.6", "node", "n2", "use1-az2"),
  owner("10.0.1.10", "pod", "n1", "use1-az1"),
  owner("10.0.1.11", "pod", "n1", "use1-az1"),
  owner("10.0.2.20", "pod", "n2", "use1-az2"),
  owner("10.0.2.21", "pod", "n2", "use1-az2"),
  owner("10.0.0.220", "nat_gateway", null, "use1-az1", "nat-0abc"),
  owner("10.0.0.6", "load_balancer", null, "use1-az1", "app/web/1"),
  owner("10.0.3.9", "vpc_endpoint", null, "use1-az3", "vpce-0abc"),
];

/** A curated row as compaction writes it for a format without pkt-* fields (az-id absent too). */
const row = (
  eni: string,
  direction: string | null,
  srcaddr: string,
  dstaddr: string,
  servicePort: number,
  clientPort: number,
  minute: number,
  bytes: number,
  extra: Record<string, unknown> = {},
) => ({
  account_id: "123456789012",
  region: "us-east-1",
  vpc_id: null,
  interface_id: eni,
  az_id: null,
  flow_direction: direction,
  direction_inferred: true,
  srcaddr,
  dstaddr,
  pkt_srcaddr: null,
  pkt_dstaddr: null,
  pkt_src_aws_service: null,
  pkt_dst_aws_service: null,
  traffic_path: null,
  protocol: 6,
  service_port: servicePort,
  client_port: clientPort,
  action: "ACCEPT",
  minute,
  first_start: minute + 2,
  last_end: minute + 57,
  bytes,
  packets: 1,
  records: 1,
  ...extra,
});

const flows = [
  // api -> db: the sender's egress names db, the receiver's ingress names api.
  row("eni-n1", "egress", "10.0.1.5", "10.0.2.20", 5432, 40001, M, 1_000),
  row("eni-n2", "ingress", "10.0.1.10", "10.0.2.6", 5432, 40001, M, 1_000),
  // web -> cache: the two ENIs' windows fall in adjacent minutes.
  row("eni-n1", "egress", "10.0.1.5", "10.0.2.21", 6379, 40002, M + 60, 2_000),
  row("eni-n2", "ingress", "10.0.1.11", "10.0.2.6", 6379, 40002, M + 120, 2_000),
  // One client port reused by two pods of n1 to db in one minute: the sender is not unique.
  row("eni-n1", "egress", "10.0.1.5", "10.0.2.20", 5432, 40003, M + 180, 3_000),
  row("eni-n2", "ingress", "10.0.1.10", "10.0.2.6", 5432, 40003, M + 180, 1_000),
  row("eni-n2", "ingress", "10.0.1.11", "10.0.2.6", 5432, 40003, M + 180, 2_000),
  // n2's ENI never logged this one, and n1's never logged the next.
  row("eni-n1", "egress", "10.0.1.5", "10.0.2.20", 5432, 40004, M + 240, 400),
  row("eni-n2", "ingress", "10.0.1.11", "10.0.2.6", 5432, 40008, M + 240, 40),
  // ALB -> db: the load balancer's ENI has one address, its own.
  row("eni-alb", "egress", "10.0.0.6", "10.0.2.20", 8080, 50000, M, 500),
  row("eni-n2", "ingress", "10.0.0.6", "10.0.2.6", 8080, 50000, M, 500),
  // api -> S3 through the NAT gateway (external SNAT: the NAT sees the pod).
  row("eni-n1", "egress", "10.0.1.5", "52.216.8.10", 443, 40005, M, 700),
  row("eni-nat", "ingress", "10.0.1.10", "10.0.0.220", 443, 40005, M, 700),
  row("eni-nat", "egress", "10.0.0.220", "52.216.8.10", 443, 40005, M, 700),
  // A custom-format record whose ENI only ever talked to one pod: compaction left its direction open.
  row("eni-vpce", null, "10.0.1.10", "10.0.3.9", 443, 40006, M, 90, {
    pkt_srcaddr: "10.0.1.10",
    pkt_dstaddr: "10.0.3.9",
    client_port: null,
    az_id: "use1-az3",
  }),
  // A custom-format record with its direction: not stitching's business.
  row("eni-n1", "egress", "10.0.1.5", "10.0.2.20", 5432, 40007, M, 60, {
    pkt_srcaddr: "10.0.1.10",
    pkt_dstaddr: "10.0.2.20",
    client_port: null,
  }),
];

const KEYS = [
  "interface_id",
  "flow_direction",
  "pkt_srcaddr",
  "pkt_dstaddr",
  "az_id",
  "bytes",
  "pairing",
] as const;

describe("stitch_flows on DuckDB: both true ends from the two records of one transfer", async () => {
  const { engine } = await openSqlLake("sql-stitch-flows");
  await engine.partitions.writeRows("ip_identity", DATASETS.ipIdentity, { dt }, identity);
  await engine.partitions.writeRows("curated_flows", DATASETS.curatedFlows, { dt, hour: "01" }, flows);
  const result = await engine.query(stitchFlows, { dt });
  const context = await describeRun(stitchFlows, { dt });
  const got = sortRows(project(result.rows, KEYS));
  const r = (
    interface_id: string,
    flow_direction: string,
    pkt_srcaddr: string,
    pkt_dstaddr: string,
    az_id: string,
    bytes: number,
    pairing: string,
  ) => ({ interface_id, flow_direction, pkt_srcaddr, pkt_dstaddr, az_id, bytes, pairing });

  test("paired records name both pods; an ambiguous or unpaired end stays at its node, labelled; own addresses are ends", () => {
    expect(got, context).toEqual(
      sortRows([
        r("eni-n1", "egress", "10.0.1.10", "10.0.2.20", "use1-az1", 1_000, "paired"),
        r("eni-n1", "egress", "10.0.1.11", "10.0.2.21", "use1-az1", 2_000, "paired"),
        r("eni-n1", "egress", "10.0.1.5", "10.0.2.20", "use1-az1", 3_000, "ambiguous"),
        r("eni-n1", "egress", "10.0.1.5", "10.0.2.20", "use1-az1", 400, "unpaired"),
        r("eni-n2", "ingress", "10.0.1.11", "10.0.2.6", "use1-az2", 40, "unpaired"),
        r("eni-alb", "egress", "10.0.0.6", "10.0.2.20", "use1-az1", 500, "own_address"),
        r("eni-nat", "ingress", "10.0.1.10", "52.216.8.10", "use1-az1", 700, "paired"),
        r("eni-vpce", "ingress", "10.0.1.10", "10.0.3.9", "use1-az3", 90, "logged"),
      ]),
    );
  });

  test("each transfer once: the receiver's copy of a paired record, a node's copy of a NAT gateway's inside leg and the gateway's outside leg are left out", () => {
    const bytes = result.rows.reduce((sum, x) => sum + x.bytes, 0);
    expect(bytes, context).toBe(1_000 + 2_000 + 3_000 + 400 + 40 + 500 + 700 + 90);
  });
});
