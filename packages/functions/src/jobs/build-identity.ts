import { gunzipSync, gzipSync } from "node:zlib";
import {
  type AwsSnapshot,
  buildIdentity,
  type ClusterIdentityStats,
  DATASETS,
  type DayWindow,
  dayWindow,
  formatCaptureTime,
  type IpIdentityRow,
  identityRowsForDay,
  ipIdentityFromStaging,
  type MaterializeResult,
  type NetworkIdentityStats,
  parseAwsInventoryKey,
  parseKubernetesSnapshotKey,
  type QueryEngine,
  readKubernetesList,
  readLoadBalancers,
  readLoadBalancerTags,
  readNatGateways,
  readNetworkInterfaces,
  type Snapshot,
  zoneMapFrom,
} from "@flowcost/core";
import { LakeObjectError, type S3Lake } from "../adapters/s3-lake.ts";
import { athenaEngine, s3Lake } from "../shared/engine.ts";
import { logger } from "../shared/logger.ts";
import { ScheduledEvent, withJob } from "../shared/middleware.ts";

/** The inventory snapshot schedule's period (infra/jobs.ts, `rate(5 minutes)`). */
export const SNAPSHOT_PERIOD_SECONDS = 300;

/**
 * Captures read on each side of the day. An interval is widened only as far as the snapshot
 * before its first sighting and the one after its last (core `IntervalTracker`), so an hour of
 * neighbours gives the day the same rows as the local job's whole neighbouring days, unless no
 * snapshot was taken for more than an hour around midnight. Reading two hours instead of two days
 * keeps an hourly run near one day's worth of objects.
 */
export const EDGE_SECONDS = 3600;

const DAY_SECONDS = 86400;
const READ_CONCURRENCY = 8;
export const STAGING_PREFIX = "staging/ip_identity";

/** The part of the lake build-identity uses: raw inventory in, staged JSON lines out. */
export interface IdentityLake {
  /** Every key under `prefix`. */
  list(prefix: string): Promise<string[]>;
  /** The folder names one level below `prefix` (`cluster=shop-prod`), without slashes. */
  listFolders(prefix: string): Promise<string[]>;
  /** A JSON object (gunzipped when the key ends in `.gz`), parsed. */
  getJson(key: string): Promise<unknown>;
  putGzip(key: string, body: Uint8Array): Promise<void>;
  delete(keys: ReadonlyArray<string>): Promise<void>;
}

/** The lake bucket as an IdentityLake. */
export function s3IdentityLake(lake: S3Lake): IdentityLake {
  return {
    list: (prefix) => lake.list(prefix),
    listFolders: (prefix) => lake.listFolders(prefix),
    async getJson(key) {
      const bytes = await lake.getBytes(key);
      try {
        const text = (key.endsWith(".gz") ? gunzipSync(bytes) : Buffer.from(bytes)).toString("utf8");
        return JSON.parse(text);
      } catch (error) {
        throw new LakeObjectError(key, `not ${key.endsWith(".gz") ? "gzip " : ""}JSON`, { cause: error });
      }
    },
    // No Content-Encoding: the bytes are the gzip file Athena decompresses by its `.gz` name.
    putGzip: (key, body) => lake.putBytes(key, body, { contentType: "application/x-ndjson" }),
    delete: (keys) => lake.delete(keys),
  };
}

/**
 * The days a run at `scheduledTime` rebuilds: the current UTC day; in the first hour also the
 * previous one, whose end the first snapshots after midnight can still move (a pod seen from
 * 00:05 may have been created at 23:58; an address last seen at 23:50 holds until the next
 * snapshot that lacks it).
 */
export function identityDays(scheduledTime: string): DayWindow[] {
  const at = scheduledSeconds(scheduledTime);
  const today = dayWindow(at);
  return at - today.start < 3600 ? [dayWindow(today.start - DAY_SECONDS), today] : [today];
}

/** The run id: the schedule's own time, so a retry of the same schedule names the same folder. */
export function identityRunId(scheduledAt: number): string {
  return formatCaptureTime(scheduledAt).toLowerCase();
}

export function stagingKey(dt: string, run: string): string {
  return `${STAGING_PREFIX}/dt=${dt}/run=${run}/part-0.json.gz`;
}

