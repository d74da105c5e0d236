import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { gzip } from "node:zlib";
import {
  type AwsInventoryCall,
  awsInventoryKey,
  DEFAULT_FORMAT,
  defaultLayoutKey,
  flowField,
  formatCaptureTime,
  IP_RANGES_KEY,
} from "@flowcost/core";
import { writeCurExport } from "./cur.ts";
import { edgesForDay, multiDayPods, PLANTED_WORKLOAD, type ScenarioDay, scenarioDays } from "./days.ts";
import { describeOutputs } from "./describe.ts";
import { scenarioIpRanges } from "./ip-ranges.ts";
import { buildNetwork, networkMinute, networkRandom, type SimNetwork } from "./network.ts";
import { PLANT_EDGES, PLANT_NAT_DESTINATIONS } from "./problems.ts";
import { hex, seededRandom } from "./random.ts";
import { APPLIED_TOPOLOGY_SERVICE, serviceObjects } from "./services.ts";
import { alive, buildCluster, type Cluster, type SimNode, type SimPod } from "./topology.ts";
import {
  DEMO_FORMAT,
  DEMO_TRAFFIC,
  generateTraffic,
  type TrafficEdge,
  type TruthRow,
  type TruthTable,
} from "./traffic.ts";

const gz = promisify(gzip);

export interface ScenarioOptions {
  /** Lake folder to write into. */
  readonly outDir: string;
  readonly seed?: number;
  /** UTC day, `YYYY-MM-DD`. */
  readonly day?: string;
  readonly startHour?: number;
  readonly hours?: number;
  readonly nodesPerZone?: number;
  readonly replicaFactor?: number;
  readonly edges?: ReadonlyArray<TrafficEdge>;
  /** Minutes between Kubernetes snapshots, as the snapshot job's schedule. */
  readonly snapshotMinutes?: number;
  /**
   * The VPC CNI's `AWS_VPC_K8S_CNI_EXTERNALSNAT`: true keeps pod IPs on traffic to the NAT
   * gateway (attributed to pods, `exact`); false (the default) SNATs to the node (`node`).
   */
  readonly externalSnat?: boolean;
  /** The CUR 2.0 export's format, or `none` for a lake without CUR (list-price estimates). */
  readonly curFormat?: "parquet" | "csv" | "none";
  /** NAT gateway, load balancers, control plane and the unknown peer (default true). */
  readonly network?: boolean;
  /**
   * Connections each client pod holds to its server in a minute, each its own flow-log record
   * (default DEFAULT_CONNECTIONS_PER_CONVERSATION); the bytes and the truth do not depend on it.
   */
  readonly connectionsPerConversation?: number;
  /**
   * UTC days to generate, ending on `day` (default 1). With several, every day carries the same
   * window of the same cluster, weekends are quieter, the storefront's catalog traffic grows from
   * the 8th day on, and the last day carries a planted regression (scenario/days.ts).
   */
  readonly days?: number;
  /** Whether the last of several days carries the planted regression (default true). */
  readonly plantRegression?: boolean;
  /**
   * Plants the problems the recommendations find and decline (scenario/problems.ts): more
   * workloads, Services and NAT destinations. Off by default (the existing truth stays as it was);
   * `flowcost demo` turns it on.
   */
  readonly problems?: boolean;
  /**
   * With `problems`: from this instant (Unix seconds) shop/search carries `trafficDistribution:
   * PreferSameZone` in the snapshots and its clients reach endpoints in their own zone (before/after).
   */
  readonly topologyAppliedAt?: number;
  /**
   * The flow log's format: `custom` (default) is the v5 custom format with pkt-*, az-id,
   * flow-direction and pkt-*-aws-service; `default` is AWS's default v2 format (the 14 fields,
   * header line `version account-id ... log-status`), the same records with only those fields:
   * srcaddr/dstaddr keep their ENI-level meaning (aws-facts.md §1.3, §1.10), so pods and NAT
   * destinations are found by stitching the two records of a transfer. A list of field names is
   * a custom format with those fields in that order (any of the custom format's fields, e.g. a
   * v3 format with pkt-srcaddr/pkt-dstaddr but no flow-direction).
   */
  readonly flowLogFormat?: "custom" | "default" | ReadonlyArray<string>;
  /**
   * ENIs whose records are never written (a flow log on some subnets only, or an ENI outside
   * the logged VPC): the other side of their transfers is logged once. The truth is unchanged.
   */
  readonly unloggedInterfaces?: ReadonlyArray<string>;
  /** The cluster's Region (default us-east-1); its list prices make the CUR's dollars. */
  readonly region?: string;
  /** The account whose flow logs, describe outputs and CUR lines these are (default 111122223333). */
  readonly accountId?: string;
  /** The VPC's /16 as `10.<n>` (default 10.0); accounts of one Organization do not overlap. */
  readonly vpcNet?: string;
  /** Default `demo`. */
  readonly clusterName?: string;
  /**
   * Describe outputs under `inventory/aws/account=<id>/region=<region>/dt=/<ts>/` (a lake holding
   * several accounts or Regions) instead of `inventory/aws/dt=/<ts>/` (default false).
   */
  readonly inventoryByAccount?: boolean;
  /** The CUR export file's part number (default 1): one part per account in an Organization's lake. */
  readonly curPart?: number;
}

