import {
  classifyNetworkInterface,
  type LoadBalancer,
  type NatGateway,
  type NetworkInterface,
  natGatewaysByEni,
  networkInterfaceAddresses,
} from "./eni.ts";
import {
  type ExternalSnat,
  externalSnatOf,
  holdsAddress,
  type KubernetesInventory,
  type Node,
  nodeAddresses,
  podAddresses,
  workloadOf,
} from "./kubernetes.ts";
import { nodeZoneId, type ZoneIdByName } from "./zones.ts";

/**
 * What an address can belong to (architecture.md, Identity). Pods and nodes come from
 * Kubernetes snapshots; the rest from the VPC's network interfaces.
 */
export type IdentityKind =
  | "pod"
  | "node"
  | "nat_gateway"
  | "load_balancer"
  | "vpc_endpoint"
  | "eks_control_plane"
  | "eni";

/** One address owned by one identity over `[validFrom, validTo)` (Unix seconds). */
export interface IdentityInterval {
  readonly cluster: string;
  readonly ip: string;
  readonly kind: IdentityKind;
  /** Pod UID, `node/<name>` for nodes, or the AWS resource id (ENI, NAT gateway, load balancer). */
  readonly ownerId: string;
  readonly namespace: string | null;
  readonly podName: string | null;
  readonly workloadKind: string;
  readonly workload: string;
  readonly node: string | null;
  readonly azId: string | null;
  /** The AWS resource behind a non-pod address: `nat-…`, a load balancer ARN, `vpce-…`, `eni-…`. */
  readonly resourceId: string | null;
  /** `namespace/name` of the Service or Ingress that owns a load balancer, when known. */
  readonly service: string | null;
  readonly validFrom: number;
  readonly validTo: number;
}

export interface Snapshot {
  /** Capture time, Unix seconds (from the file name `YYYYMMDDTHHMMSSZ`). */
  readonly capturedAt: number;
  readonly inventory: KubernetesInventory;
}

/** One capture of a VPC's describe outputs (one `inventory/aws/dt=/<ts>/[scope/]` folder). */
export interface AwsSnapshot {
  readonly capturedAt: number;
  /** The optional scope folder (e.g. the VPC id) that separates same-time captures of several VPCs. */
  readonly scope?: string;
  readonly networkInterfaces: ReadonlyArray<NetworkInterface>;
  readonly natGateways?: ReadonlyArray<NatGateway>;
  readonly loadBalancers?: ReadonlyArray<LoadBalancer>;
  readonly loadBalancerTags?: ReadonlyMap<string, Record<string, string>>;
  /** This capture's own AZ name -> ID map: names differ between accounts. */
  readonly zones?: ZoneIdByName;
}

/** A stretch without snapshots longer than 1.5 periods: addresses in it are less certain. */
export interface SnapshotGap {
  /** The last snapshot before the gap, Unix seconds. */
  readonly from: number;
  /** The first snapshot after it. */
  readonly to: number;
}

export interface ClusterIdentityStats {
  readonly cluster: string;
  readonly snapshots: number;
  /** Pairs of intervals that claim one address at the same time: attribution marks them ambiguous. */
  readonly overlaps: number;
  /** The addresses behind `overlaps`, sorted (at most 100). */
  readonly overlappingAddresses: string[];
  /** Nodes whose AZ could not be resolved to an AZ ID. */
  readonly nodesWithoutZone: string[];
  /** Gaps between snapshots longer than 1.5 periods (a snapshot was missed). */
  readonly missedSnapshots: number;
  readonly gaps: SnapshotGap[];
  /** The VPC CNI's external SNAT, from the latest snapshot holding the aws-node DaemonSet. */
  readonly externalSnat: ExternalSnat;
}

export interface IdentityBuild {
  readonly intervals: IdentityInterval[];
  readonly stats: ClusterIdentityStats;
}

type Identity = Omit<IdentityInterval, "validFrom" | "validTo">;

interface Observation {
  identity: Identity;
  created: number | undefined;
  firstSeen: number;
  lastSeen: number;
  /** The snapshot time before `firstSeen`, when the address might still have been another's. */
  previousSnapshot: number | undefined;
  /** The first snapshot after `lastSeen` that no longer shows it. */
  goneAt: number | undefined;
}

