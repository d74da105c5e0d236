import { endLabel } from "../report/weekly-report.ts";
import { chargeView } from "../results/charge-view.ts";
import type { DaySummary } from "../results/day-summary.ts";
import type { ChargeLine, DayCharges } from "./series.ts";

/**
 * A day's results as the charge lines regression detection watches: the charge view (every billed
 * dollar with one owner) with each owner's flow. A billed day counts its billed cents, an
 * estimated day its list price. `same_az` costs nothing and is left out.
 */
export function dayCharges(summary: DaySummary): DayCharges {
  const lines: ChargeLine[] = [];
  for (const c of chargeView(summary)) {
    if (c.row.category === "same_az") continue;
    const owner = c.owner;
    lines.push({
      category: c.row.category,
      subcategory: c.row.subcategory,
      namespace: owner.kind === "unattributed" ? null : owner.namespace,
      // A Service owns load balancer hours and LCUs: it is the Service series, not a workload.
      workload: owner.kind === "unattributed" || owner.kind === "service" ? null : endLabel(owner),
      service: c.row.service,
      costUsd: c.billedCents !== null ? c.billedCents / 100 : c.listCostMicros / 1e6,
      bytes: c.bytes,
      source: endLabel(c.row.source),
      destination: endLabel(c.row.destination),
      sourceAz: c.row.source.azId,
      destinationAz: c.row.destination.azId,
    });
  }
  return { dt: summary.dt, costBasis: summary.costBasis, lines };
}
