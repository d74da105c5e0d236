import { crossAzSavings, kubectlPatch } from "../changes.ts";
import {
  baseRecommendation,
  check,
  nodeZones,
  type RecommendationInput,
  recommendIfWorthIt,
} from "../context.ts";
import type { ServiceTraffic } from "../services.ts";
import type { Recommendation } from "../types.ts";
import { zoneBalance, zonesText } from "./zone-balance.ts";

/**
 * Catalogue item 8: a workload whose endpoints sit mostly in one AZ (or miss a client zone) gets
 * a zone spread constraint, and enough replicas for one per zone, so that same-zone routing can
 * follow. The saving is what zone routing saves once every client zone has endpoints: the
 * Service's cross-AZ bytes with its clients.
 */
export function topologySpread(input: RecommendationInput, t: ServiceTraffic): Recommendation {
  const m = t.model;
  const backend = m.backends.length === 1 ? m.backends[0] : undefined;
  const rec = baseRecommendation(
    input,
    "topology_spread",
    {
      type: "Workload",
      cluster: input.cluster,
      namespace: m.namespace,
      kind: backend?.kind ?? null,
      name: backend?.name ?? m.name,
      resourceId: null,
    },
    t.crossAzRows,
  );
  rec.evidence.endpointsPerZone = { ...m.endpointsPerZone };
  rec.evidence.clientZones = { ...t.clientZones };
  rec.evidence.notes.push(`behind Service ${m.ref}`);
  const b = zoneBalance(t);
  const zones = new Set(nodeZones(input).values()).size || b.clientZones.length;
  const current = m.endpoints.length;
  const replicas = Math.max(zones, Math.ceil(current / zones) * zones);
  rec.preconditions = [
    check(
      "endpoints unbalanced or missing a client zone",
      "zone routing cannot be used as the endpoints sit",
      `endpoints ${zonesText(m.endpointsPerZone)}; clients in ${b.clientZones.join(", ") || "none"}`,
      !b.balanced,
    ),
    check(
      "one workload behind the Service",
      "exactly one backing workload",
      `${m.backends.length}`,
      m.backends.length === 1,
    ),
  ];
  const selector = m.service.spec?.selector ?? {};
  const constraint = {
    maxSkew: 1,
    topologyKey: "topology.kubernetes.io/zone",
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: selector },
  };
  const spec: Record<string, unknown> = { template: { spec: { topologySpreadConstraints: [constraint] } } };
  if (replicas > current) spec.replicas = replicas;
  if (backend) rec.change = kubectlPatch(backend.kind, m.namespace, backend.name, { spec });
  rec.change.alternatives.push({
    option: "then route within zones",
    text: `kubectl patch service ${m.name} -n ${m.namespace} --type merge -p '${JSON.stringify({ spec: { trafficDistribution: "PreferSameZone" } })}'`,
  });
  rec.risk =
    "Pods are rescheduled across zones (a rolling restart); a merge patch replaces any existing topologySpreadConstraints of the workload, so merge them by hand if it has some.";
  rec.implementationEffort = "Low";
  rec.restartNeeded = true;
  const { savings, net } = crossAzSavings(
    input,
    rec.evidence.bytes,
    "cross-AZ bytes between the Service's backends and its clients, once the endpoints are spread and routed within zones",
  );
  rec.savings = savings;
  rec.title = backend
    ? `Spread ${m.namespace}/${backend.name} across zones${replicas > current ? ` (${replicas} replicas)` : ""}, then route ${m.ref} within zones`
    : `Spread the endpoints of ${m.ref} across zones`;
  if (!backend) rec.reason = `${m.backends.length} workloads back ${m.ref}: spread each of them`;
  else if (backend.kind === "DaemonSet") rec.reason = "a DaemonSet already runs on every node";
  else if (backend.kind === "StatefulSet" && current <= 1)
    rec.reason =
      "a single-instance StatefulSet: spreading needs more replicas, which the application must support";
  else if (b.balanced) rec.reason = "endpoints already sit in every client zone in balanced numbers";
  else recommendIfWorthIt(rec, input, net);
  return rec;
}