/**
 * Turns sightings in successive snapshots into validity intervals. One key (address, owner) is one
 * interval from its first to its last sighting, widened back to the owner's creation (but never
 * before the previous snapshot, where the address may have been someone else's) and forward to
 * the snapshot that no longer shows it (or one period after the last sighting at the end of the
 * data). When an address passes to a new owner between two snapshots, the stretch between the
 * new owner's creation and the snapshot that no longer shows the old one belongs to both: it is
 * counted as an overlap (attribution marks it ambiguous) rather than split by a guess, since a
 * pod may be created before the old holder released the address.
 */
class IntervalTracker {
  private readonly observations = new Map<string, Observation>();
  private previous: number | undefined;
  private seen = new Set<string>();
  readonly gaps: SnapshotGap[] = [];
  snapshots = 0;

  constructor(private readonly periodSeconds: number) {}

  begin(at: number): void {
    if (this.previous !== undefined && at - this.previous > this.periodSeconds * 1.5) {
      this.gaps.push({ from: this.previous, to: at });
    }
    this.seen = new Set();
    this.snapshots++;
  }

  observe(key: string, identity: Identity, created: number | undefined, at: number): void {
    this.seen.add(key);
    const existing = this.observations.get(key);
    if (existing) {
      // Seen again, possibly after a snapshot that lacked it (a partial snapshot): bridge the gap.
      existing.lastSeen = at;
      existing.goneAt = undefined;
      return;
    }
    this.observations.set(key, {
      identity,
      created,
      firstSeen: at,
      lastSeen: at,
      previousSnapshot: this.previous,
      goneAt: undefined,
    });
  }

  end(at: number): void {
    for (const [key, obs] of this.observations) {
      if (!this.seen.has(key) && obs.goneAt === undefined && obs.lastSeen < at) obs.goneAt = at;
    }
    this.previous = at;
  }

  intervals(): IdentityInterval[] {
    const out: IdentityInterval[] = [];
    for (const obs of this.observations.values()) {
      const earliest = obs.previousSnapshot ?? Number.NEGATIVE_INFINITY;
      const validFrom = Math.max(Math.min(obs.created ?? obs.firstSeen, obs.firstSeen), earliest);
      out.push({
        ...obs.identity,
        validFrom: Number.isFinite(validFrom) ? validFrom : obs.firstSeen,
        validTo: obs.goneAt ?? obs.lastSeen + this.periodSeconds,
      });
    }
    return sortIntervals(out);
  }
}

function sortIntervals(intervals: IdentityInterval[]): IdentityInterval[] {
  return intervals.sort((a, b) =>
    a.ip === b.ip
      ? a.validFrom - b.validFrom || (a.ownerId < b.ownerId ? -1 : a.ownerId > b.ownerId ? 1 : 0)
      : a.ip < b.ip
        ? -1
        : 1,
  );
}

/** Node name -> EC2 instance id, from `spec.providerID` (`aws:///<az>/<instance-id>`). */
export function nodeInstanceId(node: Node): string | undefined {
  return /\/(i-[0-9a-f]+)$/.exec(node.spec?.providerID ?? "")?.[1];
}

/**
 * Turns one cluster's successive Kubernetes snapshots into address-validity intervals: pods
 * (hostNetwork pods share their node's address, which is the node's identity; Succeeded and
 * Failed pods have released theirs) and nodes.
 */
