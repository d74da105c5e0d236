import { plantPods } from "./problems.ts";
import { hex, seededRandom } from "./random.ts";

/**
 * A generated EKS cluster: zones, nodes, workloads and pods with lifetimes. Everything the
 * traffic generator and the inventory writer need, and nothing read back from files, so the
 * ground truth is independent of the code under test.
 */
export interface Zone {
  readonly name: string;
  readonly id: string;
  readonly subnetId: string;
  /** Third octet base of the zone's /19 subnet in 10.0.0.0/16. */
  readonly octet: number;
}

export interface SimNode {
  readonly name: string;
  readonly zone: Zone;
  readonly ip: string;
  readonly instanceId: string;
  readonly eniId: string;
  /** Whether the node carries `topology.k8s.aws/zone-id` (newer clusters) or only the zone name. */
  readonly hasZoneIdLabel: boolean;
}

export interface SimWorkload {
  readonly namespace: string;
  readonly kind: "Deployment" | "StatefulSet" | "CronJob" | "DaemonSet";
  readonly name: string;
}

export interface SimPod {
  readonly uid: string;
  readonly name: string;
  readonly workload: SimWorkload;
  readonly node: SimNode;
  readonly ip: string;
  /** Unix seconds. */
  readonly createdAt: number;
  /** Unix seconds; the pod is gone from this time on (its IP may be reused). */
  readonly deletedAt: number | undefined;
  /** ReplicaSet hash or Job name suffix, for ownerReferences. */
  readonly ownerSuffix: string;
}

export interface Cluster {
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly vpcId: string;
  readonly flowLogId: string;
  readonly zones: Zone[];
  readonly nodes: SimNode[];
  readonly pods: SimPod[];
  readonly start: number;
  readonly end: number;
}

export interface TopologyOptions {
  readonly seed: number;
  /** Unix seconds, on a 5-minute boundary. */
  readonly start: number;
  readonly end: number;
  readonly nodesPerZone: number;
  /** Extra replicas per Deployment, for scale. */
  readonly replicaFactor: number;
  /** Adds the workloads of the planted problems (scenario/problems.ts), placed on chosen nodes. */
  readonly problems?: boolean;
  /** The cluster's Region (default us-east-1): AZ names and IDs, node names and ARNs follow it. */
  readonly region?: string;
  /** The AWS account the VPC and its flow logs belong to (default 111122223333). */
  readonly accountId?: string;
}

/**
 * us-east-1 AZ names map to IDs in a per-account order; here deliberately not a -> az1.
 * Flow logs carry the ID, Kubernetes the name: a tool that compares them raw is wrong.
 */
export const DEMO_ZONES: Zone[] = [
  { name: "us-east-1a", id: "use1-az4", subnetId: "subnet-0aa11aa11aa11aa11", octet: 0 },
  { name: "us-east-1b", id: "use1-az6", subnetId: "subnet-0bb22bb22bb22bb22", octet: 32 },
  { name: "us-east-1c", id: "use1-az1", subnetId: "subnet-0cc33cc33cc33cc33", octet: 64 },
];

export const DEMO_WORKLOADS: Array<SimWorkload & { replicas: number }> = [
  { namespace: "shop", kind: "Deployment", name: "frontend", replicas: 3 },
  { namespace: "shop", kind: "Deployment", name: "cart", replicas: 2 },
  { namespace: "shop", kind: "Deployment", name: "catalog", replicas: 3 },
  { namespace: "payments", kind: "Deployment", name: "api", replicas: 2 },
  { namespace: "payments", kind: "StatefulSet", name: "ledger", replicas: 1 },
  // Placed after the others so its two replicas land on nodes in two different AZs.
  { namespace: "kube-system", kind: "Deployment", name: "coredns", replicas: 2 },
];

/** The CronJob whose pod takes over a deleted cart pod's IP (the IP-reuse trap). */
export const REUSE_WORKLOAD: SimWorkload = { namespace: "batch", kind: "CronJob", name: "nightly-report" };

/**
 * The three zones of a Region: us-east-1 keeps the demo's out-of-order mapping; elsewhere names
 * `<region>a..c` map to IDs `<short>-az2, -az3, -az1` (also not a -> az1), `<short>` as AWS
 * abbreviates (us-west-2 -> usw2, eu-central-1 -> euc1, ap-southeast-1 -> apse1).
 */
