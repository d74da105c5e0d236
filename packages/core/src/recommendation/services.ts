import type { ResultRow } from "../allocation/reconcile.ts";
import { type Service, workloadOf } from "../inventory/kubernetes.ts";
import {
  baseRecommendation,
  nodeZones,
  type RecommendationInput,
  serviceRef,
  workloadKey,
} from "./context.ts";
import type { Recommendation, RecommendationKind } from "./types.ts";

/** A Service as the routing rules see it: its backends, where its ready endpoints sit, its settings. */
export interface ServiceModel {
  readonly service: Service;
  readonly ref: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  /** `ns/kind/name` of the workloads whose pods back it. */
  readonly backends: ReadonlyArray<{ namespace: string; kind: string; name: string }>;
  readonly endpoints: ReadonlyArray<{ address: string; node: string | null; zoneId: string | null }>;
  readonly endpointsPerZone: Record<string, number>;
  readonly ports: ReadonlyArray<number>;
}

/** What the Service's traffic looked like over the window, from the result rows. */
export interface ServiceTraffic {
  readonly model: ServiceModel;
  /** Rows between the Service's backends and its in-cluster pod clients (both directions). */
  readonly rows: ResultRow[];
  readonly crossAzRows: ResultRow[];
  /** Bytes (both directions) by the client's AZ ID. */
  readonly clientZones: Record<string, number>;
  /** Nodes of client pods. */
  readonly clientNodes: Set<string>;
  /** Rows whose both ends back Services: which Service carried them is unknown, so no savings count them. */
  readonly sharedRows: ResultRow[];
}

const TOPOLOGY_ANNOTATIONS = [
  "service.kubernetes.io/topology-mode",
  "service.kubernetes.io/topology-aware-hints",
];

/** The zone-routing setting a Service carries, if any (aws-facts.md §7.3). */
export function topologySetting(s: Service): string | undefined {
  const td = s.spec?.trafficDistribution;
  if (td) return `spec.trafficDistribution: ${td}`;
  for (const a of TOPOLOGY_ANNOTATIONS) {
    const v = s.metadata.annotations?.[a];
    if (v && v.toLowerCase() !== "disabled") return `${a}: ${v}`;
  }
  return undefined;
}

function portsOf(s: Service): number[] {
  const ports = (s.spec as { ports?: Array<{ port?: number; targetPort?: number | string }> } | undefined)
    ?.ports;
  return (ports ?? [])
    .flatMap((p) => [p.port, typeof p.targetPort === "number" ? p.targetPort : undefined])
    .filter((p): p is number => typeof p === "number");
}

export function serviceModels(input: RecommendationInput): ServiceModel[] {
  const k8s = input.kubernetes;
  if (!k8s) return [];
  const zonesByNode = nodeZones(input);
  const podsByName = new Map(
    k8s.pods.map((p) => [`${p.metadata.namespace ?? "default"}/${p.metadata.name}`, p]),
  );
  const podsByIp = new Map(
    k8s.pods.filter((p) => p.status?.podIP && !p.spec?.hostNetwork).map((p) => [p.status?.podIP ?? "", p]),
  );
  const models: ServiceModel[] = [];
  for (const s of k8s.services) {
    const namespace = s.metadata.namespace ?? "default";
    const type = s.spec?.type ?? "ClusterIP";
    if (type === "ExternalName") continue;
    const slices = k8s.endpointSlices.filter(
      (e) =>
        (e.metadata.namespace ?? "default") === namespace &&
        e.metadata.labels?.["kubernetes.io/service-name"] === s.metadata.name,
    );
    const backends = new Map<string, { namespace: string; kind: string; name: string }>();
    const endpoints: Array<{ address: string; node: string | null; zoneId: string | null }> = [];
    for (const slice of slices) {
      for (const e of slice.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        const address = e.addresses[0] ?? "";
        const pod =
          e.targetRef?.kind === "Pod" && e.targetRef.name
            ? podsByName.get(`${namespace}/${e.targetRef.name}`)
            : podsByIp.get(address);
        const node = e.nodeName ?? pod?.spec?.nodeName ?? null;
        const zoneId =
          (node ? zonesByNode.get(node) : undefined) ??
          (e.zone ? input.zones.get(e.zone) : undefined) ??
          null;
        endpoints.push({ address, node, zoneId });
        if (pod) {
          const w = workloadOf(pod);
          const b = { namespace, kind: w.kind, name: w.name };
          backends.set(workloadKey(b), b);
        }
      }
    }
    const endpointsPerZone: Record<string, number> = {};
    for (const e of endpoints)
      if (e.zoneId) endpointsPerZone[e.zoneId] = (endpointsPerZone[e.zoneId] ?? 0) + 1;
    models.push({
      service: s,
      ref: serviceRef(s),
      namespace,
      name: s.metadata.name,
      type,
      backends: [...backends.values()],
      endpoints,
      endpointsPerZone,
      ports: portsOf(s),
    });
  }
  return models.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}

