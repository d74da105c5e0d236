import type { RecommendationInput } from "./context.ts";
import { bypassesServices } from "./rules/bypasses-services.ts";
import { gatewayEndpoint } from "./rules/gateway-endpoint.ts";
import { interfaceEndpoints } from "./rules/interface-endpoint.ts";
import { internalTrafficPolicyLocal } from "./rules/internal-traffic-policy-local.ts";
import { lbIpTargetMode } from "./rules/lb-ip-target-mode.ts";
import { natGatewayPerAz } from "./rules/nat-gateway-per-az.ts";
import { nlbCrossZoneOff } from "./rules/nlb-cross-zone-off.ts";
import { nodeLocalDnsCache } from "./rules/nodelocal-dnscache.ts";
import { topologyAwareRouting } from "./rules/topology-aware-routing.ts";
import { topologySpread } from "./rules/topology-spread.ts";
import { zoneBalance } from "./rules/zone-balance.ts";
import { serviceModels, serviceTraffic } from "./services.ts";
import type { Recommendation } from "./types.ts";

const STATUS_ORDER: Record<Recommendation["status"], number> = {
  recommended: 0,
  applied: 1,
  report: 2,
  declined: 3,
};

/** Recommended first, by estimated monthly savings; then applied, reports, declined; ties by id. */
export function rankRecommendations(recs: ReadonlyArray<Recommendation>): Recommendation[] {
  return [...recs].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      b.estimatedMonthlySavingsUsd - a.estimatedMonthlySavingsUsd ||
      b.evidence.listCostUsd - a.evidence.listCostUsd ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * Every catalogue rule over one window's rows and inventory. Each rule recommends, declines with
 * its reason ("needs <input>" when an input is missing), reports (traffic no routing fixes) or
 * notes that the change is already applied (with the measured before/after when the window saw it
 * happen). Pure: the same input gives the same list.
 */
export function recommend(input: RecommendationInput): Recommendation[] {
  const out: Recommendation[] = [];
  const { traffic, withoutService } = serviceTraffic(input, serviceModels(input));
  for (const t of traffic.values()) {
    if (t.crossAzRows.length === 0) continue;
    const itp = internalTrafficPolicyLocal(input, t);
    out.push(itp);
    const tar = topologyAwareRouting(
      input,
      t,
      itp.status === "recommended" ? "internal_traffic_policy_local" : undefined,
    );
    out.push(tar);
    if (!zoneBalance(t).balanced && tar.status !== "applied" && itp.status !== "recommended")
      out.push(topologySpread(input, t));
  }
  const s3 = gatewayEndpoint(input, "S3");
  const dynamodb = gatewayEndpoint(input, "DYNAMODB");
  const interfaces = interfaceEndpoints(input);
  const moved = new Set<string>();
  if (s3?.status === "recommended") moved.add("S3");
  if (dynamodb?.status === "recommended") moved.add("DYNAMODB");
  for (const { service, rec } of interfaces) if (rec.status === "recommended") moved.add(service);
  out.push(
    ...[s3, dynamodb].filter((r): r is Recommendation => r !== undefined),
    ...interfaces.map((i) => i.rec),
  );
  out.push(...natGatewayPerAz(input, moved));
  out.push(...lbIpTargetMode(input), ...nlbCrossZoneOff(input));
  const dns = nodeLocalDnsCache(input);
  if (dns) out.push(dns);
  const bypass = bypassesServices(input, withoutService);
  if (bypass) out.push(bypass);
  return rankRecommendations(out);
}