/** Rows as gzip JSON lines, one object per line with the table's column names as keys. */
export function stagedRows(rows: ReadonlyArray<IpIdentityRow>): Uint8Array {
  return gzipSync(rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
}

export interface DayIdentityResult {
  readonly dt: string;
  readonly run: string;
  readonly stagingKey: string;
  readonly kubernetesSnapshots: number;
  readonly awsCaptures: number;
  readonly rows: number;
  readonly overlaps: number;
  readonly clusters: ReadonlyArray<ClusterIdentityStats>;
  readonly network: NetworkIdentityStats;
  readonly materialized: MaterializeResult;
}

/**
 * build-identity for one day as of `scheduledAt`: the day's Kubernetes snapshots and AWS
 * captures (plus an hour on each side, never past the scheduled time, so a retry reads what the
 * first attempt read) -> the same rows as the local job -> gzip JSON lines under
 * `staging/ip_identity/dt=/run=/` -> Athena writes them as the day's Parquet partition of
 * `ip_identity` (replaced whole) -> the staged objects are deleted, whether or not that worked.
 */
export async function buildIdentityForDay(
  deps: { lake: IdentityLake; engine: QueryEngine },
  day: DayWindow,
  scheduledAt: number,
): Promise<DayIdentityResult> {
  const from = day.start - EDGE_SECONDS;
  const to = Math.min(day.end + EDGE_SECONDS, scheduledAt);
  const inWindow = (t: number) => t >= from && t <= to;
  const dts = folderDays(from, to);

  const clusters = await readKubernetesSnapshots(deps.lake, dts, inWindow);
  const aws = await readAwsCaptures(deps.lake, dts, inWindow);
  // Nodes without the zone-id label map their zone name through any capture's AZ list.
  const zones = new Map<string, string>();
  for (const capture of aws) for (const [name, id] of capture.zones ?? []) zones.set(name, id);

  const result = buildIdentity({ clusters, aws, zones, periodSeconds: SNAPSHOT_PERIOD_SECONDS });
  const rows = identityRowsForDay(result.intervals, day);

  const run = identityRunId(scheduledAt);
  const key = stagingKey(day.dt, run);
  // Leftovers of a run that was stopped before its clean-up; runs never overlap (reserved concurrency 1).
  await deps.lake.delete(await deps.lake.list(`${STAGING_PREFIX}/dt=${day.dt}/`));
  let materialized: MaterializeResult;
  try {
    await deps.lake.putGzip(key, stagedRows(rows));
    materialized = await deps.engine.materialize(
      ipIdentityFromStaging,
      { dt: day.dt, run },
      { table: "ip_identity", prefix: DATASETS.ipIdentity, partitions: [{ dt: day.dt }] },
    );
  } finally {
    await deps.lake.delete(await deps.lake.list(`${STAGING_PREFIX}/dt=${day.dt}/run=${run}/`));
  }
  return {
    dt: day.dt,
    run,
    stagingKey: key,
    kubernetesSnapshots: clusters.reduce((n, c) => n + c.snapshots.length, 0),
    awsCaptures: aws.length,
    rows: rows.length,
    overlaps: result.overlaps,
    clusters: result.clusters,
    network: result.network,
    materialized,
  };
}

/** Every day a run at `scheduledTime` owns, oldest first; the first failure throws. */
export async function buildRecentIdentity(
  deps: { lake: IdentityLake; engine: QueryEngine },
  scheduledTime: string,
): Promise<DayIdentityResult[]> {
  const at = scheduledSeconds(scheduledTime);
  const results: DayIdentityResult[] = [];
  for (const day of identityDays(scheduledTime)) results.push(await buildIdentityForDay(deps, day, at));
  return results;
}

function scheduledSeconds(scheduledTime: string): number {
  const ms = Date.parse(scheduledTime);
  if (Number.isNaN(ms)) throw new RangeError(`scheduled time is not a date: ${scheduledTime}`);
  return Math.floor(ms / 1000);
}

/** The `dt=` folders holding captures taken in [from, to]. */
function folderDays(from: number, to: number): string[] {
  const days: string[] = [];
  for (let t = dayWindow(from).start; t <= to; t += DAY_SECONDS) days.push(dayWindow(t).dt);
  return days;
}

async function readKubernetesSnapshots(
  lake: IdentityLake,
  dts: ReadonlyArray<string>,
  inWindow: (t: number) => boolean,
): Promise<Array<{ cluster: string; snapshots: Snapshot[] }>> {
  const files: Array<{ key: string; cluster: string; capturedAt: number }> = [];
  const clusterFolders = (await lake.listFolders("inventory/kubernetes/")).filter((f) =>
    f.startsWith("cluster="),
  );
  for (const folder of clusterFolders) {
    for (const dt of dts) {
      for (const key of await lake.list(`inventory/kubernetes/${folder}/dt=${dt}/`)) {
        const parsed = parseKubernetesSnapshotKey(key);
        if (parsed && inWindow(parsed.capturedAt)) files.push({ key, ...parsed });
      }
    }
  }
  const snapshots = await mapLimit(files, READ_CONCURRENCY, async (file) => ({
    cluster: file.cluster,
    snapshot: {
      capturedAt: file.capturedAt,
      inventory: readKubernetesList(await lake.getJson(file.key), file.key),
    },
  }));
  const byCluster = new Map<string, Snapshot[]>();
  for (const s of snapshots) {
    const list = byCluster.get(s.cluster) ?? [];
    list.push(s.snapshot);
    byCluster.set(s.cluster, list);
  }
  return [...byCluster]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cluster, list]) => ({ cluster, snapshots: list.sort((a, b) => a.capturedAt - b.capturedAt) }));
}

