import type { AttributedRow } from "@flowcost/core";

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
