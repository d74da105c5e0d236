import {
  buildIdentityIntervals,
  DATASETS,
  type DayWindow,
  type IdentityBuild,
  type IdentityInterval,
} from "@flowcost/core";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";
import { findSnapshots, readSnapshot, readZoneMap } from "../lake/inventory-files.ts";

export interface IdentityJobResult {
  readonly clusters: ReadonlyArray<{ cluster: string; stats: IdentityBuild["stats"] }>;
  readonly intervals: number;
}

/**
 * build-identity for one day: every cluster's snapshots -> address intervals overlapping the
 * day, clipped to it, written to curated/ip_identity/dt= (replaced whole).
 */
export async function buildIdentityDay(
  engine: DuckDbEngine,
  lakeDir: string,
  day: DayWindow,
  snapshotPeriodSeconds = 300,
): Promise<IdentityJobResult> {
  const zones = await readZoneMap(lakeDir);
  const byCluster = new Map<string, Awaited<ReturnType<typeof findSnapshots>>>();
  for (const s of await findSnapshots(lakeDir)) {
    // Neighbouring days' snapshots bound intervals that cross midnight.
    if (s.capturedAt < day.start - 86400 || s.capturedAt > day.end + 86400) continue;
    byCluster.set(s.cluster, [...(byCluster.get(s.cluster) ?? []), s]);
  }
  const rows: Array<Record<string, unknown>> = [];
  const clusters: IdentityJobResult["clusters"][number][] = [];
  for (const [cluster, files] of byCluster) {
    const snapshots = [];
    for (const file of files)
      snapshots.push({ capturedAt: file.capturedAt, inventory: await readSnapshot(file) });
    const build = buildIdentityIntervals(cluster, snapshots, zones, snapshotPeriodSeconds);
    clusters.push({ cluster, stats: build.stats });
    for (const i of build.intervals) {
      if (i.validTo <= day.start || i.validFrom >= day.end) continue;
      rows.push(identityRow(i, day));
    }
  }
  await engine.writeRows("ip_identity", DATASETS.ipIdentity, { dt: day.dt }, rows);
  return { clusters, intervals: rows.length };
}

function identityRow(i: IdentityInterval, day: DayWindow): Record<string, unknown> {
  return {
    cluster: i.cluster,
    ip: i.ip,
    kind: i.kind,
    owner_id: i.ownerId,
    namespace: i.namespace,
    pod_name: i.podName,
    workload_kind: i.workloadKind,
    workload: i.workload,
    node: i.node,
    az_id: i.azId,
    resource_id: i.resourceId,
    service: i.service,
    valid_from: Math.max(i.validFrom, day.start),
    valid_to: Math.min(i.validTo, day.end),
  };
}