/**
 * Compresses and writes flow-log objects on a worker thread, in the order given, while the
 * generator goes on with the next minutes: gzip was a quarter of the generator's time on the
 * main thread. Same bytes as before (the same zlib, default level). `done` resolves once every
 * object is on disk and rejects with the first write's error. The worker does not keep the
 * process alive until `done` is awaited, so a generator that throws midway cannot hang it.
 */
function gzipObjectWriter(): { write(path: string, text: string): void; done(): Promise<void> } {
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     const { mkdirSync, writeFileSync } = require("node:fs");
     const { dirname } = require("node:path");
     const { gzipSync } = require("node:zlib");
     parentPort.on("message", ({ path, text }) => {
       try {
         mkdirSync(dirname(path), { recursive: true });
         writeFileSync(path, gzipSync(text));
         parentPort.postMessage({ path });
       } catch (error) {
         parentPort.postMessage({ path, error: String(error && error.message || error) });
       }
     });`,
    { eval: true },
  );
  worker.unref();
  let pending = 0;
  let failure: Error | undefined;
  let settle: (() => void) | undefined;
  worker.on("message", (m: { path: string; error?: string }) => {
    pending--;
    if (m.error !== undefined) failure ??= new Error(`${m.path}: ${m.error}`);
    if (pending === 0) settle?.();
  });
  worker.on("error", (error) => {
    failure ??= error;
    settle?.();
  });
  return {
    write(path, text) {
      pending++;
      worker.postMessage({ path, text });
    },
    async done() {
      worker.ref();
      if (pending > 0 && failure === undefined) await new Promise<void>((resolve) => (settle = resolve));
      await worker.terminate();
      if (failure) throw failure;
    },
  };
}

/** Billed usage the generator knows it caused, per UTC day, (class, resource): the CUR's source. */
export type ScenarioBill = Map<string, Map<string, number>>;

export interface GeneratedScenario {
  readonly cluster: Cluster;
  readonly truth: TruthRow[];
  readonly files: { readonly flowLogs: number; readonly snapshots: number; readonly records: number };
  readonly day: string;
  readonly network: SimNetwork | undefined;
  /** Every billed network line the CUR export holds, per day (empty without CUR). */
  readonly billedNetworkUsd: ReadonlyMap<string, number>;
  /** Where the raw flow logs were delivered (the bucket's root, above `AWSLogs/`). */
  readonly flowLogRoot: string;
  /** Each generated UTC day with its own answer key (one entry for a single-day scenario). */
  readonly daily: ReadonlyArray<{ readonly day: ScenarioDay; readonly truth: TruthRow[] }>;
  /** The planted regression of a multi-day scenario: its day and the workload behind it. */
  readonly planted:
    | { readonly dt: string; readonly namespace: string; readonly workload: string }
    | undefined;
}

export const DEFAULT_SCENARIO_DAY = "2026-11-22";
export const FLOW_LOG_FOLDER = "vpc-flow-logs";

/**
 * Writes a realistic small EKS cluster's raw data in the real formats and lake layout:
 * text flow logs with a header line under the AWS default S3 key layout, kubectl List JSON
 * snapshots every 5 minutes, and `aws ec2 describe-availability-zones` output.
 */
export async function generateScenario(options: ScenarioOptions): Promise<GeneratedScenario> {
  const seed = options.seed ?? 42;
  const days = scenarioDays(
    options.day ?? DEFAULT_SCENARIO_DAY,
    options.days ?? 1,
    options.startHour ?? 9,
    options.hours ?? 2,
    options.plantRegression ?? true,
  );
  const firstDay = days[0] as ScenarioDay;
  const day = firstDay.dt;
  const built = buildCluster({
    seed,
    start: firstDay.start,
    end: (days[days.length - 1] as ScenarioDay).end,
    nodesPerZone: options.nodesPerZone ?? 2,
    replicaFactor: options.replicaFactor ?? 1,
    region: options.region,
    accountId: options.accountId,
    net: options.vpcNet,
    clusterName: options.clusterName,
    problems: options.problems ?? false,
  });
  const problems = options.problems ?? false;
  const cluster: Cluster = days.length > 1 ? { ...built, pods: multiDayPods(built, days, seed) } : built;
  const place = options.inventoryByAccount
    ? { accountId: cluster.accountId, region: cluster.region }
    : undefined;

  const flowLogRoot = join(options.outDir, FLOW_LOG_FOLDER);
  const random = seededRandom(seed + 1);
  const requested = options.flowLogFormat ?? "custom";
  const fields: ReadonlyArray<string> =
    requested === "default" ? DEFAULT_FORMAT : requested === "custom" ? DEMO_FORMAT : requested;
  const unknownField = fields.find((f) => !(DEMO_FORMAT as ReadonlyArray<string>).includes(f));
  if (unknownField !== undefined)
    throw new RangeError(`flowLogFormat: the generator writes no field "${unknownField}"`);
  // Each written field's position in the custom format's line (the generator's record layout).
  const positions = fields.map((f) => (DEMO_FORMAT as ReadonlyArray<string>).indexOf(f));
  const version = Math.max(2, ...fields.map((f) => flowField(f)?.version ?? 2));
  const projected = requested !== "custom";
  const packetAddresses = fields.includes("pkt-srcaddr") && fields.includes("pkt-dstaddr");
  const header = fields.join(" ");
  const unlogged = new Set(options.unloggedInterfaces ?? []);
  /** A custom-format line as the requested format writes it (its `version` the format's). */
  const project = (line: string) => {
    const parts = line.split(" ");
    return positions.map((p, i) => (fields[i] === "version" ? String(version) : (parts[p] ?? "-"))).join(" ");
  };
  // Records stream into one buffer per 5-minute object; an object is written and dropped as soon
  // as no later minute can add to it, so memory stays flat at any scale.
  const buckets = new Map<number, string[]>();
  const objectWriter = gzipObjectWriter();
  let records = 0;
  let objects = 0;
  const flush = (fileTime: number, lines: string[]) => {
    // An idle interface in every window: NODATA is not traffic, but the ledger counts it.
    const nodata = `5 ${cluster.accountId} eni-0idle0000000000000 - - - - - - - ${fileTime} ${fileTime + 59} - NODATA${" -".repeat(DEMO_FORMAT.length - 14)}`;
    const idle = projected ? project(nodata) : nodata;
    const key = defaultLayoutKey({
      accountId: cluster.accountId,
      region: cluster.region,
      flowLogId: cluster.flowLogId,
      fileTime,
      hash: hex(random, 8),
    });
    objectWriter.write(join(flowLogRoot, key), `${[header, ...lines, idle].join("\n")}\n`);
    objects++;
  };
  const network =
    options.network === false
      ? undefined
      : buildNetwork(cluster, options.externalSnat ?? false, problems ? PLANT_NAT_DESTINATIONS : []);
  const bill: ScenarioBill = new Map();
  let billDay = day;
  const truthTable: TruthTable = new Map();
  const netRandom = networkRandom(seed);
  const billing = {
    add(usageClass: string, resource: string, bytes: number) {
      let perDay = bill.get(billDay);
      if (!perDay) {
        perDay = new Map();
        bill.set(billDay, perDay);
      }
      const k = `${usageClass}|${resource}`;
      perDay.set(k, (perDay.get(k) ?? 0) + bytes);
    },
  };
  const sink = {
    record(fileTime: number, line: string) {
      const parts = line.split(" ");
      if (unlogged.size > 0 && unlogged.has(parts[2] ?? "")) return;
      const text = projected ? project(line) : line;
      let lines = buckets.get(fileTime);
      if (!lines) {
        lines = [];
        buckets.set(fileTime, lines);
      }
      lines.push(text);
      records++;
    },
    minuteDone(nextMinute: number) {
      billDay = new Date(nextMinute * 1000).toISOString().slice(0, 10);
      // Records of a minute end at most 59 s later, so objects ending before it are complete.
      for (const [fileTime, lines] of [...buckets].sort((a, b) => a[0] - b[0])) {
        if (fileTime + 300 > nextMinute) break;
        flush(fileTime, lines);
        buckets.delete(fileTime);
      }
    },
  };
  const appliedAt = options.topologyAppliedAt;
  const daily: Array<{ day: ScenarioDay; truth: TruthRow[] }> = [];
  let snapshots = 0;
  for (const d of days) {
    // One day's window of the cluster; a multi-day scenario draws each later day from its own seed.
    const dayCluster: Cluster = days.length > 1 ? { ...cluster, start: d.start, end: d.end } : cluster;
    const daySeed = seed + d.index * 7919;
    const dayTruth: TruthTable = days.length > 1 ? new Map() : truthTable;
    const dayRandom = d.index === 0 ? netRandom : networkRandom(daySeed);
    billDay = d.dt;
    const edges = options.edges ?? (problems ? [...DEMO_TRAFFIC, ...PLANT_EDGES] : DEMO_TRAFFIC);
    generateTraffic(dayCluster, edgesForDay(edges, d), daySeed, sink, {
      truth: dayTruth,
      billing,
      connectionsPerConversation: options.connectionsPerConversation,
      // Zone routing on shop/search: a client reaches an endpoint in its own zone when there is one.
      serverFor:
        appliedAt === undefined
          ? undefined
          : (edge, client, candidates, minute, index) => {
              if (edge.to !== APPLIED_TOPOLOGY_SERVICE || minute < appliedAt) return undefined;
              const local = candidates.filter((s) => s.node.zone.id === client.node.zone.id);
              return local.length ? local[(minute / 60 + index) % local.length] : undefined;
            },
      perMinute: network
        ? (minute) =>
            networkMinute(dayCluster, network, minute, dayRandom, sink, dayTruth, billing, d.scale, {
              packetAddresses,
            })
        : undefined,
    });
    for (const [fileTime, lines] of [...buckets].sort((a, b) => a[0] - b[0])) flush(fileTime, lines);
    buckets.clear();
    daily.push({ day: d, truth: [...dayTruth.values()].sort((a, b) => b.bytes - a.bytes) });

    const period = (options.snapshotMinutes ?? 5) * 60;
    for (let at = d.start; at <= d.end; at += period) {
      const dt = new Date(at * 1000).toISOString().slice(0, 10);
      const list = kubectlList(dayCluster, at, { problems, topologyAppliedAt: appliedAt });
      await writeGzip(
        join(
          options.outDir,
          `inventory/kubernetes/cluster=${cluster.clusterName}/dt=${dt}/${formatCaptureTime(at)}.json.gz`,
        ),
        JSON.stringify(list, null, 2),
      );
      snapshots++;
    }
    await writeGzip(
      join(options.outDir, awsInventoryKey(d.start, "describe-availability-zones", undefined, place)),
      JSON.stringify(describeAvailabilityZones(cluster), null, 2),
    );
    // The snapshot job describes the VPC on the same schedule as it lists Kubernetes objects.
    for (let at = d.start; network && at <= d.end; at += period) {
      for (const [call, body] of Object.entries(describeOutputs(dayCluster, network, at))) {
        await writeGzip(
          join(options.outDir, awsInventoryKey(at, call as AwsInventoryCall, undefined, place)),
          JSON.stringify(body),
        );
      }
    }
  }
  // AWS's published ranges, as the snapshot job (or a user with curl) keeps them next to the data.
  await mkdir(dirname(join(options.outDir, IP_RANGES_KEY)), { recursive: true });
  await writeFile(
    join(options.outDir, IP_RANGES_KEY),
    `${JSON.stringify(scenarioIpRanges(firstDay.start - 3600), null, 2)}\n`,
  );
  await objectWriter.done();
  const truth =
    days.length > 1
      ? daily.flatMap((d) => d.truth.map((row) => ({ date: d.day.dt, ...row })))
      : [...truthTable.values()].sort((a, b) => b.bytes - a.bytes);
  const curFormat = options.curFormat ?? "parquet";
  const billedNetworkUsd =
    curFormat === "none"
      ? new Map<string, number>()
      : await writeCurExport(options.outDir, cluster, network, bill, curFormat, options.curPart);
  await writeFile(join(options.outDir, "generator-truth.json"), `${JSON.stringify(truth, null, 2)}\n`);
  return {
    cluster,
    truth,
    files: { flowLogs: objects, snapshots, records },
    day,
    flowLogRoot,
    network,
    billedNetworkUsd,
    daily,
    planted: days.some((d) => d.planted)
      ? {
          dt: (days[days.length - 1] as ScenarioDay).dt,
          namespace: PLANTED_WORKLOAD.namespace,
          workload: PLANTED_WORKLOAD.name,
        }
      : undefined,
  };
}

async function writeGzip(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await gz(text));
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** What `kubectl get pods,nodes,services,endpointslices -A -o json` prints at time `at`. */
export function kubectlList(
  cluster: Cluster,
  at: number,
  options: { problems?: boolean; topologyAppliedAt?: number } = {},
): unknown {
  const pods = cluster.pods.filter((p) => alive(p, at)).map((p) => podJson(p));
  // A DaemonSet pod on the host network on every node: its IP is the node's, never a pod identity.
  const daemons = cluster.nodes.map((n, i) => hostNetworkPod(n, i, cluster.start - 86400));
  // A finished Job pod keeps status.podIP after the IP is released (here: an address a live pod now owns).
  const live = cluster.pods.find((p) => p.workload.name === "catalog" && alive(p, at));
  const finished = live ? [succeededPod(live, cluster.start - 7200)] : [];
  return {
    apiVersion: "v1",
    kind: "List",
    items: [
      ...cluster.nodes.map(nodeJson),
      ...pods,
      ...daemons,
      ...finished,
      ...serviceObjects(cluster, at, options.problems ?? false, options.topologyAppliedAt),
    ],
    metadata: { resourceVersion: "" },
  };
}

function nodeJson(node: SimNode): unknown {
  const labels: Record<string, string> = {
    "kubernetes.io/hostname": node.name,
    "kubernetes.io/os": "linux",
    "node.kubernetes.io/instance-type": "m6i.large",
    // The zone name is the Region plus a letter.
    "topology.kubernetes.io/region": node.zone.name.slice(0, -1),
    "topology.kubernetes.io/zone": node.zone.name,
    "failure-domain.beta.kubernetes.io/zone": node.zone.name,
    "eks.amazonaws.com/nodegroup": "general",
    "eks.amazonaws.com/capacityType": "ON_DEMAND",
  };
  if (node.hasZoneIdLabel) labels["topology.k8s.aws/zone-id"] = node.zone.id;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: node.name,
      labels,
      creationTimestamp: "2026-11-01T08:00:00Z",
      uid: `node-${node.instanceId}`,
    },
    spec: { providerID: `aws:///${node.zone.name}/${node.instanceId}` },
    status: {
      nodeInfo: { kubeletVersion: "v1.34.2-eks-f69f56f", kubeProxyVersion: "v1.34.2-eks-f69f56f" },
      addresses: [
        { type: "InternalIP", address: node.ip },
        { type: "InternalDNS", address: node.name },
        { type: "Hostname", address: node.name },
      ],
    },
  };
}

