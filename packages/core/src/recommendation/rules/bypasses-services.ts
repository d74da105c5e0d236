import type { ResultRow } from "../../allocation/reconcile.ts";
import { savingsOf } from "../changes.ts";
import { baseRecommendation, monthly, type RecommendationInput, usdText, windowDays } from "../context.ts";
import type { Recommendation } from "../types.ts";

/**
 * Catalogue item 9: cross-AZ traffic that no Service carries (kubelet and the API server, node
 * agents on the host network, scrapes and log shippers talking to pod IPs). It is reported with
 * its cost, never routed: no Service setting changes it.
 */
export function bypassesServices(
  input: RecommendationInput,
  withoutService: ReadonlyArray<ResultRow>,
): Recommendation | undefined {
  const lbHop = (r: ResultRow) =>
    r.subcategory === "nodeport" || r.subcategory === "nlb_cross_zone" || r.load_balancer !== null;
  const controlPlane = input.rows.filter(
    (r) => r.category === "cross_az" && r.subcategory === "control_plane",
  );
  const nodes = input.rows.filter(
    (r) =>
      r.category === "cross_az" &&
      r.subcategory !== "control_plane" &&
      !lbHop(r) &&
      (r.src_kind === "node" || r.dst_kind === "node"),
  );
  const pods = withoutService.filter((r) => r.category === "cross_az");
  const rows = [...controlPlane, ...nodes, ...pods];
  if (rows.length === 0) return undefined;
  const rec = baseRecommendation(
    input,
    "bypasses_services",
    {
      type: "Cluster",
      cluster: input.cluster,
      namespace: null,
      kind: null,
      name: input.cluster ?? "cluster",
      resourceId: null,
    },
    rows,
  );
  const days = windowDays(input);
  const perGb = 2 * input.prices.interAzPerGbEachDirection;
  const part = (label: string, rs: ResultRow[]) => {
    const b = rs.reduce((s, r) => s + r.bytes, 0);
    return `${label}: ${b} bytes, ${usdText(monthly(b, perGb, days))} a month`;
  };
  rec.evidence.notes.push(
    part("kubelet <-> EKS API server (control plane)", controlPlane),
    part("node addresses (kubelet, host-network agents, scrapes of nodes)", nodes),
    part("pod to pod without a Service (scrapes, log shippers, direct pod IPs)", pods),
  );
  rec.savings = savingsOf(
    input,
    "reported, not routed: the cross-AZ bytes no Service carries / window days x 30 x (inter-AZ $/GB out + in) is what it costs",
    [{ bytes: rec.evidence.bytes, perGb }],
    { interAzPerGbEachDirection: input.prices.interAzPerGbEachDirection },
  ).savings;
  rec.status = "report";
  rec.title = `${usdText(rec.savings.grossMonthlySavingsUsd)} a month of cross-AZ traffic bypasses Services: routing settings cannot change it`;
  rec.reason = "no Service carries this traffic, so topology routing and internalTrafficPolicy do not apply";
  rec.risk =
    "None from flowcost: changing this traffic means changing who talks to whom (zone-aware scraping, per-zone collectors).";
  rec.implementationEffort = "High";
  rec.rollbackPossible = true;
  rec.change = { format: "none", text: "", patch: null, alternatives: [] };
  return rec;
}
