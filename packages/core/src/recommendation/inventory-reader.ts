import { InvalidInputError } from "../errors.ts";
import {
  readLoadBalancerAttributes,
  readRouteTables,
  readSubnets,
  readTargetGroupAttributes,
  readTargetGroups,
  readVpcEndpoints,
} from "../inventory/aws-network.ts";
import {
  readLoadBalancers,
  readLoadBalancerTags,
  readNatGateways,
  readNetworkInterfaces,
} from "../inventory/eni.ts";
import { IP_RANGES_KEY, type IpRanges, ipRangesSchema } from "../inventory/ip-ranges.ts";
import { parseAwsInventoryKey, parseKubernetesSnapshotKey } from "../inventory/keys.ts";
import { type KubernetesInventory, readKubernetesList, type Service } from "../inventory/kubernetes.ts";
import { type ZoneIdByName, zoneMapFrom } from "../inventory/zones.ts";
import type { AppliedChange, AwsRecommendationInventory } from "./context.ts";
import { topologySetting } from "./services.ts";

/**
 * The lake's raw inventory as the recommendations read it: a local folder or the lake bucket.
 * `readJson` gunzips `.gz` keys and returns undefined for a key that does not exist.
 */
export interface InventoryReader {
  /** Keys under `prefix` (ending in `/`). */
  list(prefix: string): Promise<string[]>;
  /** Folder names directly under `prefix` (ending in `/`), without the trailing `/`. */
  listFolders(prefix: string): Promise<string[]>;
  readJson(key: string): Promise<unknown | undefined>;
}

/**
 * An inventory file the recommendations could not use (not JSON, not the shape expected): left
 * out by name, the recommendations read the one before it (the previous snapshot or capture)
 * or do without it, rather than the whole run stopping on one bad file.
 */
export interface SkippedInventoryFile {
  /** The file's key (a path under the lake). */
  readonly path: string;
  readonly code: "skipped-snapshot" | "skipped-describe" | "skipped-ip-ranges";
  readonly reason: string;
}

export interface RecommendationInventory {
  readonly cluster: string | null;
  readonly kubernetes: KubernetesInventory | undefined;
  readonly aws: AwsRecommendationInventory;
  readonly ipRanges: IpRanges | undefined;
  readonly appliedChanges: AppliedChange[];
  readonly zones: ZoneIdByName;
  /** Files left out by name (each also counted once when several windows read it). */
  readonly skipped: SkippedInventoryFile[];
}

const dtOf = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
function datesIn(from: number, to: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(from / 86400) * 86400; t < to; t += 86400) out.push(dtOf(t));
  return out;
}
const ref = (s: Service) => `${s.metadata.namespace ?? "default"}/${s.metadata.name}`;
const local = (s: Service) => s.spec?.internalTrafficPolicy === "Local";

/**
 * What the recommendations read for a window [from, to): the cluster's latest Kubernetes snapshot
 * in it (the cluster named, else the one with the most snapshots), the latest AWS capture in it,
 * AWS's ip-ranges.json, every AZ name -> ID map, and the routing changes the window saw: a Service
 * whose zone routing or `internalTrafficPolicy: Local` is in the last snapshot but not the first is
 * bisected over the snapshots between to the first one showing it (a handful of reads).
 */
