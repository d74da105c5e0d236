import { z } from "zod";
import type { ResultRow } from "../allocation/reconcile.ts";
import { HOURS_PER_MONTH, monthly, type RecommendationInput, windowDays } from "./context.ts";
import { INTERFACE_ENDPOINT_SERVICES } from "./rules/interface-endpoint.ts";
import { isNatLeg, isNatProcessing, natFarService, natGatewayAz, natInsideAz } from "./rules/nat-rows.ts";
import { serviceModels, serviceTraffic } from "./services.ts";

export type WhatIfChange =
  | "topology_aware_routing"
  | "internal_traffic_policy_local"
  | "nat_gateway_per_az"
  | "vpc_endpoints";

export type WhatIfScope =
  | { readonly kind: "cluster" }
  | { readonly kind: "namespace"; readonly namespace: string }
  | { readonly kind: "service"; readonly namespace: string; readonly name: string };

export const whatIfResultSchema = z
  .object({
    scope: z.union([
      z.object({ kind: z.literal("cluster") }).strict(),
      z.object({ kind: z.literal("namespace"), namespace: z.string() }).strict(),
      z.object({ kind: z.literal("service"), namespace: z.string(), name: z.string() }).strict(),
    ]),
    change: z.enum([
      "topology_aware_routing",
      "internal_traffic_policy_local",
      "nat_gateway_per_az",
      "vpc_endpoints",
    ]),
    currentMonthlyUsd: z.number().describe("list cost of the traffic the change acts on, 30 days"),
    afterMonthlyUsd: z.number().describe("the same traffic with the change, plus the hours it adds"),
    savedMonthlyUsd: z.number(),
    measuredBytes: z.int(),
    movedBytes: z.int(),
    addedMonthlyUsd: z.number(),
    notes: z.array(z.string()),
  })
  .strict();

export interface WhatIfResult {
  readonly scope: WhatIfScope;
  readonly change: WhatIfChange;
  /** Monthly list cost of the traffic the change acts on, as measured. */
  readonly currentMonthlyUsd: number;
  /** The same traffic's monthly cost with the change, plus what the change adds (gateways, endpoints). */
  readonly afterMonthlyUsd: number;
  readonly savedMonthlyUsd: number;
  readonly measuredBytes: number;
  /** Bytes the change takes off the bill (or reprices, for interface endpoints). */
  readonly movedBytes: number;
  readonly addedMonthlyUsd: number;
  readonly notes: string[];
}

const inNamespace = (r: ResultRow, ns: string) => r.src_namespace === ns || r.dst_namespace === ns;

/**
 * What every what-if of one input reads the same way, computed once per input: each Service's
 * traffic (a pass over every row) and the AZs of the cluster's pods and nodes. `whatIfs` asks for
 * one scope and change at a time, the cluster, each namespace and each Service, and recomputing
 * these for each was most of the recommending step's time (the input is not changed after it is
 * built, so the figures are the same).
 */
const perInput = new WeakMap<
  RecommendationInput,
  { traffic?: ReturnType<typeof serviceTraffic>; zones?: ReadonlySet<string> }
>();

function memo(input: RecommendationInput) {
  let m = perInput.get(input);
  if (!m) {
    m = {};
    perInput.set(input, m);
  }
  return m;
}

function trafficOf(input: RecommendationInput): ReturnType<typeof serviceTraffic> {
  const m = memo(input);
  m.traffic ??= serviceTraffic(input, serviceModels(input));
  return m.traffic;
}

/** The AZ IDs of the pods and nodes the rows name: an interface endpoint is paid for in each. */
function clusterZonesOf(input: RecommendationInput): ReadonlySet<string> {
  const m = memo(input);
  m.zones ??= new Set(
    input.rows
      .flatMap((r) => [
        r.src_kind === "pod" || r.src_kind === "node" ? r.src_az_id : null,
        r.dst_kind === "pod" || r.dst_kind === "node" ? r.dst_az_id : null,
      ])
      .filter((z): z is string => z !== null),
  );
  return m.zones;
}

/**
 * The cost of a scope's measured traffic under a routing change, list prices extrapolated to 30
 * days, for the change applied everywhere in the scope whatever its preconditions (the
 * recommendations say where it is safe): zone routing keeps a Service's traffic in the client's
 * zone when an endpoint is there; internalTrafficPolicy: Local keeps it on the node when an
 * endpoint is there (and drops the rest, reported); a NAT gateway per AZ removes the cross-AZ
 * leg for the hours of the added gateways; VPC endpoints take S3 and DynamoDB off the NAT gateway
 * for free and the services an interface endpoint serves for its per-GB price and AZ-hours.
 */
