import { seededRandom } from "./random.ts";
import { alive, type Cluster, REUSE_WORKLOAD, type SimPod, type SimWorkload } from "./topology.ts";

/** Who talks to whom, and how much: a client pod sends requests, the server answers. */
export interface TrafficEdge {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  /** Mean request bytes per client pod per minute. */
  readonly requestBytesPerMinute: number;
  /** Response bytes per request byte. */
  readonly responseRatio: number;
}

export const DEMO_TRAFFIC: TrafficEdge[] = [
  {
    from: "shop/frontend",
    to: "shop/catalog",
    port: 8080,
    requestBytesPerMinute: 40_000_000,
    responseRatio: 12,
  },
  { from: "shop/frontend", to: "shop/cart", port: 8080, requestBytesPerMinute: 30_000_000, responseRatio: 3 },
  {
    from: "shop/cart",
    to: "payments/api",
    port: 8443,
    requestBytesPerMinute: 16_000_000,
    responseRatio: 1.5,
  },
  {
    from: "payments/api",
    to: "payments/ledger",
    port: 5432,
    requestBytesPerMinute: 60_000_000,
    responseRatio: 4,
  },
  {
    from: `${REUSE_WORKLOAD.namespace}/${REUSE_WORKLOAD.name}`,
    to: "shop/catalog",
    port: 8080,
    requestBytesPerMinute: 10_000_000,
    responseRatio: 20,
  },
];

/** Pods start taking traffic this long after creation (readiness), as real pods do. */
export const READY_AFTER_SECONDS = 180;

/** The custom v5 format the demo's flow log is configured with (the header line of every object). */
export const DEMO_FORMAT = [
  "version",
  "account-id",
  "interface-id",
  "srcaddr",
  "dstaddr",
  "srcport",
  "dstport",
  "protocol",
  "packets",
  "bytes",
  "start",
  "end",
  "action",
  "log-status",
  "vpc-id",
  "subnet-id",
  "instance-id",
  "tcp-flags",
  "type",
  "pkt-srcaddr",
  "pkt-dstaddr",
  "region",
  "az-id",
  "flow-direction",
  "traffic-path",
] as const;

export interface TruthRow {
  readonly category: "cross_az" | "same_az";
  readonly srcNamespace: string;
  readonly srcWorkloadKind: string;
  readonly srcWorkload: string;
  readonly srcAzId: string;
  readonly dstNamespace: string;
  readonly dstWorkloadKind: string;
  readonly dstWorkload: string;
  readonly dstAzId: string;
  bytes: number;
}

export interface TrafficSink {
  /** One flow-log line (without newline) for the 5-minute object named by `fileTime`. */
  record(fileTime: number, line: string): void;
}

const key = (w: SimWorkload) => `${w.namespace}/${w.name}`;

/**
 * Emits the flow-log records of every transfer, one minute at a time (60 s aggregation, as on
 * Nitro instances), each transfer logged twice: egress at the sender's node ENI and ingress at
 * the receiver's. Returns the ground truth: bytes per (category, source, destination).
 */
export function generateTraffic(
  cluster: Cluster,
  edges: ReadonlyArray<TrafficEdge>,
  seed: number,
  sink: TrafficSink,
): TruthRow[] {
  const random = seededRandom(seed ^ 0x9e3779b9);
  const truth = new Map<string, TruthRow>();
  const byWorkload = new Map<string, SimPod[]>();
  for (const pod of cluster.pods)
    byWorkload.set(key(pod.workload), [...(byWorkload.get(key(pod.workload)) ?? []), pod]);
  const ready = (pod: SimPod, minute: number) =>
    alive(pod, minute) && alive(pod, minute + 59) && minute >= pod.createdAt + READY_AFTER_SECONDS;

  for (let minute = cluster.start; minute < cluster.end; minute += 60) {
    for (const edge of edges) {
      const clients = (byWorkload.get(edge.from) ?? []).filter((p) => ready(p, minute));
      const servers = (byWorkload.get(edge.to) ?? []).filter((p) => ready(p, minute));
      if (servers.length === 0) continue;
      clients.forEach((client, c) => {
        // Round-robin over servers, skipping one on the client's own node (that traffic never
        // leaves the node, so no ENI logs it).
        const candidates = servers.filter((s) => s.node !== client.node);
        const server = candidates[(minute / 60 + c) % Math.max(candidates.length, 1)];
        if (!server) return;
        const request = Math.round(edge.requestBytesPerMinute * (0.5 + random()));
        const response = Math.round(request * edge.responseRatio);
        const clientPort = 32768 + Math.floor(random() * 28000);
        const start = minute + Math.floor(random() * 5);
        const end = minute + 55 + Math.floor(random() * 5);
        transfer(cluster, sink, client, server, clientPort, edge.port, request, start, end);
        transfer(cluster, sink, server, client, edge.port, clientPort, response, start, end);
        addTruth(truth, client, server, request);
        addTruth(truth, server, client, response);
      });
    }
  }
  return [...truth.values()].sort((a, b) => b.bytes - a.bytes);
}

function transfer(
  cluster: Cluster,
  sink: TrafficSink,
  src: SimPod,
  dst: SimPod,
  srcPort: number,
  dstPort: number,
  bytes: number,
  start: number,
  end: number,
): void {
  const packets = Math.max(1, Math.ceil(bytes / 1400));
  const fileTime = end - (end % 300);
  const common = (node: SimPod["node"]) => [
    cluster.vpcId,
    node.zone.subnetId,
    node.instanceId,
    "3",
    "IPv4",
    src.ip,
    dst.ip,
    cluster.region,
    node.zone.id,
  ];
  // Egress at the sender: srcaddr is the sender ENI's primary IP (the node's); the pod is in pkt-srcaddr.
  sink.record(
    fileTime,
    [
      "5",
      cluster.accountId,
      src.node.eniId,
      src.node.ip,
      dst.ip,
      srcPort,
      dstPort,
      6,
      packets,
      bytes,
      start,
      end,
      "ACCEPT",
      "OK",
      ...common(src.node),
      "egress",
      "1",
    ].join(" "),
  );
  // Ingress at the receiver: dstaddr is the receiver ENI's primary IP; traffic-path is egress-only.
  sink.record(
    fileTime,
    [
      "5",
      cluster.accountId,
      dst.node.eniId,
      src.ip,
      dst.node.ip,
      srcPort,
      dstPort,
      6,
      packets,
      bytes,
      start,
      end,
      "ACCEPT",
      "OK",
      ...common(dst.node),
      "ingress",
      "-",
    ].join(" "),
  );
}

function addTruth(truth: Map<string, TruthRow>, src: SimPod, dst: SimPod, bytes: number): void {
  const category = src.node.zone.id === dst.node.zone.id ? "same_az" : "cross_az";
  const id = [category, key(src.workload), src.node.zone.id, key(dst.workload), dst.node.zone.id].join("|");
  const row = truth.get(id);
  if (row) {
    row.bytes += bytes;
    return;
  }
  truth.set(id, {
    category,
    srcNamespace: src.workload.namespace,
    srcWorkloadKind: src.workload.kind,
    srcWorkload: src.workload.name,
    srcAzId: src.node.zone.id,
    dstNamespace: dst.workload.namespace,
    dstWorkloadKind: dst.workload.kind,
    dstWorkload: dst.workload.name,
    dstAzId: dst.node.zone.id,
    bytes,
  });
}