export async function loadRecommendationInventory(
  reader: InventoryReader,
  window: { from: number; to: number; cluster?: string },
): Promise<RecommendationInventory> {
  const dates = datesIn(window.from, window.to);
  const clusters = window.cluster
    ? [window.cluster]
    : (await reader.listFolders("inventory/kubernetes/"))
        .map((f) => /^cluster=(.+)$/.exec(f)?.[1])
        .filter((c): c is string => c !== undefined);
  const snapshotsOf = async (cluster: string) => {
    const keys: Array<{ key: string; capturedAt: number }> = [];
    for (const dt of dates)
      for (const key of await reader.list(`inventory/kubernetes/cluster=${cluster}/dt=${dt}/`)) {
        const parsed = parseKubernetesSnapshotKey(key);
        if (parsed && parsed.capturedAt >= window.from && parsed.capturedAt < window.to)
          keys.push({ key, capturedAt: parsed.capturedAt });
      }
    return keys.sort((a, b) => a.capturedAt - b.capturedAt);
  };
  let cluster: string | null = null;
  let snapshots: Array<{ key: string; capturedAt: number }> = [];
  for (const c of [...clusters].sort()) {
    const s = await snapshotsOf(c);
    if (s.length > snapshots.length) {
      cluster = c;
      snapshots = s;
    }
  }
  const skipped = new Map<string, SkippedInventoryFile>();
  /** `parse` of the file at `key`, or undefined (the file named in `skipped`) when it cannot be used. */
  const attempt = async <T>(
    key: string,
    code: SkippedInventoryFile["code"],
    parse: (json: unknown, source: string) => T,
    consequence: string,
  ): Promise<T | undefined> => {
    try {
      return parse(await reader.readJson(key), key);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      // The reason without the file's name (a local reader names it by its whole path).
      const at = error.message.indexOf(`${key}: `);
      const message = at >= 0 ? error.message.slice(at + key.length + 2) : error.message;
      skipped.set(key, { path: key, code, reason: `${message}; ${consequence}` });
      return undefined;
    }
  };
  const readSnapshot = (key: string) =>
    attempt(key, "skipped-snapshot", readKubernetesList, "the recommendations read the snapshot before it");
  // The latest snapshot that can be read; an unreadable one is named and the one before it read.
  let kubernetes: KubernetesInventory | undefined;
  let readable = snapshots;
  for (let i = snapshots.length - 1; i >= 0 && kubernetes === undefined; i--) {
    kubernetes = await readSnapshot((snapshots[i] as { key: string }).key);
    readable = snapshots.slice(0, i + 1);
  }
  const appliedChanges =
    kubernetes && readable.length > 1 ? await changesIn(readable, kubernetes, readSnapshot) : [];

  const captures = new Map<string, Map<string, string>>();
  const zones = new Map<string, string>();
  for (const dt of dates)
    for (const key of await reader.list(`inventory/aws/dt=${dt}/`)) {
      const parsed = parseAwsInventoryKey(key);
      if (!parsed || parsed.capturedAt >= window.to) continue;
      if (parsed.call === "describe-availability-zones") {
        const map = await attempt(
          key,
          "skipped-describe",
          zoneMapFrom,
          "its zone names are taken from the other captures and the nodes' labels",
        );
        for (const [name, id] of map ?? []) zones.set(name, id);
        continue;
      }
      const folder = `${parsed.capturedAt}|${parsed.scope ?? ""}`;
      const calls = captures.get(folder) ?? new Map<string, string>();
      calls.set(parsed.call, key);
      captures.set(folder, calls);
    }
  const newestFirst = [...captures.entries()]
    .sort((a, b) => Number(b[0].split("|")[0]) - Number(a[0].split("|")[0]))
    .map(([, calls]) => calls);
  const latest = newestFirst[0];
  // The latest capture's output of the call; when that file cannot be used, the newest earlier
  // capture's that can (a call the latest capture lacks stays absent, as before).
  const read = async <T>(
    call: string,
    parse: (json: unknown, source: string) => T,
  ): Promise<T | undefined> => {
    if (!latest?.has(call)) return undefined;
    for (const calls of newestFirst) {
      const key = calls.get(call);
      if (key === undefined) continue;
      const value = await attempt(
        key,
        "skipped-describe",
        parse,
        `the recommendations read an earlier ${call}`,
      );
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const aws: AwsRecommendationInventory = {
    networkInterfaces: await read("describe-network-interfaces", readNetworkInterfaces),
    natGateways: await read("describe-nat-gateways", readNatGateways),
    loadBalancers: await read("describe-load-balancers", readLoadBalancers),
    loadBalancerTags: await read("describe-tags", readLoadBalancerTags),
    targetGroups: await read("describe-target-groups", readTargetGroups),
    loadBalancerAttributes: await read("describe-load-balancer-attributes", readLoadBalancerAttributes),
    targetGroupAttributes: await read("describe-target-group-attributes", readTargetGroupAttributes),
    vpcEndpoints: await read("describe-vpc-endpoints", readVpcEndpoints),
    routeTables: await read("describe-route-tables", readRouteTables),
    subnets: await read("describe-subnets", readSubnets),
  };
  const ipRanges = await attempt(
    IP_RANGES_KEY,
    "skipped-ip-ranges",
    (json, source) => {
      if (json === undefined) return undefined;
      const parsed = ipRangesSchema.safeParse(json);
      if (!parsed.success)
        throw new InvalidInputError(`${source}: not AWS's ip-ranges.json (${parsed.error.message})`);
      return parsed.data;
    },
    "read as absent",
  );
  return { cluster, kubernetes, aws, ipRanges, appliedChanges, zones, skipped: [...skipped.values()] };
}

async function changesIn(
  snapshots: ReadonlyArray<{ key: string; capturedAt: number }>,
  lastInventory: KubernetesInventory,
  readSnapshot: (key: string) => Promise<KubernetesInventory | undefined>,
): Promise<AppliedChange[]> {
  const cache = new Map<number, Map<string, Service>>();
  // An unreadable snapshot (named by readSnapshot) stands as the nearest earlier readable one,
  // the first as the nearest later one: its neighbours carry the Services, as they carry identity.
  const servicesAt = async (i: number, step = -1): Promise<Map<string, Service>> => {
    let m = cache.get(i);
    if (!m) {
      const snapshot = snapshots[i];
      const inventory = snapshot ? await readSnapshot(snapshot.key) : undefined;
      if (snapshot && inventory === undefined) {
        const next = i + step;
        m =
          next >= 0 && next < snapshots.length
            ? await servicesAt(next, step)
            : step < 0
              ? await servicesAt(i + 1, 1)
              : new Map();
      } else m = new Map((inventory?.services ?? []).map((s) => [ref(s), s]));
      cache.set(i, m);
    }
    return m;
  };
  const before = await servicesAt(0);
  const out: AppliedChange[] = [];
  for (const s of lastInventory.services) {
    const earlier = before.get(ref(s));
    const settings: Array<{
      setting: AppliedChange["setting"];
      has: (x: Service | undefined) => boolean;
      observed: string;
    }> = [];
    const topo = topologySetting(s);
    if (topo && !(earlier && topologySetting(earlier)))
      settings.push({ setting: "topology", has: (x) => !!x && !!topologySetting(x), observed: topo });
    if (local(s) && !(earlier && local(earlier)))
      settings.push({
        setting: "internalTrafficPolicy",
        has: (x) => !!x && local(x),
        observed: "internalTrafficPolicy: Local",
      });
    for (const c of settings) {
      // Invariant: snapshot lo lacks the setting, snapshot hi has it.
      let lo = 0;
      let hi = snapshots.length - 1;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (c.has((await servicesAt(mid)).get(ref(s)))) hi = mid;
        else lo = mid;
      }
      out.push({
        namespace: s.metadata.namespace ?? "default",
        name: s.metadata.name,
        setting: c.setting,
        appliedAt: snapshots[hi]?.capturedAt ?? 0,
        observed: c.observed,
      });
    }
  }
  return out;
}