export function zonesFor(region: string): Zone[] {
  if (region === "us-east-1") return DEMO_ZONES;
  const [area = "", direction = "", n = ""] = region.split("-");
  const dir = direction === "southeast" ? "se" : direction === "northeast" ? "ne" : (direction[0] ?? "");
  const short = `${area}${dir}${n}`;
  return DEMO_ZONES.map((z, i) => ({
    ...z,
    name: `${region}${"abc"[i]}`,
    id: `${short}-az${[2, 3, 1][i]}`,
  }));
}

export function buildCluster(o: TopologyOptions): Cluster {
  const random = seededRandom(o.seed);
  const region = o.region ?? "us-east-1";
  const zones = zonesFor(region);
  // us-east-1's private DNS names end ec2.internal; every other Region's <region>.compute.internal.
  const dnsSuffix = region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
  const nodes: SimNode[] = [];
  zones.forEach((zone, z) => {
    for (let n = 0; n < o.nodesPerZone; n++) {
      const ip = `10.0.${zone.octet}.${10 + n}`;
      nodes.push({
        name: `ip-10-0-${zone.octet}-${10 + n}.${dnsSuffix}`,
        zone,
        ip,
        instanceId: `i-0${hex(random, 16)}`,
        eniId: `eni-0${hex(random, 16)}`,
        hasZoneIdLabel: (z + n) % 2 === 0,
      });
    }
  });

  const podsPerNode = new Map<SimNode, number>();
  const nextIp = (node: SimNode) => {
    const k = (podsPerNode.get(node) ?? 0) + 1;
    podsPerNode.set(node, k);
    const index = nodes.indexOf(node);
    return `10.0.${node.zone.octet + 1 + Math.floor(index / DEMO_ZONES.length)}.${k + 10 * (index % DEMO_ZONES.length)}`;
  };

  const pods: SimPod[] = [];
  let placement = 0;
  for (const w of DEMO_WORKLOADS) {
    const hash = hex(random, 10).replace(/[0-9]/g, (d) => "bcdfghjklm"[Number(d)] ?? "b");
    const replicas = w.replicas * o.replicaFactor;
    for (let r = 0; r < replicas; r++) {
      const node = nodes[placement++ % nodes.length] as SimNode;
      const suffix = hex(random, 5).replace(/[0-9]/g, (d) => "npqrstvwxz"[Number(d)] ?? "n");
      pods.push({
        uid: uuid(random),
        name: w.kind === "StatefulSet" ? `${w.name}-${r}` : `${w.name}-${hash}-${suffix}`,
        workload: { namespace: w.namespace, kind: w.kind, name: w.name },
        node,
        ip: nextIp(node),
        createdAt: o.start - 86400,
        deletedAt: undefined,
        ownerSuffix: hash,
      });
    }
  }

  // IP reuse: the first cart pod dies 22 minutes in; a CronJob pod takes its IP a minute later.
  const cartIndex = pods.findIndex((p) => p.workload.name === "cart");
  const cart = pods[cartIndex] as SimPod;
  const diesAt = o.start + 22 * 60;
  pods[cartIndex] = { ...cart, deletedAt: diesAt };
  const scheduledMinute = Math.floor((o.start + 23 * 60) / 60);
  pods.push({
    uid: uuid(random),
    name: `${REUSE_WORKLOAD.name}-${scheduledMinute}-${hex(random, 5).replace(/[0-9]/g, "x")}`,
    workload: REUSE_WORKLOAD,
    node: cart.node,
    ip: cart.ip,
    createdAt: diesAt + 60,
    deletedAt: undefined,
    ownerSuffix: String(scheduledMinute),
  });

  // Planted problems come last, from their own random stream: the pods above stay as they were.
  if (o.problems) pods.push(...plantPods(nodes, nextIp, seededRandom(o.seed ^ 0x51ed270b), o.start - 86400));

  return {
    accountId: o.accountId ?? "111122223333",
    region,
    clusterName: "demo",
    vpcId: "vpc-0f1e2d3c4b5a69788",
    flowLogId: "fl-0123456789abcdef0",
    zones,
    nodes,
    pods,
    start: o.start,
    end: o.end,
  };
}

export function alive(pod: SimPod, at: number): boolean {
  return pod.createdAt <= at && (pod.deletedAt === undefined || at < pod.deletedAt);
}

export function uuid(random: () => number): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
