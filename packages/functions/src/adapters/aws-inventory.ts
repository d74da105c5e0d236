import {
  DescribeAvailabilityZonesCommand,
  type EC2Client,
  paginateDescribeNatGateways,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
} from "@aws-sdk/client-ec2";
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  type ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsInventoryCall } from "@flowcost/core";

export interface AwsInventoryClients {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

/** describe-tags accepts at most 20 resource ARNs per call. */
const TAG_BATCH = 20;

/**
 * The describe calls of one VPC, each as the AWS CLI prints it (`{"NetworkInterfaces":[...]}`,
 * PascalCase, every page merged). Load balancers and target groups are listed region-wide by the
 * API and kept to the VPC here, so two VPCs' snapshots never describe each other's resources.
 */
export async function readAwsInventory(
  clients: AwsInventoryClients,
  vpcId: string,
): Promise<Record<AwsInventoryCall, unknown>> {
  const vpcFilter = [{ Name: "vpc-id", Values: [vpcId] }];

  const networkInterfaces: unknown[] = [];
  for await (const page of paginateDescribeNetworkInterfaces(
    { client: clients.ec2, pageSize: 1000 },
    { Filters: vpcFilter },
  )) {
    networkInterfaces.push(...(page.NetworkInterfaces ?? []));
  }

  const zones = await clients.ec2.send(new DescribeAvailabilityZonesCommand({}));

  const natGateways: unknown[] = [];
  for await (const page of paginateDescribeNatGateways(
    { client: clients.ec2, pageSize: 1000 },
    { Filter: vpcFilter },
  )) {
    natGateways.push(...(page.NatGateways ?? []));
  }

  const loadBalancers: Array<{ LoadBalancerArn?: string; VpcId?: string }> = [];
  for await (const page of paginateDescribeLoadBalancers({ client: clients.elbv2, pageSize: 400 }, {})) {
    loadBalancers.push(...(page.LoadBalancers ?? []).filter((lb) => lb.VpcId === vpcId));
  }

  const targetGroups: Array<{ TargetGroupArn?: string; VpcId?: string }> = [];
  for await (const page of paginateDescribeTargetGroups({ client: clients.elbv2, pageSize: 400 }, {})) {
    targetGroups.push(...(page.TargetGroups ?? []).filter((tg) => tg.VpcId === vpcId));
  }

  const arns = loadBalancers
    .map((lb) => lb.LoadBalancerArn)
    .filter((a): a is string => typeof a === "string");
  const tagDescriptions: unknown[] = [];
  for (let i = 0; i < arns.length; i += TAG_BATCH) {
    const out = await clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + TAG_BATCH) }),
    );
    tagDescriptions.push(...(out.TagDescriptions ?? []));
  }

  // What the recommendations read: cross-zone settings, VPC endpoints and the routes around them.
  const loadBalancerAttributes: unknown[] = [];
  for (const arn of arns) {
    const out = await clients.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
    loadBalancerAttributes.push({ LoadBalancerArn: arn, Attributes: out?.Attributes ?? [] });
  }
  const targetGroupAttributes: unknown[] = [];
  for (const arn of targetGroups
    .map((g) => g.TargetGroupArn)
    .filter((a): a is string => typeof a === "string")) {
    const out = await clients.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
    targetGroupAttributes.push({ TargetGroupArn: arn, Attributes: out?.Attributes ?? [] });
  }
  const vpcEndpoints: unknown[] = [];
  for await (const page of paginateDescribeVpcEndpoints(
    { client: clients.ec2, pageSize: 1000 },
    { Filters: vpcFilter },
  )) {
    vpcEndpoints.push(...(page?.VpcEndpoints ?? []));
  }
  const routeTables: unknown[] = [];
  for await (const page of paginateDescribeRouteTables(
    { client: clients.ec2, pageSize: 100 },
    { Filters: vpcFilter },
  )) {
    routeTables.push(...(page?.RouteTables ?? []));
  }
  const subnets: unknown[] = [];
  for await (const page of paginateDescribeSubnets(
    { client: clients.ec2, pageSize: 1000 },
    { Filters: vpcFilter },
  )) {
    subnets.push(...(page?.Subnets ?? []));
  }

  return {
    "describe-network-interfaces": { NetworkInterfaces: networkInterfaces },
    "describe-availability-zones": { AvailabilityZones: zones.AvailabilityZones ?? [] },
    "describe-nat-gateways": { NatGateways: natGateways },
    "describe-load-balancers": { LoadBalancers: loadBalancers },
    "describe-target-groups": { TargetGroups: targetGroups },
    "describe-tags": { TagDescriptions: tagDescriptions },
    "describe-load-balancer-attributes": { LoadBalancerAttributes: loadBalancerAttributes },
    "describe-target-group-attributes": { TargetGroupAttributes: targetGroupAttributes },
    "describe-vpc-endpoints": { VpcEndpoints: vpcEndpoints },
    "describe-route-tables": { RouteTables: routeTables },
    "describe-subnets": { Subnets: subnets },
  };
}
