import type { DayWindow } from "../partition/keys.ts";
import { BYTES_PER_GB, type RegionPrices } from "../pricing/prices.ts";
import type { QueryEngine } from "../query/engine.ts";
import { type AttributedRow, attributeFlows } from "../query/queries/attribution.ts";
import { type CurNetworkLine, curNetworkLines } from "../query/queries/cur.ts";
import { type InstanceOfNode, type Reconciliation, type ResultRow, reconcileDay } from "./reconcile.ts";

export interface AttributeDayDeps {
  readonly engine: QueryEngine;
  readonly prices: RegionPrices;
  /** Whether a CUR export exists for the day's billing period; without it dollars are estimates. */
  readonly hasCur: boolean;
  readonly instanceOfNode: InstanceOfNode;
  /** Replaces `results/daily/dt=<dt>/` with these rows (idempotent: a re-run overwrites). */
  readonly writeResults: (dt: string, rows: ReadonlyArray<ResultRow>) => Promise<number>;
}

export interface AttributeDayResult {
  readonly attributed: AttributedRow[];
  readonly lines: CurNetworkLine[];
  readonly reconciliation: Reconciliation;
  readonly rowsWritten: number;
}

/**
 * The attribute job for one UTC day on either engine: attribution SQL, the day's billed network
 * lines, reconciliation (which throws when the day does not add up), then one partition write.
 */
export async function attributeAndReconcileDay(
  deps: AttributeDayDeps,
  day: DayWindow,
): Promise<AttributeDayResult> {
  const p = deps.prices;
  const attributed = (
    await deps.engine.query(attributeFlows, {
      dt: day.dt,
      bytesPerGb: BYTES_PER_GB,
      interAzPerGb: p.interAzPerGbEachDirection,
      natPerGb: p.natGatewayPerGb,
      vpcEndpointPerGb: p.interfaceEndpointPerGb,
      internetPerGb: p.internetEgressPerGb,
    })
  ).rows;
  const lines = deps.hasCur
    ? (await deps.engine.query(curNetworkLines, { billingPeriod: day.dt.slice(0, 7), dt: day.dt })).rows
    : [];
  const fromRows = instancesFromRows(attributed);
  const reconciliation = reconcileDay(
    day.dt,
    attributed,
    lines,
    (node) => deps.instanceOfNode(node) ?? fromRows.get(node),
  );
  const rowsWritten = await deps.writeResults(day.dt, [
    ...reconciliation.rows,
    ...reconciliation.unattributed,
  ]);
  return { attributed, lines, reconciliation, rowsWritten };
}

/**
 * Node name -> instance id from the day's own rows: node ends carry their instance as the
 * resource (ip_identity.resource_id), so pods on the same node bill to it too.
 */
export function instancesFromRows(rows: ReadonlyArray<AttributedRow>): Map<string, string> {
  const map = new Map<string, string>();
  for (const r of rows) {
    if (r.src_kind === "node" && r.src_node && r.src_resource?.startsWith("i-"))
      map.set(r.src_node, r.src_resource);
    if (r.dst_kind === "node" && r.dst_node && r.dst_resource?.startsWith("i-"))
      map.set(r.dst_node, r.dst_resource);
  }
  return map;
}

/** `aws:///us-east-1a/i-0abc…` -> `i-0abc…` (kubernetes/cloud-provider-aws); undefined otherwise. */
export function instanceIdFromProviderId(providerId: string | undefined): string | undefined {
  const m = /^aws:\/\/\/[^/]+\/(i-[0-9a-f]+)$/.exec(providerId ?? "");
  return m?.[1];
}