/** The `team` label of the demo's workloads: chargeback by team is `groupBy=label:team`. */
const TEAMS: Readonly<Record<string, string>> = {
  frontend: "web",
  cart: "checkout",
  catalog: "catalog",
  api: "payments",
  ledger: "payments",
  coredns: "platform",
  "nightly-report": "data",
};

function podJson(pod: SimPod): unknown {
  const w = pod.workload;
  const owner =
    w.kind === "Deployment"
      ? { apiVersion: "apps/v1", kind: "ReplicaSet", name: `${w.name}-${pod.ownerSuffix}` }
      : w.kind === "StatefulSet" || w.kind === "DaemonSet"
        ? { apiVersion: "apps/v1", kind: w.kind, name: w.name }
        : { apiVersion: "batch/v1", kind: "Job", name: `${w.name}-${pod.ownerSuffix}` };
  const labels: Record<string, string> = {
    "app.kubernetes.io/name": w.name,
    team: TEAMS[w.name] ?? w.namespace,
  };
  if (w.kind === "Deployment") labels["pod-template-hash"] = pod.ownerSuffix;
  if (w.kind === "CronJob") labels["batch.kubernetes.io/job-name"] = owner.name;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: pod.name,
      namespace: w.namespace,
      uid: pod.uid,
      labels,
      ownerReferences: [{ ...owner, uid: `owner-${owner.name}`, controller: true, blockOwnerDeletion: true }],
      creationTimestamp: iso(pod.createdAt),
    },
    spec: { nodeName: pod.node.name, containers: [{ name: w.name, image: `example.com/${w.name}:1.0` }] },
    status: {
      phase: "Running",
      hostIP: pod.node.ip,
      hostIPs: [{ ip: pod.node.ip }],
      podIP: pod.ip,
      podIPs: [{ ip: pod.ip }],
      startTime: iso(pod.createdAt),
    },
  };
}