export function buildIdentityIntervals(
  cluster: string,
  snapshots: ReadonlyArray<Snapshot>,
  zones: ZoneIdByName,
  periodSeconds: number,
): IdentityBuild {
  const ordered = [...snapshots].sort((a, b) => a.capturedAt - b.capturedAt);
  const tracker = new IntervalTracker(periodSeconds);
  const nodesWithoutZone = new Set<string>();
  let externalSnat = externalSnatOf(undefined);

  for (const snapshot of ordered) {
    const at = snapshot.capturedAt;
    tracker.begin(at);
    if (snapshot.inventory.awsNode) externalSnat = externalSnatOf(snapshot.inventory.awsNode);
    const nodeZones = new Map<string, string | null>();
    for (const node of snapshot.inventory.nodes) {
      const azId = nodeZoneId(node, zones) ?? null;
      if (azId === null) nodesWithoutZone.add(node.metadata.name);
      nodeZones.set(node.metadata.name, azId);
      for (const ip of nodeAddresses(node)) {
        tracker.observe(
          `${ip}|node/${node.metadata.name}`,
          {
            cluster,
            ip,
            kind: "node",
            ownerId: `node/${node.metadata.name}`,
            namespace: null,
            podName: null,
            workloadKind: "Node",
            workload: node.metadata.name,
            node: node.metadata.name,
            azId,
            resourceId: nodeInstanceId(node) ?? null,
            service: null,
          },
          parseTime(node.metadata.creationTimestamp),
          at,
        );
      }
    }
    for (const pod of snapshot.inventory.pods) {
      if (pod.spec?.hostNetwork || !holdsAddress(pod)) continue;
      const workload = workloadOf(pod);
      const nodeName = pod.spec?.nodeName ?? null;
      const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
      for (const ip of podAddresses(pod)) {
        tracker.observe(
          `${ip}|${uid}`,
          {
            cluster,
            ip,
            kind: "pod",
            ownerId: uid,
            namespace: pod.metadata.namespace ?? null,
            podName: pod.metadata.name,
            workloadKind: workload.kind,
            workload: workload.name,
            node: nodeName,
            azId: nodeName ? (nodeZones.get(nodeName) ?? null) : null,
            resourceId: null,
            service: null,
          },
          parseTime(pod.metadata.creationTimestamp),
          at,
        );
      }
    }
    tracker.end(at);
  }

  const intervals = tracker.intervals();
  const overlapping = overlaps(intervals);
  return {
    intervals,
    stats: {
      cluster,
      snapshots: ordered.length,
      overlaps: overlapping.count,
      overlappingAddresses: overlapping.addresses,
      nodesWithoutZone: [...nodesWithoutZone].sort(),
      missedSnapshots: tracker.gaps.length,
      gaps: tracker.gaps,
      externalSnat,
    },
  };
}

export interface NetworkIdentityStats {
  readonly snapshots: number;
  readonly missedSnapshots: number;
  readonly gaps: SnapshotGap[];
  /** Distinct ENIs seen, by class (`kubernetes` = node ENIs whose addresses Kubernetes identifies). */
  readonly interfacesByClass: Record<string, number>;
  /** Addresses of unclassified ENIs left to Kubernetes because a pod or node held them. */
  readonly addressesLeftToKubernetes: number;
  /** ENIs whose AZ name had no AZ ID in the capture's DescribeAvailabilityZones. */
  readonly interfacesWithoutZone: number;
}

export interface NetworkIdentityContext {
  /** Every cluster's Kubernetes intervals: they name the VPCs' clusters and claim addresses. */
  readonly kubernetesIntervals: ReadonlyArray<IdentityInterval>;
  /** Every cluster's nodes' EC2 instance ids, by cluster. */
  readonly nodeInstancesByCluster: ReadonlyMap<string, ReadonlySet<string>>;
  readonly periodSeconds: number;
  /** AZ name -> ID for captures without their own describe-availability-zones output. */
  readonly zones?: ZoneIdByName;
}

const NETWORK_KIND_LABEL = {
  nat_gateway: "NatGateway",
  load_balancer: "LoadBalancer",
  vpc_endpoint: "VpcEndpoint",
  eks_control_plane: "EksControlPlane",
  eni: "NetworkInterface",
} as const;

/**
 * Address intervals of the VPC's own network interfaces (NAT gateways, load balancers, VPC
 * endpoints, the EKS control plane, other ENIs such as RDS), from successive DescribeNetworkInterfaces
 * captures. Node ENIs are left to Kubernetes, which knows which pod holds each secondary address.
 *
 * Every row names a cluster: the one named by the resource itself (the LB Controller's cluster tag,
 * `Amazon EKS <cluster>`), else the one cluster whose nodes or control plane sit in the ENI's VPC,
 * else `vpc:<account>/<vpc-id>` (a VPC with no known cluster, or with several).
 */
