import { z } from "zod";
import { InvalidInputError } from "../errors.ts";

/**
 * The AWS CLI's JSON output of the describe calls the snapshot job stores (PascalCase, as
 * `aws ec2 describe-network-interfaces` prints it). Parsed loosely: only the fields identity
 * reads are declared, everything else passes through untouched.
 */
const tag = z.looseObject({ Key: z.string(), Value: z.string().optional() });

export const networkInterfaceSchema = z.looseObject({
  NetworkInterfaceId: z.string(),
  InterfaceType: z.string().optional(),
  Description: z.string().optional(),
  RequesterManaged: z.boolean().optional(),
  RequesterId: z.string().optional(),
  OwnerId: z.string().optional(),
  Status: z.string().optional(),
  AvailabilityZone: z.string().optional(),
  AvailabilityZoneId: z.string().optional(),
  SubnetId: z.string().optional(),
  VpcId: z.string().optional(),
  PrivateIpAddress: z.string().optional(),
  PrivateIpAddresses: z
    .array(z.looseObject({ PrivateIpAddress: z.string(), Primary: z.boolean().optional() }))
    .optional(),
  Ipv6Addresses: z.array(z.looseObject({ Ipv6Address: z.string() })).optional(),
  Attachment: z
    .looseObject({ InstanceId: z.string().optional(), InstanceOwnerId: z.string().optional() })
    .optional(),
  TagSet: z.array(tag).optional(),
});
export type NetworkInterface = z.infer<typeof networkInterfaceSchema>;

export const describeNetworkInterfacesSchema = z.looseObject({
  NetworkInterfaces: z.array(networkInterfaceSchema),
});

export const describeNatGatewaysSchema = z.looseObject({
  NatGateways: z.array(
    z.looseObject({
      NatGatewayId: z.string(),
      VpcId: z.string().optional(),
      SubnetId: z.string().optional(),
      State: z.string().optional(),
      NatGatewayAddresses: z
        .array(z.looseObject({ NetworkInterfaceId: z.string().optional(), PrivateIp: z.string().optional() }))
        .optional(),
    }),
  ),
});
export type NatGateway = z.infer<typeof describeNatGatewaysSchema>["NatGateways"][number];

export const describeLoadBalancersSchema = z.looseObject({
  LoadBalancers: z.array(
    z.looseObject({
      LoadBalancerArn: z.string(),
      LoadBalancerName: z.string().optional(),
      Type: z.string().optional(),
      Scheme: z.string().optional(),
      VpcId: z.string().optional(),
    }),
  ),
});
export type LoadBalancer = z.infer<typeof describeLoadBalancersSchema>["LoadBalancers"][number];

/** `aws elbv2 describe-tags --resource-arns ...`: DescribeLoadBalancers carries no tags. */
export const describeTagsSchema = z.looseObject({
  TagDescriptions: z.array(z.looseObject({ ResourceArn: z.string(), Tags: z.array(tag).optional() })),
});

export const describeTargetGroupsSchema = z.looseObject({
  TargetGroups: z.array(
    z.looseObject({
      TargetGroupArn: z.string(),
      TargetType: z.string().optional(),
      LoadBalancerArns: z.array(z.string()).optional(),
    }),
  ),
});

/** The describe calls stored per snapshot, by their AWS CLI names (the file names in the lake). */
export const AWS_INVENTORY_CALLS = [
  "describe-network-interfaces",
  "describe-availability-zones",
  "describe-nat-gateways",
  "describe-load-balancers",
  "describe-target-groups",
  "describe-tags",
  // Read by the recommendations (docs/analyze.md lists what each rule needs).
  "describe-load-balancer-attributes",
  "describe-target-group-attributes",
  "describe-vpc-endpoints",
  "describe-route-tables",
  "describe-subnets",
] as const;
export type AwsInventoryCall = (typeof AWS_INVENTORY_CALLS)[number];

