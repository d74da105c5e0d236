import {
  type AttributeDayResult,
  attributeAndReconcileDay,
  DATASETS,
  type DayWindow,
  instanceIdFromProviderId,
  pricesFor,
  type ResultRow,
} from "@flowcost/core";
import { defineCurView } from "../engine/cur.ts";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";
import { findCurFiles } from "../lake/cur-files.ts";
import { findSnapshots, readSnapshot } from "../lake/inventory-files.ts";

export interface AttributeJobResult extends AttributeDayResult {
  /** The day's rows with billed dollars (or estimates) and the `unattributed` rows, as written. */
  readonly rows: ResultRow[];
}

/**
 * attribute for one day: every category at list price, reconciled to the CUR when the lake holds
 * an export for the day's month, written to results/daily/dt= (replaced whole).
 */
export async function attributeDay(
  engine: DuckDbEngine,
  day: DayWindow,
  region: string,
  /** The lake folder, for its CUR export and node snapshots; without it dollars are estimates. */
  lakeDir?: string,
): Promise<AttributeJobResult> {
  const curFiles = lakeDir
    ? (await findCurFiles(lakeDir)).filter((f) => f.billingPeriod === day.dt.slice(0, 7))
    : [];
  await defineCurView(engine, curFiles);
  const instances = lakeDir ? await nodeInstances(lakeDir, day) : new Map<string, string>();
  const result = await attributeAndReconcileDay(
    {
      engine,
      prices: pricesFor(region),
      hasCur: curFiles.length > 0,
      instanceOfNode: (node) => instances.get(node),
      writeResults: (dt, rows) => engine.writeRows("results_daily", DATASETS.resultsDaily, { dt }, rows),
    },
    day,
  );
  return { ...result, rows: [...result.reconciliation.rows, ...result.reconciliation.unattributed] };
}

/** Node name -> EC2 instance id, from the day's Kubernetes snapshots (`spec.providerID`). */
async function nodeInstances(lakeDir: string, day: DayWindow): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const snapshots = (await findSnapshots(lakeDir)).filter(
    (s) => s.capturedAt >= day.start - 86400 && s.capturedAt < day.end,
  );
  // Nodes rarely change; the first and last snapshot of each cluster cover those that did.
  const picked = new Map<string, typeof snapshots>();
  for (const s of snapshots) picked.set(s.cluster, [...(picked.get(s.cluster) ?? []), s]);
  for (const list of picked.values()) {
    for (const s of new Set([list[0], list[list.length - 1]])) {
      if (!s) continue;
      for (const node of (await readSnapshot(s)).nodes) {
        const id = instanceIdFromProviderId(node.spec?.providerID);
        if (id) map.set(node.metadata.name, id);
      }
    }
  }
  return map;
}
