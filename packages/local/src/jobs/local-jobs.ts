import {
  attributeCrossAz,
  BYTES_PER_GB,
  buildIdentityIntervals,
  compactFlows,
  DATASETS,
  type DayWindow,
  type HourWindow,
  type IdentityBuild,
  type IdentityInterval,
  pricesFor,
  rawFlowLogDay,
} from "@flowcost/core";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";
import { findSnapshots, readSnapshot, readZoneMap } from "../lake/inventory-files.ts";

/** compact-flows for one hour: raw records -> curated/flows/dt=/hour= (replaced whole). */
export async function compactHour(engine: DuckDbEngine, window: HourWindow) {
  // Records of an hour can sit in the next day's folder (objects are filed by `end`).
  const nextDay = new Date((window.end + 60) * 1000).toISOString().slice(0, 10);
  return engine.materialize(
    compactFlows,
    {
      dt: window.dt,
      hour: window.hour,
      dayFrom: rawFlowLogDay(window.dt),
      dayTo: rawFlowLogDay(nextDay),
      windowStart: window.start,
      windowEnd: window.end,
    },
    {
      table: "curated_flows",
      prefix: DATASETS.curatedFlows,
      partitions: [{ dt: window.dt, hour: window.hour }],
    },
  );
}

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
    valid_from: Math.max(i.validFrom, day.start),
    valid_to: Math.min(i.validTo, day.end),
  };
}

/** attribute for one day, at list prices (the slice; CUR reconciliation comes with it later). */
export async function attributeDay(engine: DuckDbEngine, day: DayWindow, region: string) {
  const prices = pricesFor(region);
  return engine.query(attributeCrossAz, {
    dt: day.dt,
    bytesPerGb: BYTES_PER_GB,
    outPerGb: prices.interAzPerGbEachDirection,
    inPerGb: prices.interAzPerGbEachDirection,
  });
}
