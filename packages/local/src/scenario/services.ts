import { PLANT_WORKLOADS } from "./problems.ts";
import { alive, type Cluster, type SimPod } from "./topology.ts";
import { READY_AFTER_SECONDS } from "./traffic.ts";

/** A Service of the generated cluster: the workload behind it and how it is configured. */
export interface SimService {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name` of the backing workload. */
  readonly backend: string;
  readonly type: "ClusterIP" | "LoadBalancer";
  readonly clusterIP: string;
  readonly ports: ReadonlyArray<{ name: string; port: number; protocol: "TCP" | "UDP" }>;
  readonly annotations?: Readonly<Record<string, string>>;
}

const svc = (
  namespace: string,
  name: string,
  backend: string,
  clusterIP: string,
  port: number,
  extra: Partial<SimService> = {},
): SimService => ({
  namespace,
  name,
  backend,
  type: "ClusterIP",
  clusterIP,
  ports: [{ name: "main", port, protocol: "TCP" }],
  ...extra,
});

/** The cluster's Services (shop/frontend is reached through its ALB Ingress only). */
export function clusterServices(problems: boolean): SimService[] {
  const base = [
    svc("shop", "catalog", "shop/catalog", "10.100.12.40", 8080),
    svc("shop", "cart", "shop/cart", "10.100.12.41", 8080),
    svc("payments", "api", "payments/api", "10.100.20.10", 8443),
    svc("payments", "ledger", "payments/ledger", "10.100.20.11", 5432),
    svc("kube-system", "kube-dns", "kube-system/coredns", "10.100.0.10", 53, {
      ports: [
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, protocol: "TCP" },
      ],
    }),
    // The NLB's Service (AWS Load Balancer Controller, instance targets, cross-zone on).
    svc("payments", "api-public", "payments/api", "10.100.20.12", 443, {
      type: "LoadBalancer",
      annotations: {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
      },
    }),
  ];
  if (!problems) return base;
  const w = PLANT_WORKLOADS;
  return [
    ...base,
    svc("shop", "search", `${w.search.namespace}/${w.search.name}`, "10.100.12.50", 9200),
    svc("shop", "session", `${w.session.namespace}/${w.session.name}`, "10.100.12.51", 6379),
    svc("monitoring", "node-agent", `${w.nodeAgent.namespace}/${w.nodeAgent.name}`, "10.100.30.5", 4317),
  ];
}

/** The Service `shop/search` whose zone routing a scenario can switch on mid-window (before/after). */
export const APPLIED_TOPOLOGY_SERVICE = "shop/search";

const ready = (p: SimPod, at: number) => alive(p, at) && at >= p.createdAt + READY_AFTER_SECONDS;

/** What `kubectl get services,endpointslices -A -o json` lists at `at`. */
export function serviceObjects(
  cluster: Cluster,
  at: number,
  problems: boolean,
  topologyAppliedAt: number | undefined,
): unknown[] {
  const applied = topologyAppliedAt !== undefined && at >= topologyAppliedAt;
  const items: unknown[] = [];
  for (const s of clusterServices(problems)) {
    const ref = `${s.namespace}/${s.name}`;
    const zoneRouting = applied && ref === APPLIED_TOPOLOGY_SERVICE;
    const appName = s.backend.split("/")[1] ?? s.name;
    items.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: s.name,
        namespace: s.namespace,
        uid: `svc-${s.namespace}-${s.name}`,
        creationTimestamp: "2026-11-01T08:00:00Z",
        ...(s.annotations ? { annotations: { ...s.annotations } } : {}),
      },
      spec: {
        type: s.type,
        clusterIP: s.clusterIP,
        clusterIPs: [s.clusterIP],
        selector: { "app.kubernetes.io/name": appName },
        ports: s.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol })),
        internalTrafficPolicy: "Cluster",
        ...(s.type === "LoadBalancer"
          ? { externalTrafficPolicy: "Cluster", loadBalancerClass: "service.k8s.aws/nlb" }
          : {}),
        ...(zoneRouting ? { trafficDistribution: "PreferSameZone" } : {}),
      },
      status: { loadBalancer: {} },
    });
    const backends = cluster.pods.filter(
      (p) => `${p.workload.namespace}/${p.workload.name}` === s.backend && ready(p, at),
    );
    items.push({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: `${s.name}-abcde`,
        namespace: s.namespace,
        labels: {
          "kubernetes.io/service-name": s.name,
          "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        },
        ownerReferences: [
          {
            apiVersion: "v1",
            kind: "Service",
            name: s.name,
            uid: `svc-${s.namespace}-${s.name}`,
            controller: true,
          },
        ],
      },
      addressType: "IPv4",
      endpoints: backends.map((p) => ({
        addresses: [p.ip],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: p.node.name,
        zone: p.node.zone.name,
        targetRef: { kind: "Pod", name: p.name, namespace: p.workload.namespace, uid: p.uid },
        ...(zoneRouting ? { hints: { forZones: [{ name: p.node.zone.name }] } } : {}),
      })),
      ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
    });
  }
  return items;
}
