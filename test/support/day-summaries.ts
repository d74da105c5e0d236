import {
  type AttributedRow,
  buildDaySummary,
  type CurNetworkLine,
  type DaySummary,
  reconcileDay,
} from "@flowcost/core";
import { attributedRow, GB } from "./builders.ts";

const INSTANCES: Record<string, string> = { "node-a": "i-0aaa", "node-b": "i-0bbb", "node-c": "i-0ccc" };

/**
 * A day summary built the way the pipeline builds one (reconcile, then the charge split): shop/
 * frontend (node-a) sends shop/catalog (node-b) `usdPerSide / $0.01` GB across AZs, billed
 * `usdPerSide` InterZone-Out at node-a's instance and as much InterZone-In at node-b's, plus
 * `extra` cross-AZ rows to node-b billed at their list price the same way. `cur: false` leaves
 * the day without CUR lines (list-price estimates).
 */
export function crossAzDay(
  dt: string,
  options: { usdPerSide?: number; extra?: AttributedRow[]; cur?: boolean } = {},
): DaySummary {
  const usd = options.usdPerSide ?? 0.03;
  const rows = [
    attributedRow({ dt, bytes: Math.round(100 * GB * usd), list_cost_usd: 2 * usd }),
    ...(options.extra ?? []),
  ];
  const billed = new Map<string, number>([
    ["inter_az_out|i-0aaa", usd],
    ["inter_az_in|i-0bbb", usd],
  ]);
  for (const r of options.extra ?? []) {
    const out = `inter_az_out|${INSTANCES[r.src_node ?? "node-a"]}`;
    billed.set(out, (billed.get(out) ?? 0) + r.list_cost_usd / 2);
    billed.set("inter_az_in|i-0bbb", (billed.get("inter_az_in|i-0bbb") ?? 0) + r.list_cost_usd / 2);
  }
  const lines: CurNetworkLine[] =
    options.cur === false
      ? []
      : [...billed].map(([k, cost_usd]) => {
          const [usage_class, resource_id] = k.split("|") as [string, string];
          return { dt, usage_class, resource_id, usage_type: "x", usage_amount: cost_usd * 100, cost_usd };
        });
  return buildDaySummary({ reconciliation: reconcileDay(dt, rows, lines, (node) => INSTANCES[node]) });
}

/** The planted regression's flow: analytics/exporter (on `node`) sends `gb` to shop/catalog across AZs. */
export function exporterRow(dt: string, gb: number, node = "node-a"): AttributedRow {
  return attributedRow({
    dt,
    src_namespace: "analytics",
    src_workload: "exporter",
    src_node: node,
    bytes: gb * GB,
    list_cost_usd: gb * 0.02,
  });
}
