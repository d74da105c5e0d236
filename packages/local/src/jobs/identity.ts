import {
  type AwsSnapshot,
  buildIdentity,
  DATASETS,
  type DayWindow,
  type IdentityResult,
  InvalidInputError,
  identityRowsForDay,
  type Snapshot,
  workloadLabels,
} from "@flowcost/core";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";
import {
  findAwsSnapshots,
  findSnapshots,
  readAwsSnapshot,
  readSnapshot,
  readZoneMap,
} from "../lake/inventory-files.ts";
import type { SkippedInput } from "../lake/skipped-inputs.ts";

export interface IdentityJobResult {
  readonly clusters: ReadonlyArray<{ cluster: string; stats: IdentityResult["clusters"][number] }>;
  /** Each workload's pod labels on the day (for results grouped by `label:<key>`). */
  readonly workloads: ReturnType<typeof workloadLabels>;
  readonly network: IdentityResult["network"];
  /** Pairs of rows claiming one address at one time, over all clusters and ENIs. */
  readonly overlaps: number;
  readonly intervals: number;
  /** Snapshots and describe outputs that could not be read, each left out by name. */
  readonly skipped: ReadonlyArray<SkippedInput>;
}

/** Neighbouring days' snapshots bound intervals that cross midnight. */
const MARGIN_SECONDS = 86400;

/**
 * build-identity for one day: every cluster's Kubernetes snapshots and every AWS describe capture
 * -> address intervals overlapping the day, clipped to it, written to curated/ip_identity/dt=
 * (replaced whole, so a re-run gives the same partition).
 */
export async function buildIdentityDay(
  engine: DuckDbEngine,
  lakeDir: string,
  day: DayWindow,
  snapshotPeriodSeconds = 300,
  options: { readonly clusters?: ReadonlySet<string> } = {},
): Promise<IdentityJobResult> {
  const inWindow = (t: number) => t >= day.start - MARGIN_SECONDS && t <= day.end + MARGIN_SECONDS;
  const skipped: SkippedInput[] = [];
  const skip = (s: SkippedInput) => skipped.push(s);
  const zones = await readZoneMap(lakeDir, skip);
  const byCluster = new Map<string, Snapshot[]>();
  for (const file of await findSnapshots(lakeDir)) {
    if (!inWindow(file.capturedAt)) continue;
    // `--cluster`: only that cluster's pods and nodes may own addresses.
    if (options.clusters && !options.clusters.has(file.cluster)) continue;
    let inventory: Snapshot["inventory"];
    try {
      inventory = await readSnapshot(file);
    } catch (error) {
      // One bad snapshot (truncated, not a List) is a gap, reported as a missed snapshot: its
      // neighbours carry the addresses it would have, as they do for a capture never taken.
      if (!(error instanceof InvalidInputError)) throw error;
      skip({
        path: file.path,
        code: "skipped-snapshot",
        reason: `${error.message.startsWith(`${file.path}: `) ? error.message.slice(file.path.length + 2) : error.message}; read as a missed snapshot`,
      });
      continue;
    }
    const list = byCluster.get(file.cluster) ?? [];
    list.push({ capturedAt: file.capturedAt, inventory });
    byCluster.set(file.cluster, list);
  }
  const aws: AwsSnapshot[] = [];
  for (const folder of await findAwsSnapshots(lakeDir)) {
    if (!inWindow(folder.capturedAt)) continue;
    const capture = await readAwsSnapshot(folder, skip);
    if (capture) aws.push(capture);
  }
  const result = buildIdentity({
    clusters: [...byCluster].map(([cluster, snapshots]) => ({ cluster, snapshots })),
    aws,
    zones,
    periodSeconds: snapshotPeriodSeconds,
  });
  // The same rows the build-identity Lambda stages for Athena (core identityRowsForDay).
  const rows = identityRowsForDay(result.intervals, day);
  await engine.partitions.writeRows("ip_identity", DATASETS.ipIdentity, { dt: day.dt }, rows);
  return {
    clusters: result.clusters.map((stats) => ({ cluster: stats.cluster, stats })),
    network: result.network,
    overlaps: result.overlaps,
    intervals: rows.length,
    skipped,
    workloads: workloadLabels([...byCluster].map(([cluster, snapshots]) => ({ cluster, snapshots }))),
  };
}
