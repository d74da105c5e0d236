import {
  holdsAddress,
  type KubernetesInventory,
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

export interface IdentityBuild {
  readonly intervals: IdentityInterval[];
  readonly stats: {
    readonly snapshots: number;
    /** Pairs of intervals that claim one address at the same time: attribution marks them ambiguous. */
    readonly overlaps: number;
    /** Nodes whose AZ could not be resolved to an AZ ID. */
    readonly nodesWithoutZone: string[];
    /** Gaps between snapshots longer than 1.5 periods (a snapshot was missed). */
    readonly missedSnapshots: number;
  };
}

interface Observation {
  identity: Omit<IdentityInterval, "validFrom" | "validTo">;
  created: number | undefined;
  firstSeen: number;
  lastSeen: number;
  /** The snapshot time before `firstSeen`, when the address might still have been another's. */
  previousSnapshot: number | undefined;
  /** The first snapshot after `lastSeen` that no longer shows it. */
  goneAt: number | undefined;
}

/**
 * Turns successive snapshots into address-validity intervals. A pod keeps its IP for its whole
 * life, so one (ip, pod uid) pair is one interval from its first to its last sighting, widened
 * back to the pod's creation (but never before the previous snapshot, where the address may
 * have been someone else's) and forward to the snapshot that no longer shows it (or one period
 * after the last sighting at the end of the data).
 */
export function buildIdentityIntervals(
  cluster: string,
  snapshots: ReadonlyArray<Snapshot>,
  zones: ZoneIdByName,
  periodSeconds: number,
): IdentityBuild {
  const ordered = [...snapshots].sort((a, b) => a.capturedAt - b.capturedAt);
  const observations = new Map<string, Observation>();
  const nodesWithoutZone = new Set<string>();
  let missedSnapshots = 0;
  let previous: number | undefined;

  const observe = (
    key: string,
    identity: Observation["identity"],
    created: number | undefined,
    at: number,
  ) => {
    const existing = observations.get(key);
    if (existing && existing.goneAt === undefined) {
      existing.lastSeen = at;
      return;
    }
    if (existing) {
      // Seen again after a snapshot that lacked it (a missed or partial snapshot): bridge the gap.
      existing.lastSeen = at;
      existing.goneAt = undefined;
      return;
    }
    observations.set(key, {
      identity,
      created,
      firstSeen: at,
      lastSeen: at,
      previousSnapshot: previous,
      goneAt: undefined,
    });
  };

  for (const snapshot of ordered) {
    const at = snapshot.capturedAt;
    if (previous !== undefined && at - previous > periodSeconds * 1.5) missedSnapshots++;
    const seen = new Set<string>();
    const nodeZones = new Map<string, string | null>();
    for (const node of snapshot.inventory.nodes) {
      const azId = nodeZoneId(node, zones) ?? null;
      if (azId === null) nodesWithoutZone.add(node.metadata.name);
      nodeZones.set(node.metadata.name, azId);
      for (const ip of nodeAddresses(node)) {
        const key = `${ip}|node/${node.metadata.name}`;
        seen.add(key);
        observe(
          key,
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
            resourceId: null,
            service: null,
          },
          parseTime(node.metadata.creationTimestamp),
          at,
        );
      }
    }
    for (const pod of snapshot.inventory.pods) {
      // hostNetwork pods share the node's address: that address is the node's identity.
      if (pod.spec?.hostNetwork || !holdsAddress(pod)) continue;
      const workload = workloadOf(pod);
      const nodeName = pod.spec?.nodeName ?? null;
      const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
      for (const ip of podAddresses(pod)) {
        const key = `${ip}|${uid}`;
        seen.add(key);
        observe(
          key,
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
    for (const [key, obs] of observations) {
      if (!seen.has(key) && obs.goneAt === undefined && obs.lastSeen < at) obs.goneAt = at;
    }
    previous = at;
  }

  const intervals: IdentityInterval[] = [];
  for (const obs of observations.values()) {
    const earliest = obs.previousSnapshot ?? Number.NEGATIVE_INFINITY;
    const validFrom = Math.max(Math.min(obs.created ?? obs.firstSeen, obs.firstSeen), earliest);
    const validTo = obs.goneAt ?? obs.lastSeen + periodSeconds;
    intervals.push({
      ...obs.identity,
      validFrom: Number.isFinite(validFrom) ? validFrom : obs.firstSeen,
      validTo,
    });
  }
  intervals.sort((a, b) => (a.ip === b.ip ? a.validFrom - b.validFrom : a.ip < b.ip ? -1 : 1));
  return {
    intervals,
    stats: {
      snapshots: ordered.length,
      overlaps: countOverlaps(intervals),
      nodesWithoutZone: [...nodesWithoutZone].sort(),
      missedSnapshots,
    },
  };
}

function countOverlaps(sortedByIpAndStart: ReadonlyArray<IdentityInterval>): number {
  let overlaps = 0;
  for (let i = 1; i < sortedByIpAndStart.length; i++) {
    const a = sortedByIpAndStart[i - 1];
    const b = sortedByIpAndStart[i];
    if (a && b && a.ip === b.ip && b.validFrom < a.validTo) overlaps++;
  }
  return overlaps;
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