export function whatIf(input: RecommendationInput, scope: WhatIfScope, change: WhatIfChange): WhatIfResult {
  const days = windowDays(input);
  const p = input.prices;
  const crossPerGb = 2 * p.interAzPerGbEachDirection;
  const notes: string[] = [];
  let current = 0;
  let after = 0;
  let measured = 0;
  let moved = 0;
  let added = 0;
  if (change === "topology_aware_routing" || change === "internal_traffic_policy_local") {
    const { traffic } = trafficOf(input);
    for (const t of traffic.values()) {
      const m = t.model;
      if (scope.kind === "namespace" && m.namespace !== scope.namespace) continue;
      if (scope.kind === "service" && (m.namespace !== scope.namespace || m.name !== scope.name)) continue;
      const endpointNodes = new Set(m.endpoints.map((e) => e.node));
      for (const r of t.crossAzRows) {
        const clientIsSrc = !m.backends.some(
          (b) =>
            b.namespace === r.src_namespace && b.kind === r.src_workload_kind && b.name === r.src_workload,
        );
        const zone = clientIsSrc ? r.src_az_id : r.dst_az_id;
        const node = clientIsSrc ? r.src_node : r.dst_node;
        const cost = monthly(r.bytes, crossPerGb, days);
        measured += r.bytes;
        current += cost;
        const stays =
          change === "topology_aware_routing"
            ? !(zone && (m.endpointsPerZone[zone] ?? 0) > 0)
            : !(node && endpointNodes.has(node));
        if (stays) after += cost;
        else moved += r.bytes;
      }
      if (change === "internal_traffic_policy_local") {
        const stranded = [...t.clientNodes].filter((n) => !endpointNodes.has(n));
        if (stranded.length)
          notes.push(
            `${m.ref}: callers on ${stranded.length} node(s) without a local endpoint would be dropped`,
          );
      }
    }
  } else {
    const nat = input.rows.filter(
      (r) =>
        r.category === "nat" &&
        (scope.kind === "cluster" || (scope.kind === "namespace" && inNamespace(r, scope.namespace))),
    );
    if (scope.kind === "namespace")
      notes.push("NAT traffic under node SNAT carries no namespace: it counts at cluster scope only");
    if (change === "nat_gateway_per_az") {
      const legs = nat.filter(isNatLeg);
      const natZones = new Set(nat.map(natGatewayAz).filter((z): z is string => z !== null));
      const zones = new Set(legs.map(natInsideAz).filter((z): z is string => z !== null && !natZones.has(z)));
      measured = legs.reduce((s, r) => s + r.bytes, 0);
      moved = measured;
      current = monthly(measured, crossPerGb, days);
      added = zones.size * HOURS_PER_MONTH * p.natGatewayPerHour;
      after = added;
      if (scope.kind !== "cluster" && added > 0)
        notes.push("the added NAT gateways serve the whole VPC; their hours are counted in full");
    } else {
      for (const r of nat) {
        const service = natFarService(r);
        const gateway = service === "S3" || service === "DYNAMODB";
        const iface = service !== null && INTERFACE_ENDPOINT_SERVICES[service] !== undefined;
        const leg = isNatLeg(r);
        const cost = monthly(r.bytes, leg ? crossPerGb : p.natGatewayPerGb, days);
        measured += r.bytes;
        current += cost;
        if (gateway) moved += r.bytes;
        else if (iface) {
          moved += r.bytes;
          if (isNatProcessing(r)) after += monthly(r.bytes, p.interfaceEndpointPerGb, days);
        } else after += cost;
      }
      const ifaceServices = new Set(
        nat
          .map(natFarService)
          .filter((s): s is string => s !== null && INTERFACE_ENDPOINT_SERVICES[s] !== undefined),
      );
      added =
        ifaceServices.size * clusterZonesOf(input).size * HOURS_PER_MONTH * p.interfaceEndpointPerAzHour;
      after += added;
      const unnamed = nat.filter((r) => natFarService(r) === "AMAZON" || natFarService(r) === "EC2");
      if (unnamed.length)
        notes.push("bytes to AMAZON/EC2 ranges stay on the NAT gateway: no single endpoint serves them");
    }
  }
  return {
    scope,
    change,
    currentMonthlyUsd: current,
    afterMonthlyUsd: after,
    savedMonthlyUsd: current - after,
    measuredBytes: measured,
    movedBytes: moved,
    addedMonthlyUsd: added,
    notes,
  };
}

/** Every change for the cluster and each namespace with traffic, and zone routing per Service. */
export function whatIfs(input: RecommendationInput): WhatIfResult[] {
  const changes: WhatIfChange[] = [
    "topology_aware_routing",
    "internal_traffic_policy_local",
    "nat_gateway_per_az",
    "vpc_endpoints",
  ];
  const namespaces = [
    ...new Set(
      input.rows.flatMap((r) => [r.src_namespace, r.dst_namespace]).filter((n): n is string => n !== null),
    ),
  ].sort();
  const out: WhatIfResult[] = [];
  for (const change of changes) out.push(whatIf(input, { kind: "cluster" }, change));
  for (const namespace of namespaces)
    for (const change of changes) {
      const r = whatIf(input, { kind: "namespace", namespace }, change);
      if (r.measuredBytes > 0) out.push(r);
    }
  const { traffic } = trafficOf(input);
  for (const t of traffic.values())
    if (t.crossAzRows.length)
      for (const change of ["topology_aware_routing", "internal_traffic_policy_local"] as const)
        out.push(
          whatIf(input, { kind: "service", namespace: t.model.namespace, name: t.model.name }, change),
        );
  return out;
}
