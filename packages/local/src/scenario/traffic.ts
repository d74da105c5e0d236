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
  /** IANA protocol number; TCP unless set (CoreDNS answers on UDP 53). */
  readonly protocol?: number;
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
  // DNS to CoreDNS: pods ask the kube-dns Service, which lands on CoreDNS in another AZ as often as not.
  {
    from: "shop/frontend",
    to: "kube-system/coredns",
    port: 53,
    requestBytesPerMinute: 40_000,
    responseRatio: 3,
    protocol: 17,
  },
  {
    from: "shop/cart",
    to: "kube-system/coredns",
    port: 53,
    requestBytesPerMinute: 20_000,
    responseRatio: 3,
    protocol: 17,
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
  "pkt-src-aws-service",
  "pkt-dst-aws-service",
] as const;

/**
 * One end of a transfer as the generator knows it: a pod (namespace/workload), a node, or a
 * non-pod owner named by its AWS resource (NAT gateway, load balancer, control-plane ENI), or
 * something outside the VPC (an AWS service by name, the internet) or an address nobody owns.
 */
export interface TruthEnd {
  readonly kind: string;
  readonly namespace: string | null;
  readonly workloadKind: string | null;
  readonly workload: string | null;
  readonly azId: string | null;
  /** Node name for pods and nodes (the billed instance's node). */
  readonly node: string | null;
  /** AWS resource id for non-pod owners (nat-…, the LB ARN, eni-…); the IP for unknown addresses. */
  readonly resource: string | null;
}

/** Bytes per (category, subcategory, source, destination, Service, LB, NAT, confidence): the answer key. */
export interface TruthRow {
  readonly category: string;
  readonly subcategory: string | null;
  readonly src: TruthEnd;
  readonly dst: TruthEnd;
  readonly service: string | null;
  readonly loadBalancer: string | null;
  readonly natGateway: string | null;
  readonly confidence: "exact" | "node" | "ambiguous";
  /** Legacy flat fields of pod ends, kept for readers of generator-truth.json. */
  readonly srcNamespace: string | null;
  readonly srcWorkloadKind: string | null;
  readonly srcWorkload: string | null;
  readonly srcAzId: string | null;
  readonly dstNamespace: string | null;
  readonly dstWorkloadKind: string | null;
  readonly dstWorkload: string | null;
  readonly dstAzId: string | null;
  bytes: number;
}

export interface TrafficSink {
  /** One flow-log line (without newline) for the 5-minute object named by `fileTime`. */
  record(fileTime: number, line: string): void;
  /** Every record of minutes before `minute` has been emitted (objects before it can be closed). */
  minuteDone?(minute: number): void;
}

/** One flow-log record in DEMO_FORMAT order; `-` for fields that do not apply. */
export interface FlowRecord {
  readonly eni: string;
  readonly srcaddr: string;
  readonly dstaddr: string;
  readonly srcport: number;
  readonly dstport: number;
  readonly protocol: number;
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
  readonly subnetId: string;
  /** `-` for requester-managed ENIs (NAT gateway, load balancers). */
  readonly instanceId: string;
  readonly pktSrc: string;
  readonly pktDst: string;
  readonly azId: string;
  readonly direction: "egress" | "ingress";
  readonly srcService?: string;
  readonly dstService?: string;
}

export function emitRecord(cluster: Cluster, sink: TrafficSink, r: FlowRecord): void {
  const packets = Math.max(1, Math.ceil(r.bytes / 1400));
  sink.record(
    r.end - (r.end % 300),
    [
      "5",
      cluster.accountId,
      r.eni,
      r.srcaddr,
      r.dstaddr,
      r.srcport,
      r.dstport,
      r.protocol,
      packets,
      r.bytes,
      r.start,
      r.end,
      "ACCEPT",
      "OK",
      cluster.vpcId,
      r.subnetId,
      r.instanceId,
      r.protocol === 6 ? "3" : "0",
      "IPv4",
      r.pktSrc,
      r.pktDst,
      cluster.region,
      r.azId,
      r.direction,
      r.direction === "egress" ? "1" : "-",
      r.srcService ?? "-",
      r.dstService ?? "-",
    ].join(" "),
  );
}

