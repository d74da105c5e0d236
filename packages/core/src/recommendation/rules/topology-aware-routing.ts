import { beforeAfterOf } from "../before-after.ts";
import { crossAzSavings, kubectlPatch } from "../changes.ts";
import { check, kubernetesMinor, type RecommendationInput, recommendIfWorthIt } from "../context.ts";
import { type ServiceTraffic, serviceRecommendation, topologySetting } from "../services.ts";
import type { Recommendation } from "../types.ts";
import { BALANCE_TOLERANCE, zoneBalance, zonesText } from "./zone-balance.ts";

/**
 * Catalogue item 1: same-zone routing for a Service with cross-AZ traffic, only when its ready
 * endpoints sit in every client zone in balanced numbers (otherwise spread them first, item 8).
 * Kubernetes 1.34+ gets `trafficDistribution: PreferSameZone`; older clusters the topology-mode
 * annotation. Saves the cross-AZ bytes between the Service's backends and its clients.
 */
export function topologyAwareRouting(
  input: RecommendationInput,
  t: ServiceTraffic,
  supersededBy: string | undefined,
): Recommendation {
  const m = t.model;
  const rec = serviceRecommendation(input, "topology_aware_routing", t);
  const b = zoneBalance(t);
  const minor = kubernetesMinor(input);
  const modern = minor === undefined || minor >= 34;
  const zonePatch = { spec: { trafficDistribution: "PreferSameZone" } };
  const annotation =
    minor !== undefined && minor < 27
      ? "service.kubernetes.io/topology-aware-hints"
      : "service.kubernetes.io/topology-mode";
  const annotationPatch = {
    metadata: { annotations: { [annotation]: annotation.endsWith("hints") ? "auto" : "Auto" } },
  };
  rec.change = modern
    ? kubectlPatch("Service", m.namespace, m.name, zonePatch, [
        {
          option: "Kubernetes before 1.34",
          text: kubectlPatch("Service", m.namespace, m.name, annotationPatch).text,
        },
      ])
    : kubectlPatch("Service", m.namespace, m.name, annotationPatch);
  if (minor === undefined)
    rec.evidence.notes.push(
      "Kubernetes version unknown (no kubeletVersion in the snapshot): check it is 1.34 or later",
    );
  rec.preconditions = [
    check(
      "endpoints in every client zone",
      "at least one ready endpoint in each AZ its clients call from",
      `endpoints ${zonesText(m.endpointsPerZone)}; clients in ${b.clientZones.join(", ") || "none"}${b.missing.length ? `; none in ${b.missing.join(", ")}` : ""}`,
      b.missing.length === 0,
    ),
    check(
      "balanced endpoints",
      `each client zone's share of traffic at most ${BALANCE_TOLERANCE}x its share of endpoints`,
      Number.isFinite(b.worstRatio)
        ? `worst zone ${b.worstRatio.toFixed(2)}x`
        : "a client zone has no endpoint",
      b.balanced,
    ),
    check(
      "no internalTrafficPolicy: Local",
      "zone routing is not used with internalTrafficPolicy: Local",
      `internalTrafficPolicy: ${m.service.spec?.internalTrafficPolicy ?? "Cluster"}`,
      m.service.spec?.internalTrafficPolicy !== "Local",
    ),
  ];
  rec.risk =
    "Clients then reach only their own zone's endpoints while any is ready there: a zone whose endpoints fail or run hot serves its clients worse until it recovers.";
  rec.implementationEffort = "VeryLow";
  const { savings, net } = crossAzSavings(
    input,
    rec.evidence.bytes,
    "cross-AZ bytes between the Service's backends and its clients",
  );
  rec.savings = savings;
  const setting = topologySetting(m.service);
  if (setting) {
    rec.status = "applied";
    rec.title = `${m.ref} already routes within zones (${setting})`;
    rec.reason = `applied: ${setting}`;
    const change = input.appliedChanges?.find(
      (c) => c.setting === "topology" && c.namespace === m.namespace && c.name === m.name,
    );
    if (change) rec.beforeAfter = beforeAfterOf(input, change, t.crossAzRows);
    return rec;
  }
  const failed = rec.preconditions.filter((p) => !p.met);
  rec.title = `Route ${m.ref} within zones (${modern ? "trafficDistribution: PreferSameZone" : `${annotation}`})`;
  if (supersededBy) {
    rec.reason = `superseded by ${supersededBy}, which keeps the same traffic on the node`;
  } else if (failed.length) {
    rec.reason = `spread the endpoints first (topology_spread): ${failed.map((p) => `${p.name}: ${p.observed}`).join("; ")}`;
  } else recommendIfWorthIt(rec, input, net);
  return rec;
}