export function buildNetworkInterfaceIntervals(
  captures: ReadonlyArray<AwsSnapshot>,
  context: NetworkIdentityContext,
): { intervals: IdentityInterval[]; stats: NetworkIdentityStats } {
  const kubernetesIps = new Set(context.kubernetesIntervals.map((i) => i.ip));
  const nodeInstances = new Set<string>();
  const clusterOfInstance = new Map<string, string>();
  for (const [cluster, ids] of context.nodeInstancesByCluster) {
    for (const id of ids) {
      nodeInstances.add(id);
      clusterOfInstance.set(id, cluster);
    }
  }
  const clusterOfNodeIp = new Map<string, string>();
  for (const i of context.kubernetesIntervals) if (i.kind === "node") clusterOfNodeIp.set(i.ip, i.cluster);

  const byScope = new Map<string, AwsSnapshot[]>();
  for (const c of captures) {
    const list = byScope.get(c.scope ?? "") ?? [];
    list.push(c);
    byScope.set(c.scope ?? "", list);
  }

  const classes = new Map<string, string>();
  const interfacesWithoutZone = new Set<string>();
  let addressesLeftToKubernetes = 0;
  const intervals: IdentityInterval[] = [];
  const gaps: SnapshotGap[] = [];
  let snapshots = 0;

  for (const scoped of byScope.values()) {
    const ordered = [...scoped].sort((a, b) => a.capturedAt - b.capturedAt);
    // A VPC's cluster(s): from any capture, since nodes and control planes outlive single captures.
    const vpcClusters = new Map<string, Set<string>>();
    const addVpcCluster = (vpc: string | undefined, cluster: string | undefined) => {
      if (!vpc || !cluster) return;
      const set = vpcClusters.get(vpc) ?? new Set<string>();
      set.add(cluster);
      vpcClusters.set(vpc, set);
    };
    for (const capture of ordered) {
      for (const eni of capture.networkInterfaces) {
        const instance = eni.Attachment?.InstanceId;
        addVpcCluster(eni.VpcId, instance ? clusterOfInstance.get(instance) : undefined);
        addVpcCluster(eni.VpcId, /^Amazon EKS (\S+)$/.exec(eni.Description ?? "")?.[1]);
        for (const ip of networkInterfaceAddresses(eni)) addVpcCluster(eni.VpcId, clusterOfNodeIp.get(ip));
      }
    }

    const tracker = new IntervalTracker(context.periodSeconds);
    for (const capture of ordered) {
      const at = capture.capturedAt;
      tracker.begin(at);
      const eniContext = {
        natGatewayByEni: natGatewaysByEni(capture.natGateways ?? []),
        loadBalancers: capture.loadBalancers ?? [],
        loadBalancerTags: capture.loadBalancerTags ?? new Map(),
        nodeInstanceIds: nodeInstances,
      };
      for (const eni of capture.networkInterfaces) {
        const cls = classifyNetworkInterface(eni, eniContext);
        classes.set(eni.NetworkInterfaceId, cls.kind);
        if (cls.kind === "kubernetes") continue;
        const zoneName = eni.AvailabilityZone;
        const azId =
          eni.AvailabilityZoneId ??
          (zoneName ? (capture.zones?.get(zoneName) ?? context.zones?.get(zoneName)) : undefined);
        if (!azId) interfacesWithoutZone.add(eni.NetworkInterfaceId);
        const vpcClusterSet = eni.VpcId ? vpcClusters.get(eni.VpcId) : undefined;
        const cluster =
          cls.cluster ??
          (vpcClusterSet?.size === 1 ? [...vpcClusterSet][0] : undefined) ??
          `vpc:${eni.OwnerId ?? "unknown"}/${eni.VpcId ?? "unknown"}`;
        for (const ip of networkInterfaceAddresses(eni)) {
          if (cls.kind === "eni" && kubernetesIps.has(ip)) {
            addressesLeftToKubernetes++;
            continue;
          }
          tracker.observe(
            `${ip}|${eni.NetworkInterfaceId}`,
            {
              cluster: cluster ?? "",
              ip,
              kind: cls.kind,
              ownerId: cls.resourceId,
              namespace: null,
              podName: null,
              workloadKind: NETWORK_KIND_LABEL[cls.kind],
              workload: cls.name,
              node: null,
              azId: azId ?? null,
              resourceId: cls.resourceId,
              service: cls.service,
            },
            undefined,
            at,
          );
        }
      }
      tracker.end(at);
    }
    intervals.push(...tracker.intervals());
    gaps.push(...tracker.gaps);
    snapshots += tracker.snapshots;
  }

  const interfacesByClass: Record<string, number> = {};
  for (const kind of classes.values()) interfacesByClass[kind] = (interfacesByClass[kind] ?? 0) + 1;
  return {
    intervals: sortIntervals(intervals),
    stats: {
      snapshots,
      missedSnapshots: gaps.length,
      gaps,
      interfacesByClass,
      addressesLeftToKubernetes,
      interfacesWithoutZone: interfacesWithoutZone.size,
    },
  };
}

