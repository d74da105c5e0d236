import { hex } from "./random.ts";
import type { SimNode, SimPod, SimWorkload } from "./topology.ts";
import { uuid } from "./topology.ts";
import type { TrafficEdge } from "./traffic.ts";

/**
 * The planted problems (`problems: true`), each a case a recommendation rule must find or decline,
 * with pods placed on chosen nodes so the answer is known:
 *  - shop/web (one pod per zone, first node) -> shop/search (one per zone, second node): a
 *    balanced Service with cross-AZ traffic: topology-aware routing pays.
 *  - shop/web -> shop/session (a single pod): a single-backend Service: no internalTrafficPolicy:
 *    Local (callers elsewhere would be dropped); spread it first.
 *  - shop/web and shop/frontend -> monitoring/node-agent (a DaemonSet, every node): every caller
 *    has a local endpoint: internalTrafficPolicy: Local pays.
 *  - shop/web -> CoreDNS (two zones of three): DNS across AZs worth NodeLocal DNSCache.
 *  - NAT: shop/web -> a partner API on the internet (the cross-AZ leg pays for NAT gateways per
 *    AZ), payments/ledger -> EBS direct APIs (an interface endpoint pays), shop/cart -> API
 *    Gateway (too little for an endpoint's hours), payments/api -> AMAZON (no single service).
 * shop/catalog (existing, endpoints in two zones of three) is the unbalanced Service.
 */
export const PLANT_WORKLOADS = {
  web: { namespace: "shop", kind: "Deployment", name: "web" },
  search: { namespace: "shop", kind: "Deployment", name: "search" },
  session: { namespace: "shop", kind: "Deployment", name: "session" },
  nodeAgent: { namespace: "monitoring", kind: "DaemonSet", name: "node-agent" },
} as const satisfies Record<string, SimWorkload>;

export const PLANT_EDGES: TrafficEdge[] = [
  { from: "shop/web", to: "shop/search", port: 9200, requestBytesPerMinute: 20_000_000, responseRatio: 5 },
  { from: "shop/web", to: "shop/session", port: 6379, requestBytesPerMinute: 5_000_000, responseRatio: 2 },
  {
    from: "shop/web",
    to: "monitoring/node-agent",
    port: 4317,
    requestBytesPerMinute: 3_000_000,
    responseRatio: 0.05,
  },
  {
    from: "shop/frontend",
    to: "monitoring/node-agent",
    port: 4317,
    requestBytesPerMinute: 3_000_000,
    responseRatio: 0.05,
  },
  {
    from: "shop/web",
    to: "kube-system/coredns",
    port: 53,
    requestBytesPerMinute: 1_000_000,
    responseRatio: 3,
    protocol: 17,
  },
];

/** More destinations through the NAT gateway (network.ts NAT_DESTINATIONS shape). */
export const PLANT_NAT_DESTINATIONS = [
  {
    from: "shop/web",
    ip: "203.0.113.77",
    service: undefined,
    port: 443,
    upPerMinute: 10_000_000,
    downRatio: 4,
  },
  {
    from: "payments/ledger",
    ip: "3.80.16.9",
    service: "EBS",
    port: 443,
    upPerMinute: 20_000_000,
    downRatio: 0.1,
  },
  {
    from: "shop/cart",
    ip: "3.83.220.40",
    service: "API_GATEWAY",
    port: 443,
    upPerMinute: 200_000,
    downRatio: 1,
  },
  { from: "payments/api", ip: "3.5.12.30", service: "AMAZON", port: 443, upPerMinute: 300_000, downRatio: 2 },
] as const;

/**
 * The planted workloads' pods: web on each zone's first node, search on each zone's second,
 * session on the first zone's second node, node-agent on every node.
 */
export function plantPods(
  nodes: ReadonlyArray<SimNode>,
  nextIp: (node: SimNode) => string,
  random: () => number,
  createdAt: number,
): SimPod[] {
  const zones = [...new Set(nodes.map((n) => n.zone.id))];
  const inZone = (z: string) => nodes.filter((n) => n.zone.id === z);
  const pods: SimPod[] = [];
  const letters = (n: number, alphabet: string) =>
    hex(random, n).replace(/[0-9]/g, (d) => alphabet[Number(d)] ?? alphabet[0] ?? "b");
  const add = (w: SimWorkload, node: SimNode | undefined, ownerSuffix: string) => {
    if (!node) return;
    const suffix = letters(5, "npqrstvwxz");
    pods.push({
      uid: uuid(random),
      name: ownerSuffix ? `${w.name}-${ownerSuffix}-${suffix}` : `${w.name}-${suffix}`,
      workload: w,
      node,
      ip: nextIp(node),
      createdAt,
      deletedAt: undefined,
      ownerSuffix,
    });
  };
  // A Deployment's pods share one ReplicaSet hash (their ownerReferences name `<name>-<hash>`).
  const deployment = (w: SimWorkload, placed: Array<SimNode | undefined>) => {
    const hash = letters(10, "bcdfghjklm");
    for (const node of placed) add(w, node, hash);
  };
  deployment(
    PLANT_WORKLOADS.web,
    zones.map((z) => inZone(z)[0]),
  );
  deployment(
    PLANT_WORKLOADS.search,
    zones.map((z) => inZone(z)[1] ?? inZone(z)[0]),
  );
  deployment(PLANT_WORKLOADS.session, [inZone(zones[0] ?? "")[1] ?? inZone(zones[0] ?? "")[0]]);
  for (const n of nodes) add(PLANT_WORKLOADS.nodeAgent, n, "");
  return pods;
}