/**
 * One AwsSnapshot per capture folder (`inventory/aws/dt=/<ts>/[scope/]`). A capture without
 * describe-network-interfaces holds no addresses, so it is skipped rather than read as "every ENI
 * is gone" (as the local reader does).
 */
async function readAwsCaptures(
  lake: IdentityLake,
  dts: ReadonlyArray<string>,
  inWindow: (t: number) => boolean,
): Promise<AwsSnapshot[]> {
  const folders = new Map<
    string,
    { capturedAt: number; scope: string | undefined; calls: Map<string, string> }
  >();
  for (const dt of dts) {
    for (const key of await lake.list(`inventory/aws/dt=${dt}/`)) {
      const parsed = parseAwsInventoryKey(key);
      if (!parsed || !inWindow(parsed.capturedAt)) continue;
      const id = `${parsed.capturedAt}|${parsed.scope ?? ""}`;
      const folder = folders.get(id) ?? {
        capturedAt: parsed.capturedAt,
        scope: parsed.scope,
        calls: new Map(),
      };
      folder.calls.set(parsed.call, key);
      folders.set(id, folder);
    }
  }
  const captures = await mapLimit(
    [...folders.values()].filter((f) => f.calls.has("describe-network-interfaces")),
    READ_CONCURRENCY,
    async (folder): Promise<AwsSnapshot> => {
      const read = async <T>(
        call: string,
        parse: (json: unknown, source: string) => T,
      ): Promise<T | undefined> => {
        const key = folder.calls.get(call);
        return key === undefined ? undefined : parse(await lake.getJson(key), key);
      };
      return {
        capturedAt: folder.capturedAt,
        ...(folder.scope ? { scope: folder.scope } : {}),
        networkInterfaces: (await read("describe-network-interfaces", readNetworkInterfaces)) ?? [],
        natGateways: (await read("describe-nat-gateways", readNatGateways)) ?? [],
        loadBalancers: (await read("describe-load-balancers", readLoadBalancers)) ?? [],
        loadBalancerTags: (await read("describe-tags", readLoadBalancerTags)) ?? new Map(),
        zones: (await read("describe-availability-zones", zoneMapFrom)) ?? new Map(),
      };
    },
  );
  return captures.sort((a, b) => a.capturedAt - b.capturedAt);
}

/** `fn` over `items` with at most `limit` in flight, results in input order. */
async function mapLimit<T, R>(
  items: ReadonlyArray<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const handler = withJob(ScheduledEvent, (event) => {
  const days = identityDays(event.time).map((d) => d.dt);
  return { window: days.join(","), partition: days.map((dt) => `${DATASETS.ipIdentity}/dt=${dt}`).join(",") };
}).handler(async (event) => {
  const results = await buildRecentIdentity(
    { lake: s3IdentityLake(s3Lake()), engine: athenaEngine() },
    event.time,
  );
  for (const r of results) {
    logger.info("identity built", {
      dt: r.dt,
      run: r.run,
      kubernetesSnapshots: r.kubernetesSnapshots,
      awsCaptures: r.awsCaptures,
      rows: r.rows,
      overlaps: r.overlaps,
      missedSnapshots: r.clusters.map((c) => ({ cluster: c.cluster, missed: c.missedSnapshots })),
      nodesWithoutZone: r.clusters.flatMap((c) => c.nodesWithoutZone).length,
      interfacesByClass: r.network.interfacesByClass,
      queryId: r.materialized.stats.queryId,
      bytesScanned: r.materialized.stats.bytesScanned,
    });
  }
  return results.map((r) => ({
    dt: r.dt,
    rows: r.rows,
    partitionsWritten: r.materialized.partitionsWritten,
  }));
});
