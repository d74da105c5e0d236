import { access } from "node:fs/promises";
import { join } from "node:path";
import {
  type AppliedChange,
  type AwsRecommendationInventory,
  type IpRanges,
  type KubernetesInventory,
  readIpRanges,
  readLoadBalancerAttributes,
  readLoadBalancers,
  readLoadBalancerTags,
  readNatGateways,
  readNetworkInterfaces,
  readRouteTables,
  readSubnets,
  readTargetGroupAttributes,
  readTargetGroups,
  readVpcEndpoints,
  type Service,
  topologySetting,
  type ZoneIdByName,
} from "@flowcost/core";
import {
  findAwsSnapshots,
  findSnapshots,
  readJsonFile,
  readSnapshot,
  readZoneMap,
  type SnapshotFile,
} from "./inventory-files.ts";

/** What the recommendations read from the lake's inventory for a window. */
export interface RecommendationInventoryFiles {
  readonly cluster: string | null;
  readonly kubernetes: KubernetesInventory | undefined;
  readonly aws: AwsRecommendationInventory;
  readonly ipRanges: IpRanges | undefined;
  readonly appliedChanges: AppliedChange[];
  /** AZ name -> ID from every describe-availability-zones in the lake. */
  readonly zones: ZoneIdByName;
}

const ref = (s: Service) => `${s.metadata.namespace ?? "default"}/${s.metadata.name}`;
const local = (s: Service) => s.spec?.internalTrafficPolicy === "Local";

/**
 * The latest Kubernetes snapshot and AWS capture inside [from, to) (or overall), AWS's
 * ip-ranges.json, and the routing changes the window saw: a Service whose zone routing or
 * internalTrafficPolicy: Local is in the last snapshot but not the first is bisected over the
 * snapshots between them to the first one showing it (a handful of reads, not every snapshot).
 */
export async function readRecommendationInventory(
  lakeDir: string,
  window: { from: number; to: number; cluster?: string },
): Promise<RecommendationInventoryFiles> {
  const all = await findSnapshots(lakeDir);
  const clusters = [...new Set(all.map((s) => s.cluster))];
  const cluster =
    window.cluster ??
    clusters.sort(
      (a, b) => all.filter((s) => s.cluster === b).length - all.filter((s) => s.cluster === a).length,
    )[0] ??
    null;
  const inWindow = all.filter(
    (s) => s.cluster === cluster && s.capturedAt >= window.from && s.capturedAt < window.to,
  );
  const snapshots = inWindow.length ? inWindow : all.filter((s) => s.cluster === cluster);
  const last = snapshots.at(-1);
  const kubernetes = last ? await readSnapshot(last) : undefined;
  const appliedChanges = kubernetes && snapshots.length > 1 ? await changesIn(snapshots, kubernetes) : [];

  const captures = (await findAwsSnapshots(lakeDir)).filter((c) => c.capturedAt < window.to);
  const capture = captures.filter((c) => c.capturedAt >= window.from).at(-1) ?? captures.at(-1);
  const read = async <T>(
    call: string,
    parse: (json: unknown, source: string) => T,
  ): Promise<T | undefined> => {
    const file = capture?.files.get(call);
    return file ? parse(await readJsonFile(file), file) : undefined;
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
  const rangesFile = join(lakeDir, "inventory/aws/ip-ranges.json");
  const ipRanges = await access(rangesFile).then(
    async () => readIpRanges(await readJsonFile(rangesFile), rangesFile),
    () => undefined,
  );
  return { cluster, kubernetes, aws, ipRanges, appliedChanges, zones: await readZoneMap(lakeDir) };
}

async function changesIn(
  snapshots: ReadonlyArray<SnapshotFile>,
  lastInventory: KubernetesInventory,
): Promise<AppliedChange[]> {
  const first = await readSnapshot(snapshots[0] as SnapshotFile);
  const before = new Map(first.services.map((s) => [ref(s), s]));
  const out: AppliedChange[] = [];
  const cache = new Map<number, Map<string, Service>>();
  const servicesAt = async (i: number) => {
    let m = cache.get(i);
    if (!m) {
      m = new Map((await readSnapshot(snapshots[i] as SnapshotFile)).services.map((s) => [ref(s), s]));
      cache.set(i, m);
    }
    return m;
  };
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
        appliedAt: (snapshots[hi] as SnapshotFile).capturedAt,
        observed: c.observed,
      });
    }
  }
  return out;
}
