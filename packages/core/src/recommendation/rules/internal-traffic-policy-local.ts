import { beforeAfterOf } from "../before-after.ts";
import { crossAzSavings, kubectlPatch } from "../changes.ts";
import { check, type RecommendationInput, recommendIfWorthIt } from "../context.ts";
import { type ServiceTraffic, serviceRecommendation } from "../services.ts";
import type { Recommendation } from "../types.ts";

/**
 * Catalogue item 2: `internalTrafficPolicy: Local` only when every node that calls the Service
 * has a ready endpoint of it (a node-agent DaemonSet, typically). A caller on a node without one
 * would have its traffic dropped, so a single-backend Service never qualifies. Saves all the
 * cross-AZ bytes between the Service and its clients (node-local traffic leaves no ENI).
 */
export function internalTrafficPolicyLocal(input: RecommendationInput, t: ServiceTraffic): Recommendation {
  const m = t.model;
  const rec = serviceRecommendation(input, "internal_traffic_policy_local", t);
  const endpointNodes = new Set(m.endpoints.map((e) => e.node).filter((n): n is string => n !== null));
  const callers = [...t.clientNodes].sort();
  const without = callers.filter((n) => !endpointNodes.has(n));
  rec.preconditions = [
    check(
      "a local endpoint on every calling node",
      "each node that runs a client has a ready endpoint of the Service",
      `${callers.length - without.length} of ${callers.length} calling nodes have one${without.length ? `; none on ${without.join(", ")}` : ""}`,
      callers.length > 0 && without.length === 0,
    ),
    check(
      "more than one backend",
      "at least two ready endpoints",
      `${m.endpoints.length} ready endpoint(s)`,
      m.endpoints.length > 1,
    ),
  ];
  rec.risk =
    "With internalTrafficPolicy: Local a client whose node has no ready endpoint gets its traffic dropped, not sent elsewhere: keep an endpoint on every node that calls it.";
  rec.implementationEffort = "VeryLow";
  rec.change = kubectlPatch("Service", m.namespace, m.name, { spec: { internalTrafficPolicy: "Local" } });
  const { savings, net } = crossAzSavings(
    input,
    rec.evidence.bytes,
    "cross-AZ bytes between the Service's backends and its clients",
  );
  rec.savings = savings;
  rec.title = `Keep ${m.ref} on the node (internalTrafficPolicy: Local)`;
  if (m.service.spec?.internalTrafficPolicy === "Local") {
    rec.status = "applied";
    rec.reason = "applied: internalTrafficPolicy: Local";
    const change = input.appliedChanges?.find(
      (c) => c.setting === "internalTrafficPolicy" && c.namespace === m.namespace && c.name === m.name,
    );
    if (change) rec.beforeAfter = beforeAfterOf(input, change, t.crossAzRows);
    return rec;
  }
  if (m.endpoints.length <= 1) {
    rec.reason = `single backend (${m.endpoints.length} ready endpoint${m.endpoints[0]?.node ? ` on ${m.endpoints[0].node}` : ""}): with internalTrafficPolicy: Local, callers on ${without.length} other node(s) would have their traffic dropped`;
  } else if (without.length) {
    rec.reason = `${without.length} calling node(s) have no local endpoint (${without.join(", ")}): their traffic would be dropped`;
  } else recommendIfWorthIt(rec, input, net);
  return rec;
}