function hostNetworkPod(node: SimNode, index: number, createdAt: number): unknown {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `aws-node-${String(index).padStart(5, "x")}`,
      namespace: "kube-system",
      uid: `aws-node-${node.instanceId}`,
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "DaemonSet", name: "aws-node", uid: "ds-aws-node", controller: true },
      ],
      creationTimestamp: iso(createdAt),
    },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      containers: [{ name: "aws-node", image: "amazon-k8s-cni:v1.19.0" }],
    },
    status: { phase: "Running", hostIP: node.ip, podIP: node.ip, podIPs: [{ ip: node.ip }] },
  };
}

function succeededPod(ipOwner: SimPod, createdAt: number): unknown {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "db-migrate-7xk2p",
      namespace: "shop",
      uid: "0d0d0d0d-0000-4000-a000-000000000001",
      ownerReferences: [
        { apiVersion: "batch/v1", kind: "Job", name: "db-migrate", uid: "job-db-migrate", controller: true },
      ],
      creationTimestamp: iso(createdAt),
    },
    spec: {
      nodeName: ipOwner.node.name,
      containers: [{ name: "migrate", image: "example.com/migrate:1.0" }],
    },
    status: { phase: "Succeeded", hostIP: ipOwner.node.ip, podIP: ipOwner.ip, podIPs: [{ ip: ipOwner.ip }] },
  };
}

function describeAvailabilityZones(cluster: Cluster): unknown {
  return {
    AvailabilityZones: cluster.zones.map((z) => ({
      OptInStatus: "opt-in-not-required",
      Messages: [],
      RegionName: cluster.region,
      ZoneName: z.name,
      ZoneId: z.id,
      GroupName: cluster.region,
      NetworkBorderGroup: cluster.region,
      ZoneType: "availability-zone",
      State: "available",
    })),
  };
}
