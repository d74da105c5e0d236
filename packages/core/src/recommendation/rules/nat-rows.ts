import type { ResultRow } from "../../allocation/reconcile.ts";
import type { RouteTable } from "../../inventory/aws-network.ts";
import type { RecommendationInput } from "../context.ts";

const OUTSIDE = new Set(["aws_service", "internet"]);

/** The AWS service (as flow logs name it: S3, DYNAMODB, ...) at the outside end of a NAT row; null for the internet. */
export function natFarService(r: ResultRow): string | null {
  if (OUTSIDE.has(r.dst_kind)) return r.dst_kind === "aws_service" ? r.dst_workload : null;
  if (OUTSIDE.has(r.src_kind)) return r.src_kind === "aws_service" ? r.src_workload : null;
  return null;
}

/** The inside end's AZ ID (the pod or node behind the NAT gateway). */
export function natInsideAz(r: ResultRow): string | null {
  return OUTSIDE.has(r.dst_kind) ? r.src_az_id : r.dst_az_id;
}
export function natGatewayAz(r: ResultRow): string | null {
  return OUTSIDE.has(r.dst_kind) ? r.dst_az_id : r.src_az_id;
}

export const isNatLeg = (r: ResultRow): boolean => r.category === "nat" && r.subcategory === "cross_az_leg";
export const isNatProcessing = (r: ResultRow): boolean =>
  r.category === "nat" && r.subcategory !== "cross_az_leg";

/** NAT rows (processing and leg) whose outside end is this AWS service. */
export function natRowsFor(
  input: RecommendationInput,
  service: string,
): { processing: ResultRow[]; leg: ResultRow[] } {
  const rows = input.rows.filter((r) => r.category === "nat" && natFarService(r) === service);
  return { processing: rows.filter(isNatProcessing), leg: rows.filter(isNatLeg) };
}

/** Route tables that send 0.0.0.0/0 to one of these NAT gateways. */
export function routeTablesToNat(
  tables: ReadonlyArray<RouteTable>,
  natIds: ReadonlySet<string>,
): RouteTable[] {
  return tables.filter((t) =>
    (t.Routes ?? []).some(
      (r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.NatGatewayId && natIds.has(r.NatGatewayId),
    ),
  );
}

/** The VPC of the NAT gateways the rows go through (describe-nat-gateways), else of any NAT gateway. */
export function vpcOf(input: RecommendationInput, natIds: ReadonlySet<string>): string | undefined {
  const nats = input.aws.natGateways ?? [];
  return (nats.find((n) => natIds.has(n.NatGatewayId)) ?? nats[0])?.VpcId;
}

export const natIdsOf = (rows: ReadonlyArray<ResultRow>): Set<string> =>
  new Set(rows.map((r) => r.nat_gateway).filter((n): n is string => n !== null));

/** Zones with Kubernetes nodes, else the zones NAT users sit in. */
export function clusterZones(input: RecommendationInput, fallback: ReadonlyArray<ResultRow>): string[] {
  const zones = new Set<string>();
  for (const r of input.rows) {
    if (r.src_kind === "pod" || r.src_kind === "node") if (r.src_az_id) zones.add(r.src_az_id);
    if (r.dst_kind === "pod" || r.dst_kind === "node") if (r.dst_az_id) zones.add(r.dst_az_id);
  }
  if (zones.size === 0) for (const r of fallback) if (natInsideAz(r)) zones.add(natInsideAz(r) as string);
  return [...zones].sort();
}
