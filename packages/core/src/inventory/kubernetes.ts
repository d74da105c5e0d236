import { z } from "zod";

/**
 * The parts of Kubernetes objects flowcost reads, as `kubectl get ... -o json` and the API's
 * List responses print them. Objects are parsed loosely: unknown fields are kept out of the way,
 * missing optional ones are tolerated, so real clusters' extra fields never break a parse.
 */
const ownerReference = z.object({
  kind: z.string(),
  name: z.string(),
  controller: z.boolean().optional(),
});

const objectMeta = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  ownerReferences: z.array(ownerReference).optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
});

export const podSchema = z.object({
  kind: z.literal("Pod").optional(),
  metadata: objectMeta,
  spec: z.object({ nodeName: z.string().optional(), hostNetwork: z.boolean().optional() }).optional(),
  status: z
    .object({
      phase: z.string().optional(),
      podIP: z.string().optional(),
      podIPs: z.array(z.object({ ip: z.string() })).optional(),
      hostIP: z.string().optional(),
    })
    .optional(),
});
export type Pod = z.infer<typeof podSchema>;

export const nodeSchema = z.object({
  kind: z.literal("Node").optional(),
  metadata: objectMeta,
  spec: z.object({ providerID: z.string().optional() }).optional(),
  status: z
    .object({ addresses: z.array(z.object({ type: z.string(), address: z.string() })).optional() })
    .optional(),
});
export type Node = z.infer<typeof nodeSchema>;

const listItem = z.looseObject({ kind: z.string().optional(), metadata: z.looseObject({}).optional() });

/** `kubectl get pods,nodes,... -A -o json` prints a `List`; the API prints `PodList` etc. */
export const kubernetesListSchema = z.looseObject({
  kind: z.string().refine((k) => k === "List" || k.endsWith("List"), "kind must be List or <Kind>List"),
  items: z.array(listItem),
});

export interface KubernetesInventory {
  readonly pods: Pod[];
  readonly nodes: Node[];
  /** Items of kinds flowcost does not read yet (Services, EndpointSlices, ...), by kind. */
  readonly otherKinds: Record<string, number>;
}

/**
 * Splits a List into typed objects. Items of a typed list (`PodList`) carry no `kind`, so the
 * list's own kind names them. An item that fails its schema is an error naming its position.
 */
export function readKubernetesList(json: unknown, source: string): KubernetesInventory {
  const list = kubernetesListSchema.parse(json);
  const implied = list.kind === "List" ? undefined : list.kind.slice(0, -"List".length);
  const pods: Pod[] = [];
  const nodes: Node[] = [];
  const otherKinds: Record<string, number> = {};
  list.items.forEach((item, index) => {
    const kind = item.kind ?? implied ?? "Unknown";
    const schema = kind === "Pod" ? podSchema : kind === "Node" ? nodeSchema : undefined;
    if (!schema) {
      otherKinds[kind] = (otherKinds[kind] ?? 0) + 1;
      return;
    }
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      throw new Error(`${source}: items[${index}] (${kind}) is not a valid ${kind}: ${parsed.error.message}`);
    }
    if (kind === "Pod") pods.push(parsed.data as Pod);
    else nodes.push(parsed.data as Node);
  });
  return { pods, nodes, otherKinds };
}

export interface Workload {
  readonly kind: string;
  readonly name: string;
}

/**
 * The workload that owns a pod, through ownerReferences: ReplicaSet -> Deployment (the
 * ReplicaSet is named `<deployment>-<pod-template-hash>`), Job -> CronJob (the CronJob
 * controller names Jobs `<cronjob>-<scheduled minute>`). A pod without an owner is its own
 * workload (kind Pod).
 */
export function workloadOf(pod: Pod): Workload {
  const owners = pod.metadata.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller) ?? owners[0];
  if (!owner) return { kind: "Pod", name: pod.metadata.name };
  if (owner.kind === "ReplicaSet") {
    const hash = pod.metadata.labels?.["pod-template-hash"];
    if (hash && owner.name.endsWith(`-${hash}`)) {
      return { kind: "Deployment", name: owner.name.slice(0, -(hash.length + 1)) };
    }
    return { kind: "ReplicaSet", name: owner.name };
  }
  if (owner.kind === "Job") {
    const cron = /^(.+)-(\d{8,})$/.exec(owner.name);
    if (cron?.[1]) return { kind: "CronJob", name: cron[1] };
  }
  return { kind: owner.kind, name: owner.name };
}

/** The pod's addresses (IPv4 and IPv6), primary first, without duplicates. */
export function podAddresses(pod: Pod): string[] {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter(
    (ip): ip is string => typeof ip === "string" && ip.length > 0,
  );
  return [...new Set(ips)];
}

/** Terminal pods keep `status.podIP` after the address is released for reuse: never identity. */
export function holdsAddress(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && podAddresses(pod).length > 0;
}

export function nodeAddresses(node: Node): string[] {
  return (node.status?.addresses ?? [])
    .filter((a) => a.type === "InternalIP" || a.type === "ExternalIP")
    .map((a) => a.address);
}
