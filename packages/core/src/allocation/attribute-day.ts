import { DATASETS, type DayWindow } from "../partition/keys.ts";
import { BYTES_PER_GB, type RegionPrices } from "../pricing/prices.ts";
import type { QueryEngine } from "../query/engine.ts";
import {
  type AttributedRow,
  attributeFlows,
  type Pairing,
  stitchFlows,
  stitchSummary,
} from "../query/queries/attribution.ts";
import { type CurNetworkLine, curNetworkLines } from "../query/queries/cur.ts";
import { nodeInstances } from "../query/queries/identity.ts";
import { type Reconciliation, type ResultRow, reconcileDay } from "./reconcile.ts";

export interface AttributeDayDeps {
  readonly engine: QueryEngine;
  readonly prices: RegionPrices;
  /** Whether a CUR export exists for the day's billing period; without it dollars are estimates. */
  readonly hasCur: boolean;
  /** Replaces `results/daily/dt=<dt>/` with these rows (idempotent: a re-run overwrites). */
  readonly writeResults: (dt: string, rows: ReadonlyArray<ResultRow>) => Promise<number>;
}

export interface AttributeDayResult {
  readonly attributed: AttributedRow[];
  readonly lines: CurNetworkLine[];
  readonly reconciliation: Reconciliation;
  readonly rowsWritten: number;
  /**
   * Bytes per pairing outcome and direction of the day's flows whose format lacks packet
   * addresses (empty when every format logs pkt-srcaddr/pkt-dstaddr).
   */
  readonly stitching: ReadonlyArray<{ pairing: Pairing; flowDirection: string; bytes: number; rows: number }>;
}

/**
 * The attribute job for one UTC day on either engine: attribution SQL, the day's billed network
 * lines and node instances, reconciliation (which throws when the day does not add up), then
 * one partition write.
 */
export async function attributeAndReconcileDay(
  deps: AttributeDayDeps,
  day: DayWindow,
): Promise<AttributeDayResult> {
  const p = deps.prices;
  // Flows without packet addresses (default format) get their true ends from the peer ENI's
  // record first; a day without any writes an empty partition.
  await deps.engine.materialize(
    stitchFlows,
    { dt: day.dt },
    { table: "stitched_flows", prefix: DATASETS.stitchedFlows, partitions: [{ dt: day.dt }] },
  );
  const stitching = (await deps.engine.query(stitchSummary, { dt: day.dt })).rows.map((r) => ({
    pairing: r.pairing,
    flowDirection: r.flow_direction,
    bytes: r.bytes,
    rows: r.rows,
  }));
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
  // Pods' cross-AZ bytes bill to their node's instance (InterZone lines are per instance).
  const instances = new Map(
    (await deps.engine.query(nodeInstances, { dt: day.dt })).rows.map((r) => [r.node, r.instance_id]),
  );
  const reconciliation = reconcileDay(day.dt, attributed, lines, (node) => instances.get(node));
  const rowsWritten = await deps.writeResults(day.dt, [
    ...reconciliation.rows,
    ...reconciliation.unattributed,
  ]);
  return { attributed, lines, reconciliation, rowsWritten, stitching };
}
