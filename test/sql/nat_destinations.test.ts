import { DATASETS, natDestinations } from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { describeRun, openSqlLake } from "../support/sql-lake.ts";

const D = Date.UTC(2026, 10, 22) / 1000;
const dt = "2026-11-22";
const NAT = "10.0.0.5";

const natIdentity = {
  cluster: "demo",
  ip: NAT,
  kind: "nat_gateway",
  owner_id: "nat-0a1b",
  namespace: null,
  pod_name: null,
  workload_kind: "NatGateway",
  workload: "nat-0a1b",
  node: null,
  az_id: "use1-az4",
  resource_id: "nat-0a1b",
  service: null,
  valid_from: D,
  valid_to: D + 86400,
};

/** A record at the NAT gateway's ENI (aws-facts.md §1.10). */
const atNat = (o: Record<string, unknown>) => ({
  account_id: "111122223333",
  region: "us-east-1",
  vpc_id: "vpc-0f1e",
  interface_id: "eni-0nat",
  az_id: "use1-az4",
  direction_inferred: false,
  pkt_src_aws_service: null,
  pkt_dst_aws_service: null,
  traffic_path: 1,
  protocol: 6,
  service_port: 443,
  action: "ACCEPT",
  minute: D + 60,
  first_start: D + 60,
  last_end: D + 119,
  packets: 1,
  records: 1,
  ...o,
});

describe("nat_destinations", () => {
  test("sums the outside leg at the NAT ENI per outside address and AWS service, both directions, never the VPC side", async () => {
    const { engine } = await openSqlLake("sql-nat-destinations");
    await engine.partitions.writeRows("ip_identity", DATASETS.ipIdentity, { dt }, [natIdentity]);
    const s3 = "52.216.8.10";
    await engine.partitions.writeRows("curated_flows", DATASETS.curatedFlows, { dt, hour: "00" }, [
      // Upload: node -> NAT (VPC side, not counted here), NAT -> S3 (outside leg).
      atNat({
        flow_direction: "ingress",
        srcaddr: "10.0.64.10",
        dstaddr: NAT,
        pkt_srcaddr: "10.0.64.10",
        pkt_dstaddr: s3,
        pkt_dst_aws_service: "S3",
        bytes: 1_000,
      }),
      atNat({
        flow_direction: "egress",
        srcaddr: NAT,
        dstaddr: s3,
        pkt_srcaddr: NAT,
        pkt_dstaddr: s3,
        pkt_dst_aws_service: "S3",
        bytes: 1_000,
      }),
      // Download: S3 -> NAT (outside leg), NAT -> node (VPC side).
      atNat({
        flow_direction: "ingress",
        srcaddr: s3,
        dstaddr: NAT,
        pkt_srcaddr: s3,
        pkt_dstaddr: NAT,
        pkt_src_aws_service: "S3",
        bytes: 25_000,
      }),
      atNat({
        flow_direction: "egress",
        srcaddr: NAT,
        dstaddr: "10.0.64.10",
        pkt_srcaddr: s3,
        pkt_dstaddr: "10.0.64.10",
        pkt_src_aws_service: "S3",
        bytes: 25_000,
      }),
      // The internet, no AWS service.
      atNat({
        flow_direction: "egress",
        srcaddr: NAT,
        dstaddr: "203.0.113.5",
        pkt_srcaddr: NAT,
        pkt_dstaddr: "203.0.113.5",
        bytes: 700,
      }),
      // A rejected record and a node's own record are not NAT processing.
      atNat({
        flow_direction: "egress",
        srcaddr: NAT,
        dstaddr: "203.0.113.9",
        pkt_srcaddr: NAT,
        pkt_dstaddr: "203.0.113.9",
        action: "REJECT",
        bytes: 5,
      }),
      atNat({
        interface_id: "eni-node",
        flow_direction: "egress",
        srcaddr: "10.0.64.10",
        dstaddr: s3,
        pkt_srcaddr: "10.0.64.10",
        pkt_dstaddr: s3,
        bytes: 1_000,
      }),
    ]);
    const result = await engine.query(natDestinations, { dt });
    expect(result.rows, await describeRun(natDestinations, { dt })).toEqual([
      { outside_ip: s3, aws_service: "S3", bytes: 26_000 },
      { outside_ip: "203.0.113.5", aws_service: null, bytes: 700 },
    ]);
  });
});