export interface IdentityInput {
  readonly clusters: ReadonlyArray<{ cluster: string; snapshots: ReadonlyArray<Snapshot> }>;
  readonly aws: ReadonlyArray<AwsSnapshot>;
  /** AZ name -> ID for nodes without the `topology.k8s.aws/zone-id` label. */
  readonly zones: ZoneIdByName;
  readonly periodSeconds: number;
}

export interface IdentityResult {
  readonly intervals: IdentityInterval[];
  readonly clusters: ClusterIdentityStats[];
  readonly network: NetworkIdentityStats;
  /** Over all rows, Kubernetes and ENI alike. */
  readonly overlaps: number;
  readonly overlappingAddresses: string[];
}

/** Kubernetes and VPC identity together: every address -> owner interval of a deployment. */
export function buildIdentity(input: IdentityInput): IdentityResult {
  const builds = input.clusters.map((c) =>
    buildIdentityIntervals(c.cluster, c.snapshots, input.zones, input.periodSeconds),
  );
  const kubernetesIntervals = builds.flatMap((b) => b.intervals);
  const nodeInstancesByCluster = new Map<string, Set<string>>();
  for (const c of input.clusters) {
    const ids = new Set<string>();
    for (const s of c.snapshots) {
      for (const node of s.inventory.nodes) {
        const id = nodeInstanceId(node);
        if (id) ids.add(id);
      }
    }
    nodeInstancesByCluster.set(c.cluster, ids);
  }
  const network = buildNetworkInterfaceIntervals(input.aws, {
    kubernetesIntervals,
    nodeInstancesByCluster,
    periodSeconds: input.periodSeconds,
    zones: input.zones,
  });
  const intervals = sortIntervals([...kubernetesIntervals, ...network.intervals]);
  const overlapping = overlaps(intervals);
  return {
    intervals,
    clusters: builds.map((b) => b.stats),
    network: network.stats,
    overlaps: overlapping.count,
    overlappingAddresses: overlapping.addresses,
  };
}

/** Pairs of intervals (sorted by address and start) that hold one address at the same time. */
function overlaps(sorted: ReadonlyArray<IdentityInterval>): { count: number; addresses: string[] } {
  let count = 0;
  const addresses = new Set<string>();
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j];
      if (!a || !b || b.ip !== a.ip || b.validFrom >= a.validTo) break;
      count++;
      addresses.add(a.ip);
    }
  }
  return { count, addresses: [...addresses].sort().slice(0, 100) };
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** `20261122T101500Z` (the snapshot file-name timestamp) to Unix seconds. */
export function parseCaptureTime(name: string): number | undefined {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(name);
  if (!m) return undefined;
  return (
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000
  );
}

export function formatCaptureTime(seconds: number): string {
  return new Date(seconds * 1000)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * One `ip_identity` row: the table's columns (queries/ddl/athena/ip_identity.sql), in its order.
 * The local job writes these through DuckDB and the build-identity Lambda as JSON lines for
 * Athena, so both sides shape rows here. A type alias (not an interface), so it is assignable to
 * `Record<string, unknown>`.
 */
export type IpIdentityRow = {
  readonly cluster: string;
  readonly ip: string;
  readonly kind: IdentityKind;
  readonly owner_id: string;
  readonly namespace: string | null;
  readonly pod_name: string | null;
  readonly workload_kind: string;
  readonly workload: string;
  readonly node: string | null;
  readonly az_id: string | null;
  readonly resource_id: string | null;
  readonly service: string | null;
  readonly valid_from: number;
  readonly valid_to: number;
};

/** An interval as a row of the day's partition, clipped to the day `[start, end)`. */
export function identityRow(i: IdentityInterval, day: { start: number; end: number }): IpIdentityRow {
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

/**
 * The rows of one day's `ip_identity` partition: every interval that overlaps the day, clipped to
 * it, in the intervals' order.
 *
 * @example identityRowsForDay(buildIdentity(input).intervals, dayWindow("2026-11-22"))
 */
export function identityRowsForDay(
  intervals: ReadonlyArray<IdentityInterval>,
  day: { start: number; end: number },
): IpIdentityRow[] {
  return intervals
    .filter((i) => i.validTo > day.start && i.validFrom < day.end)
    .map((i) => identityRow(i, day));
}
