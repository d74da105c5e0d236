import { z } from "zod";
import { InvalidInputError } from "../errors.ts";

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
    .object({
      addresses: z.array(z.object({ type: z.string(), address: z.string() })).optional(),
      /** `kubeletVersion` tells which routing settings the cluster understands (recommendations). */
      nodeInfo: z.looseObject({ kubeletVersion: z.string().optional() }).optional(),
    })
    .optional(),
});
export type Node = z.infer<typeof nodeSchema>;

/** The fields of a Service that identity and the routing recommendations read. */
export const serviceSchema = z.object({
  kind: z.literal("Service").optional(),
  metadata: objectMeta,
  spec: z
    .looseObject({
      type: z.string().optional(),
      clusterIP: z.string().optional(),
      clusterIPs: z.array(z.string()).optional(),
      selector: z.record(z.string(), z.string()).optional(),
      internalTrafficPolicy: z.string().optional(),
      trafficDistribution: z.string().optional(),
      loadBalancerClass: z.string().optional(),
    })
    .optional(),
  status: z
    .looseObject({
      loadBalancer: z
        .looseObject({
          ingress: z
            .array(z.looseObject({ hostname: z.string().optional(), ip: z.string().optional() }))
            .optional(),
        })
        .optional(),
    })
    .optional(),
});
export type Service = z.infer<typeof serviceSchema>;

/** discovery.k8s.io/v1 EndpointSlice: where a Service's endpoints sit, per zone. */
export const endpointSliceSchema = z.object({
  kind: z.literal("EndpointSlice").optional(),
  metadata: objectMeta,
  addressType: z.string().optional(),
  endpoints: z
    .array(
      z.looseObject({
        addresses: z.array(z.string()),
        nodeName: z.string().optional(),
        zone: z.string().optional(),
        targetRef: z
          .looseObject({
            kind: z.string().optional(),
            name: z.string().optional(),
            uid: z.string().optional(),
          })
          .optional(),
        conditions: z.looseObject({ ready: z.boolean().optional() }).optional(),
        hints: z.looseObject({ forZones: z.array(z.object({ name: z.string() })).optional() }).optional(),
      }),
    )
    .nullish(),
});
export type EndpointSlice = z.infer<typeof endpointSliceSchema>;

const envVar = z.looseObject({ name: z.string(), value: z.string().optional() });

/** Only the container env of the `aws-node` DaemonSet (the VPC CNI) matters here. */
export const daemonSetSchema = z.object({
  kind: z.literal("DaemonSet").optional(),
  metadata: objectMeta,
  spec: z
    .looseObject({
      template: z
        .looseObject({
          spec: z
            .looseObject({
              containers: z
                .array(z.looseObject({ name: z.string(), env: z.array(envVar).optional() }))
                .optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});
export type DaemonSet = z.infer<typeof daemonSetSchema>;

const listItem = z.looseObject({ kind: z.string().optional(), metadata: z.looseObject({}).optional() });

/** `kubectl get pods,nodes,... -A -o json` prints a `List`; the API prints `PodList` etc. */
export const kubernetesListSchema = z.looseObject({
  kind: z.string().refine((k) => k === "List" || k.endsWith("List"), "kind must be List or <Kind>List"),
  items: z.array(listItem),
});

export interface KubernetesInventory {
  readonly pods: Pod[];
  readonly nodes: Node[];
  readonly services: Service[];
  readonly endpointSlices: EndpointSlice[];
  /** The VPC CNI's DaemonSet (`kube-system/aws-node`) when the snapshot holds it. */
  readonly awsNode: DaemonSet | undefined;
  /** Items of kinds flowcost does not read, by kind. */
  readonly otherKinds: Record<string, number>;
}

const SCHEMAS = {
  Pod: podSchema,
  Node: nodeSchema,
  Service: serviceSchema,
  EndpointSlice: endpointSliceSchema,
  DaemonSet: daemonSetSchema,
} as const;

/**
 * Splits a List into typed objects. Items of a typed list (`PodList`) carry no `kind`, so the
 * list's own kind names them. An item that fails its schema is an error naming its position.
 */
export function readKubernetesList(json: unknown, source: string): KubernetesInventory {
  const parsedList = kubernetesListSchema.safeParse(json);
  if (!parsedList.success) {
    throw new InvalidInputError(`${source}: not a Kubernetes List (${parsedList.error.message})`, {
      cause: parsedList.error,
    });
  }
  const list = parsedList.data;
  const implied = list.kind === "List" ? undefined : list.kind.slice(0, -"List".length);
  const inventory = {
    pods: [] as Pod[],
    nodes: [] as Node[],
    services: [] as Service[],
    endpointSlices: [] as EndpointSlice[],
    awsNode: undefined as DaemonSet | undefined,
    otherKinds: {} as Record<string, number>,
  };
  list.items.forEach((item, index) => {
    const kind = item.kind ?? implied ?? "Unknown";
    const schema = kind in SCHEMAS ? SCHEMAS[kind as keyof typeof SCHEMAS] : undefined;
    if (!schema) {
      inventory.otherKinds[kind] = (inventory.otherKinds[kind] ?? 0) + 1;
      return;
    }
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      throw new InvalidInputError(
        `${source}: items[${index}] (${kind}) is not a valid ${kind}: ${parsed.error.message}`,
        { cause: parsed.error },
      );
    }
    if (kind === "Pod") inventory.pods.push(parsed.data as Pod);
    else if (kind === "Node") inventory.nodes.push(parsed.data as Node);
    else if (kind === "Service") inventory.services.push(parsed.data as Service);
    else if (kind === "EndpointSlice") inventory.endpointSlices.push(parsed.data as EndpointSlice);
    else {
      const daemonSet = parsed.data as DaemonSet;
      if (daemonSet.metadata.name === "aws-node" && daemonSet.metadata.namespace === "kube-system") {
        inventory.awsNode = daemonSet;
      } else inventory.otherKinds[kind] = (inventory.otherKinds[kind] ?? 0) + 1;
    }
  });
  return inventory;
}

export interface ExternalSnat {
  readonly enabled: boolean;
  /** `aws-node` when read from the DaemonSet, `default` when the snapshot lacks it (the CNI default, off). */
  readonly source: "aws-node" | "default";
}

/**
 * The VPC CNI's external-SNAT mode from `AWS_VPC_K8S_CNI_EXTERNALSNAT` on the aws-node container
 * (aws-facts.md §1.3). Off by default: then pod traffic leaving the VPC carries the node's IP.
 */
export function externalSnatOf(awsNode: DaemonSet | undefined): ExternalSnat {
  if (!awsNode) return { enabled: false, source: "default" };
  const containers = awsNode.spec?.template?.spec?.containers ?? [];
  const container = containers.find((c) => c.name === "aws-node") ?? containers[0];
  const value = container?.env?.find((e) => e.name === "AWS_VPC_K8S_CNI_EXTERNALSNAT")?.value;
  return { enabled: value?.trim().toLowerCase() === "true", source: "aws-node" };
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