/** Parses one describe call's output; a wrong shape throws naming the file. */
export function parseCall<T>(schema: z.ZodType<T>, json: unknown, source: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError(`${source}: not the AWS CLI's output shape (${parsed.error.message})`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

export const readNetworkInterfaces = (json: unknown, source: string): NetworkInterface[] =>
  parseCall(describeNetworkInterfacesSchema, json, source).NetworkInterfaces;
export const readNatGateways = (json: unknown, source: string): NatGateway[] =>
  parseCall(describeNatGatewaysSchema, json, source).NatGateways;
export const readLoadBalancers = (json: unknown, source: string): LoadBalancer[] =>
  parseCall(describeLoadBalancersSchema, json, source).LoadBalancers;

/** Load-balancer ARN -> tags. */
export function readLoadBalancerTags(json: unknown, source: string): Map<string, Record<string, string>> {
  const parsed = parseCall(describeTagsSchema, json, source);
  return new Map(
    parsed.TagDescriptions.map((d) => [
      d.ResourceArn,
      Object.fromEntries((d.Tags ?? []).map((t) => [t.Key, t.Value ?? ""])),
    ]),
  );
}

/** Every address an ENI holds: all private IPv4 addresses (primary first) and all IPv6 addresses. */
export function networkInterfaceAddresses(eni: NetworkInterface): string[] {
  const ips = [
    eni.PrivateIpAddress,
    ...(eni.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress),
    ...(eni.Ipv6Addresses ?? []).map((p) => p.Ipv6Address),
  ].filter((ip): ip is string => typeof ip === "string" && ip.length > 0);
  return [...new Set(ips)];
}

/** What the rest of the VPC inventory says about the ENIs being classified. */
export interface EniContext {
  /** ENI id -> NAT gateway id, from DescribeNatGateways. */
  readonly natGatewayByEni?: ReadonlyMap<string, string>;
  readonly loadBalancers?: ReadonlyArray<LoadBalancer>;
  /** Load-balancer ARN -> tags (describe-tags). */
  readonly loadBalancerTags?: ReadonlyMap<string, Record<string, string>>;
  /** EC2 instance ids of Kubernetes nodes: their ENIs' addresses are identified from Kubernetes. */
  readonly nodeInstanceIds?: ReadonlySet<string>;
}

export type EniClass =
  | {
      readonly kind: "nat_gateway" | "load_balancer" | "vpc_endpoint" | "eks_control_plane" | "eni";
      /** nat-…, the LB ARN (or `app|net|gwy/<name>/<id>` without DescribeLoadBalancers), vpce-…, eni-…. */
      readonly resourceId: string;
      /** Human name: the LB name, the cluster, the ENI description. */
      readonly name: string;
      /** `namespace/name` of the Service or Ingress owning a load balancer (LB Controller tags). */
      readonly service: string | null;
      /** Cluster named by the LB's tags or the control plane's description, when there is one. */
      readonly cluster: string | null;
    }
  | {
      /** A node's ENI (VPC CNI, trunk/branch, Fargate): Kubernetes identifies its addresses. */
      readonly kind: "kubernetes";
      readonly reason: string;
    };

const NAT_DESCRIPTION = /^Interface for NAT Gateway (nat-[0-9a-f]+)/;
const ELB_DESCRIPTION = /^ELB ((app|net|gwy)\/([^/]+)\/([0-9a-f]+))$/;
const CLB_DESCRIPTION = /^ELB ([^/\s]+)$/;
const ENDPOINT_DESCRIPTION = /(vpce-[0-9a-f]+)/;
const EKS_DESCRIPTION = /^Amazon EKS (\S+)$/;

/**
 * Tags the AWS Load Balancer Controller (and the legacy in-tree cloud provider) put on the load
 * balancers they create: the owning Service or Ingress as `namespace/name` (an Ingress group is
 * named by its group name), and the cluster.
 */
export const LOAD_BALANCER_OWNER_TAGS = {
  service: "service.k8s.aws/stack",
  ingress: "ingress.k8s.aws/stack",
  legacyService: "kubernetes.io/service-name",
  cluster: "elbv2.k8s.aws/cluster",
  legacyClusterPrefix: "kubernetes.io/cluster/",
} as const;

export function loadBalancerOwner(tags: Record<string, string> | undefined): {
  service: string | null;
  cluster: string | null;
} {
  if (!tags) return { service: null, cluster: null };
  const t = LOAD_BALANCER_OWNER_TAGS;
  const service = tags[t.service] ?? tags[t.ingress] ?? tags[t.legacyService] ?? null;
  const legacyCluster = Object.keys(tags)
    .find((k) => k.startsWith(t.legacyClusterPrefix))
    ?.slice(t.legacyClusterPrefix.length);
  return { service: service || null, cluster: tags[t.cluster] ?? legacyCluster ?? null };
}

function loadBalancerClass(shortId: string, name: string, context: EniContext): EniClass {
  const lb = context.loadBalancers?.find((l) => l.LoadBalancerArn.endsWith(`:loadbalancer/${shortId}`));
  const arn = lb?.LoadBalancerArn;
  const owner = loadBalancerOwner(arn ? context.loadBalancerTags?.get(arn) : undefined);
  return { kind: "load_balancer", resourceId: arn ?? shortId, name, ...owner };
}

/**
 * Who owns an ENI (aws-facts.md §1.11): `InterfaceType` and `RequesterManaged` first, the
 * `Description` only where the type is the generic `interface` (ALB, CLB, EKS control plane).
 */
export function classifyNetworkInterface(eni: NetworkInterface, context: EniContext = {}): EniClass {
  const type = eni.InterfaceType ?? "interface";
  const description = eni.Description ?? "";
  const id = eni.NetworkInterfaceId;

  if (type === "nat_gateway" || type === "natGateway") {
    const nat = context.natGatewayByEni?.get(id) ?? NAT_DESCRIPTION.exec(description)?.[1] ?? id;
    return { kind: "nat_gateway", resourceId: nat, name: nat, service: null, cluster: null };
  }
  if (type === "network_load_balancer" || type === "gateway_load_balancer") {
    const elb = ELB_DESCRIPTION.exec(description);
    return elb?.[1] && elb[3]
      ? loadBalancerClass(elb[1], elb[3], context)
      : { kind: "load_balancer", resourceId: id, name: description || id, service: null, cluster: null };
  }
  if (type === "vpc_endpoint" || type === "gateway_load_balancer_endpoint") {
    const endpoint = ENDPOINT_DESCRIPTION.exec(description)?.[1] ?? id;
    return { kind: "vpc_endpoint", resourceId: endpoint, name: endpoint, service: null, cluster: null };
  }
  if (type === "trunk" || type === "branch") {
    return { kind: "kubernetes", reason: `${type} ENI (security groups for pods)` };
  }
  if (type === "interface") {
    const nat = context.natGatewayByEni?.get(id);
    if (nat) return { kind: "nat_gateway", resourceId: nat, name: nat, service: null, cluster: null };
    const eks = EKS_DESCRIPTION.exec(description);
    if (eks?.[1]) {
      return { kind: "eks_control_plane", resourceId: id, name: eks[1], service: null, cluster: eks[1] };
    }
    // Requester-managed ENIs are created by a service on the account's behalf; an ELB one is a load balancer.
    if (eni.RequesterManaged || eni.RequesterId === "amazon-elb") {
      const elb = ELB_DESCRIPTION.exec(description);
      if (elb?.[1] && elb[3]) return loadBalancerClass(elb[1], elb[3], context);
      const clb = CLB_DESCRIPTION.exec(description);
      if (clb?.[1] && eni.RequesterId === "amazon-elb") return loadBalancerClass(clb[1], clb[1], context);
      const endpoint = /^VPC Endpoint Interface (vpce-[0-9a-f]+)/.exec(description)?.[1];
      if (endpoint) {
        return { kind: "vpc_endpoint", resourceId: endpoint, name: endpoint, service: null, cluster: null };
      }
    }
    const instance = eni.Attachment?.InstanceId;
    if (instance && context.nodeInstanceIds?.has(instance)) {
      return { kind: "kubernetes", reason: `ENI of node instance ${instance}` };
    }
    if (description.startsWith("aws-K8S-")) return { kind: "kubernetes", reason: "VPC CNI secondary ENI" };
  }
  return {
    kind: "eni",
    resourceId: id,
    name: description || (eni.Attachment?.InstanceId ?? type),
    service: null,
    cluster: null,
  };
}

/** ENI id -> NAT gateway id. */
export function natGatewaysByEni(natGateways: ReadonlyArray<NatGateway>): Map<string, string> {
  const map = new Map<string, string>();
  for (const nat of natGateways) {
    for (const address of nat.NatGatewayAddresses ?? []) {
      if (address.NetworkInterfaceId) map.set(address.NetworkInterfaceId, nat.NatGatewayId);
    }
  }
  return map;
}
