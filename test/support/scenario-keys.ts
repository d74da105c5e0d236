import { type AttributedRow, billedResourceKey } from "@flowcost/core";
import type { TruthEnd, TruthRow } from "@flowcost/local/scenario/traffic";

/** One end as both the generator's answer key and a result row can name it. */
function endKey(
  kind: string,
  namespace: string | null,
  workload: string | null,
  az: string | null,
  resource: string | null,
  ip: string | null,
): string {
  if (kind === "pod") return `pod:${namespace}/${workload}@${az}`;
  if (kind === "node") return `node:${workload}@${az}`;
  if (kind === "unknown") return `unknown:${ip ?? resource}`;
  if (kind === "load_balancer" || kind === "eks_control_plane")
    return `${kind}:${billedResourceKey(resource ?? "")}@${az}`;
  return `${kind}:${workload ?? "-"}@${az ?? "-"}`;
}

const truthEnd = (e: TruthEnd) =>
  endKey(e.kind, e.namespace, e.workload, e.azId, e.resource, e.kind === "unknown" ? e.resource : null);

/** category|subcategory|source|destination|Service|LB|NAT|confidence */
export function truthKey(t: TruthRow): string {
  return [
    t.category,
    t.subcategory,
    truthEnd(t.src),
    truthEnd(t.dst),
    t.service,
    t.loadBalancer,
    t.natGateway,
    t.confidence,
  ].join("|");
}

export function rowKey(r: AttributedRow): string {
  return [
    r.category,
    r.subcategory,
    endKey(r.src_kind, r.src_namespace, r.src_workload, r.src_az_id, r.src_resource, r.src_ip),
    endKey(r.dst_kind, r.dst_namespace, r.dst_workload, r.dst_az_id, r.dst_resource, r.dst_ip),
    r.service,
    r.load_balancer ? billedResourceKey(r.load_balancer) : null,
    r.nat_gateway,
    r.confidence,
  ].join("|");
}

/** Bytes per key, summing rows that share one (e.g. two NAT ENI records of one pair). */
export function bytesByKey<T>(
  rows: ReadonlyArray<T>,
  key: (row: T) => string,
  bytes: (row: T) => number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + bytes(r));
  return out;
}
