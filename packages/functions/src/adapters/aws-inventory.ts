import {
  DescribeAvailabilityZonesCommand,
  type EC2Client,
  paginateDescribeNatGateways,
  paginateDescribeNetworkInterfaces,
} from "@aws-sdk/client-ec2";
import {
  DescribeTagsCommand,
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

  const targetGroups: unknown[] = [];
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

  return {
    "describe-network-interfaces": { NetworkInterfaces: networkInterfaces },
    "describe-availability-zones": { AvailabilityZones: zones.AvailabilityZones ?? [] },
    "describe-nat-gateways": { NatGateways: natGateways },
    "describe-load-balancers": { LoadBalancers: loadBalancers },
    "describe-target-groups": { TargetGroups: targetGroups },
    "describe-tags": { TagDescriptions: tagDescriptions },
  };
}