export function podEnd(pod: SimPod): TruthEnd {
  return {
    kind: "pod",
    namespace: pod.workload.namespace,
    workloadKind: pod.workload.kind,
    workload: pod.workload.name,
    azId: pod.node.zone.id,
    node: pod.node.name,
    resource: null,
  };
}

export function nodeEnd(node: SimPod["node"]): TruthEnd {
  return {
    kind: "node",
    namespace: null,
    workloadKind: "Node",
    workload: node.name,
    azId: node.zone.id,
    node: node.name,
    resource: null,
  };
}

export type TruthTable = Map<string, TruthRow>;

/** Adds bytes to the answer key under everything a result row is grouped by. */
/** A request one way and its response back: the row, then the same row with its ends swapped. */
export function addExchange(
  truth: TruthTable,
  row: Parameters<typeof addTruthRow>[1],
  requestBytes: number,
  responseBytes: number,
): void {
  addTruthRow(truth, row, requestBytes);
  addTruthRow(truth, { ...row, src: row.dst, dst: row.src }, responseBytes);
}

export function addTruthRow(
  truth: TruthTable,
  row: Omit<
    TruthRow,
    | "bytes"
    | "srcNamespace"
    | "srcWorkloadKind"
    | "srcWorkload"
    | "srcAzId"
    | "dstNamespace"
    | "dstWorkloadKind"
    | "dstWorkload"
    | "dstAzId"
  >,
  bytes: number,
): void {
  const endKey = (e: TruthEnd) => [e.kind, e.namespace, e.workload, e.azId, e.resource].join("/");
  const id = [
    row.category,
    row.subcategory,
    endKey(row.src),
    endKey(row.dst),
    row.service,
    row.loadBalancer,
    row.natGateway,
    row.confidence,
  ].join("|");
  const existing = truth.get(id);
  if (existing) {
    existing.bytes += bytes;
    return;
  }
  truth.set(id, {
    ...row,
    srcNamespace: row.src.namespace,
    srcWorkloadKind: row.src.workloadKind,
    srcWorkload: row.src.workload,
    srcAzId: row.src.azId,
    dstNamespace: row.dst.namespace,
    dstWorkloadKind: row.dst.workloadKind,
    dstWorkload: row.dst.workload,
    dstAzId: row.dst.azId,
    bytes,
  });
}

/** Billed bytes per usage class and resource, as the CUR bills them (aws-facts.md §4.2, §4.3). */
export interface Billing {
  add(
    usageClass: "inter_az_out" | "inter_az_in" | "nat_bytes" | "lb_bytes" | "vpce_bytes",
    resource: string,
    bytes: number,
  ): void;
}

const key = (w: SimWorkload) => `${w.namespace}/${w.name}`;

/**
 * Connections a client pod holds to the server pod it talks to in a minute. Real clients keep
 * several (HTTP keep-alive and connection pools, a fresh UDP source port per DNS query), each
 * its own 5-tuple and so its own flow-log record per aggregation interval; compaction folds
 * them into one row (the grain drops the ephemeral port). One connection per conversation
 * would make every pod pair's minute a single record, which no real flow log looks like.
 */
export const DEFAULT_CONNECTIONS_PER_CONVERSATION = 4;

/**
 * A conversation's bytes split exactly across its connections (shares drawn from `shapes`,
 * each connection at least one byte while the bytes allow): the sums are the conversation's,
 * so the ground truth and the bill do not depend on the connection count. The first connection
 * keeps the conversation's own client port; the others draw theirs.
 */