const isPodToPod = (r: ResultRow) =>
  r.src_kind === "pod" && r.dst_kind === "pod" && (r.category === "cross_az" || r.category === "same_az");

/**
 * Assigns pod-to-pod rows to the Service their server end backs. Rows carry workloads, not ports,
 * so the server is the end that backs a Service the other end does not: a pair whose both ends
 * back in-cluster Services is shared (listed, never counted as savings), except DNS (port 53),
 * which belongs to the end whose Service listens on 53. Load-balancer Services are reached
 * through their load balancer, so backing one does not make a workload a server to pods.
 */
export function serviceTraffic(
  input: RecommendationInput,
  models: ReadonlyArray<ServiceModel>,
): {
  traffic: Map<string, ServiceTraffic>;
  withoutService: ResultRow[];
} {
  const internal = models.filter((m) => m.type !== "LoadBalancer" && m.backends.length > 0);
  const byBackend = new Map<string, ServiceModel[]>();
  for (const m of internal)
    for (const b of m.backends) byBackend.set(workloadKey(b), [...(byBackend.get(workloadKey(b)) ?? []), m]);
  const traffic = new Map<string, ServiceTraffic>();
  const entry = (m: ServiceModel): ServiceTraffic => {
    let t = traffic.get(m.ref);
    if (!t) {
      t = { model: m, rows: [], crossAzRows: [], clientZones: {}, clientNodes: new Set(), sharedRows: [] };
      traffic.set(m.ref, t);
    }
    return t;
  };
  const withoutService: ResultRow[] = [];
  for (const r of input.rows) {
    if (!isPodToPod(r)) continue;
    const srcKey = workloadKey({
      namespace: r.src_namespace,
      kind: r.src_workload_kind,
      name: r.src_workload,
    });
    const dstKey = workloadKey({
      namespace: r.dst_namespace,
      kind: r.dst_workload_kind,
      name: r.dst_workload,
    });
    let srcServices = byBackend.get(srcKey) ?? [];
    let dstServices = byBackend.get(dstKey) ?? [];
    if (r.subcategory === "dns") {
      srcServices = srcServices.filter((m) => m.ports.includes(53));
      dstServices = dstServices.filter((m) => m.ports.includes(53));
    }
    let server: ServiceModel | undefined;
    let clientSide: "src" | "dst" | undefined;
    if (dstServices.length === 1 && srcServices.length === 0) {
      server = dstServices[0];
      clientSide = "src";
    } else if (srcServices.length === 1 && dstServices.length === 0) {
      server = srcServices[0];
      clientSide = "dst";
    }
    if (!server || !clientSide) {
      const shared = [...srcServices, ...dstServices];
      if (shared.length === 0) withoutService.push(r);
      for (const m of shared) entry(m).sharedRows.push(r);
      continue;
    }
    const t = entry(server);
    t.rows.push(r);
    if (r.category === "cross_az") t.crossAzRows.push(r);
    const zone = clientSide === "src" ? r.src_az_id : r.dst_az_id;
    const node = clientSide === "src" ? r.src_node : r.dst_node;
    if (zone) t.clientZones[zone] = (t.clientZones[zone] ?? 0) + r.bytes;
    if (node) t.clientNodes.add(node);
  }
  return { traffic, withoutService };
}

/** A recommendation targeting a Service, with its cross-AZ rows, endpoints and client zones as evidence. */
export function serviceRecommendation(
  input: RecommendationInput,
  kind: RecommendationKind,
  t: ServiceTraffic,
): Recommendation {
  const m = t.model;
  const rec = baseRecommendation(
    input,
    kind,
    {
      type: "Service",
      cluster: input.cluster,
      namespace: m.namespace,
      kind: "Service",
      name: m.name,
      resourceId: null,
    },
    t.crossAzRows,
  );
  rec.evidence.endpointsPerZone = { ...m.endpointsPerZone };
  rec.evidence.clientZones = { ...t.clientZones };
  if (t.sharedRows.length)
    rec.evidence.notes.push(
      `${t.sharedRows.reduce((s, r) => s + r.bytes, 0)} bytes between workloads that both back Services are left out (which Service carried them is unknown)`,
    );
  return rec;
}
