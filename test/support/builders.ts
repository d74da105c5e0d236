import type { AttributedRow, CurNetworkLine } from "@flowcost/core";

export const GB = 1024 ** 3;

/** One attributed row: 1 GB cross-AZ from shop/frontend (use1-az4) to shop/catalog (use1-az6), at list price. */
export function attributedRow(over: Partial<AttributedRow> = {}): AttributedRow {
  return {
    dt: "2026-11-22",
    category: "cross_az",
    subcategory: null,
    src_kind: "pod",
    src_namespace: "shop",
    src_workload_kind: "Deployment",
    src_workload: "frontend",
    src_ip: null,
    src_az_id: "use1-az4",
    src_node: "node-a",
    src_resource: null,
    dst_kind: "pod",
    dst_namespace: "shop",
    dst_workload_kind: "Deployment",
    dst_workload: "catalog",
    dst_ip: null,
    dst_az_id: "use1-az6",
    dst_node: "node-b",
    dst_resource: null,
    service: null,
    load_balancer: null,
    nat_gateway: null,
    confidence: "exact",
    bytes: GB,
    list_cost_usd: 0.02,
    ...over,
  };
}

/** One billed CUR network line of 2026-11-22, as cur_network_lines returns it. */
export function curLine(
  usage_class: string,
  resource_id: string,
  gb: number,
  cost_usd: number,
): CurNetworkLine {
  return { dt: "2026-11-22", usage_class, resource_id, usage_type: "x", usage_amount: gb, cost_usd };
}

/** 2 GB from S3 through NAT gateway nat-1 to shop/cart on node-b, at list price. */
export const natRow = (over: Partial<AttributedRow> = {}): AttributedRow =>
  attributedRow({
    category: "nat",
    subcategory: "s3",
    src_kind: "aws_service",
    src_namespace: null,
    src_workload_kind: null,
    src_workload: "S3",
    src_node: null,
    src_az_id: null,
    dst_kind: "pod",
    dst_workload: "cart",
    dst_node: "node-b",
    nat_gateway: "nat-1",
    bytes: 2 * GB,
    list_cost_usd: 0.09,
    ...over,
  });

/**
 * One curated_flows row as compaction writes it: an accepted egress record of 123456789012 in
 * us-east-1 from 10.0.1.10 (on node 10.0.1.5, use1-az1) to 10.0.2.20 (on node 10.0.2.6), port
 * 8080, starting at `start` and ending at `end`; `over` sets the rest (bytes always).
 */
export function curatedFlow(
  start: number,
  end: number,
  over: Record<string, unknown>,
): Record<string, unknown> {
  return {
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
    service_port: 8080,
    action: "ACCEPT",
    minute: start - (start % 60),
    first_start: start,
    last_end: end,
    packets: 1,
    records: 1,
    ...over,
  };
}