export function splitConversation(
  shapes: () => number,
  clientPort: number,
  request: number,
  response: number,
  connections: number,
): Array<{ clientPort: number; request: number; response: number }> {
  const n = Math.max(1, Math.min(connections, request, response));
  const weights = Array.from({ length: n }, () => 0.5 + shapes());
  const total = weights.reduce((a, b) => a + b, 0);
  const split = (bytes: number) => {
    // Each connection gets one byte, then its share of the rest; the last takes the remainder.
    const spare = bytes - n;
    const parts = weights.map((w) => 1 + Math.floor((spare * w) / total));
    parts[n - 1] = bytes - parts.slice(0, n - 1).reduce((a, b) => a + b, 0);
    return parts;
  };
  const requests = split(request);
  const responses = split(response);
  // Distinct ports: two connections on one 5-tuple would be one flow, logged as one record.
  const ports = new Set([clientPort]);
  while (ports.size < n) ports.add(32768 + Math.floor(shapes() * 28000));
  const portList = [...ports];
  return requests.map((r, i) => ({
    clientPort: portList[i] as number,
    request: r,
    response: responses[i] as number,
  }));
}

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
  options: {
    truth?: TruthTable;
    billing?: Billing;
    /** More traffic for the same minute (NAT, load balancers, control plane), so output can stream. */
    perMinute?: (minute: number) => void;
    /** Connections a client holds to its server (see DEFAULT_CONNECTIONS_PER_CONVERSATION). */
    connectionsPerConversation?: number;
    /**
     * Picks the server a client talks to this minute among the ready servers on other nodes
     * (default: round-robin); e.g. a Service under zone routing picks one in the client's zone.
     */
    serverFor?: (
      edge: TrafficEdge,
      client: SimPod,
      candidates: SimPod[],
      minute: number,
      index: number,
    ) => SimPod | undefined;
  } = {},
): TruthRow[] {
  const random = seededRandom(seed ^ 0x9e3779b9);
  // The connections' ports and byte shares come from their own stream, so the conversations'
  // amounts (and with them the truth and the bill) are the same whatever the connection count.
  const shapes = seededRandom(seed ^ 0x2545f491);
  const connections = options.connectionsPerConversation ?? DEFAULT_CONNECTIONS_PER_CONVERSATION;
  if (!Number.isInteger(connections) || connections < 1)
    throw new RangeError(`connectionsPerConversation must be a whole number >= 1, got ${connections}`);
  const truth = options.truth ?? new Map<string, TruthRow>();
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
        const server =
          options.serverFor?.(edge, client, candidates, minute, c) ??
          candidates[(minute / 60 + c) % Math.max(candidates.length, 1)];
        if (!server) return;
        const request = Math.round(edge.requestBytesPerMinute * (0.5 + random()));
        const response = Math.round(request * edge.responseRatio);
        const clientPort = 32768 + Math.floor(random() * 28000);
        const start = minute + Math.floor(random() * 5);
        const end = minute + 55 + Math.floor(random() * 5);
        const protocol = edge.protocol ?? 6;
        for (const c of splitConversation(shapes, clientPort, request, response, connections)) {
          transfer(cluster, sink, client, server, c.clientPort, edge.port, c.request, start, end, protocol);
          transfer(cluster, sink, server, client, edge.port, c.clientPort, c.response, start, end, protocol);
        }
        addTruth(truth, client, server, request, edge.port);
        addTruth(truth, server, client, response, edge.port);
        bill(options.billing, client, server, request);
        bill(options.billing, server, client, response);
      });
    }
    options.perMinute?.(minute);
    sink.minuteDone?.(minute + 60);
  }
  return [...truth.values()].sort((a, b) => b.bytes - a.bytes);
}

function bill(billing: Billing | undefined, src: SimPod, dst: SimPod, bytes: number): void {
  if (!billing || src.node.zone.id === dst.node.zone.id) return;
  billing.add("inter_az_out", src.node.instanceId, bytes);
  billing.add("inter_az_in", dst.node.instanceId, bytes);
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
  protocol = 6,
): void {
  const packets = Math.max(1, Math.ceil(bytes / 1400));
  const fileTime = end - (end % 300);
  const common = (node: SimPod["node"]) => [
    cluster.vpcId,
    node.zone.subnetId,
    node.instanceId,
    protocol === 6 ? "3" : "0",
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
      protocol,
      packets,
      bytes,
      start,
      end,
      "ACCEPT",
      "OK",
      ...common(src.node),
      "egress",
      "1",
      "-",
      "-",
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
      protocol,
      packets,
      bytes,
      start,
      end,
      "ACCEPT",
      "OK",
      ...common(dst.node),
      "ingress",
      "-",
      "-",
      "-",
    ].join(" "),
  );
}

function addTruth(truth: TruthTable, src: SimPod, dst: SimPod, bytes: number, port: number): void {
  addTruthRow(
    truth,
    {
      category: src.node.zone.id === dst.node.zone.id ? "same_az" : "cross_az",
      subcategory: port === 53 ? "dns" : null,
      src: podEnd(src),
      dst: podEnd(dst),
      service: null,
      loadBalancer: null,
      natGateway: null,
      confidence: "exact",
    },
    bytes,
  );
}
