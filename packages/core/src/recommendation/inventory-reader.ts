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

export interface RecommendationInventory {
  readonly cluster: string | null;
  readonly kubernetes: KubernetesInventory | undefined;
  readonly aws: AwsRecommendationInventory;
  readonly ipRanges: IpRanges | undefined;
  readonly appliedChanges: AppliedChange[];
  readonly zones: ZoneIdByName;
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
  const readSnapshot = async (key: string) => readKubernetesList(await reader.readJson(key), key);
  const last = snapshots.at(-1);
  const kubernetes = last ? await readSnapshot(last.key) : undefined;
  const appliedChanges =
    kubernetes && snapshots.length > 1 ? await changesIn(snapshots, kubernetes, readSnapshot) : [];

  const captures = new Map<string, Map<string, string>>();
  const zones = new Map<string, string>();
  for (const dt of dates)
    for (const key of await reader.list(`inventory/aws/dt=${dt}/`)) {
      const parsed = parseAwsInventoryKey(key);
      if (!parsed || parsed.capturedAt >= window.to) continue;
      if (parsed.call === "describe-availability-zones") {
        for (const [name, id] of zoneMapFrom(await reader.readJson(key), key)) zones.set(name, id);
        continue;
      }
      const folder = `${parsed.capturedAt}|${parsed.scope ?? ""}`;
      const calls = captures.get(folder) ?? new Map<string, string>();
      calls.set(parsed.call, key);
      captures.set(folder, calls);
    }
  const latest = [...captures.entries()]
    .sort((a, b) => Number(a[0].split("|")[0]) - Number(b[0].split("|")[0]))
    .at(-1)?.[1];
  const read = async <T>(
    call: string,
    parse: (json: unknown, source: string) => T,
  ): Promise<T | undefined> => {
    const key = latest?.get(call);
    return key ? parse(await reader.readJson(key), key) : undefined;
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
  const ranges = await reader.readJson(IP_RANGES_KEY);
  const parsedRanges = ranges === undefined ? undefined : ipRangesSchema.safeParse(ranges);
  if (parsedRanges && !parsedRanges.success)
    throw new InvalidInputError(`${IP_RANGES_KEY}: not AWS's ip-ranges.json (${parsedRanges.error.message})`);
  const ipRanges = parsedRanges?.data;
  return { cluster, kubernetes, aws, ipRanges, appliedChanges, zones };
}

async function changesIn(
  snapshots: ReadonlyArray<{ key: string; capturedAt: number }>,
  lastInventory: KubernetesInventory,
  readSnapshot: (key: string) => Promise<KubernetesInventory>,
): Promise<AppliedChange[]> {
  const cache = new Map<number, Map<string, Service>>();
  const servicesAt = async (i: number) => {
    let m = cache.get(i);
    if (!m) {
      const snapshot = snapshots[i];
      m = snapshot ? new Map((await readSnapshot(snapshot.key)).services.map((s) => [ref(s), s])) : new Map();
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
