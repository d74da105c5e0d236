import {
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  readLoadBalancerAttributes,
  readLoadBalancers,
  readLoadBalancerTags,
  readNetworkInterfaces,
  readRouteTables,
  readSubnets,
  readTargetGroupAttributes,
  readVpcEndpoints,
  zoneMapFrom,
} from "@flowcost/core";
import { readAwsInventory } from "@flowcost/functions/adapters/aws-inventory";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";

const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const VPC = "vpc-0123456789abcdef0";
const lbArn = (i: number, vpc = VPC) =>
  `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/k8s-lb${i}-abc/${vpc === VPC ? "0" : "f"}${String(i).padStart(15, "0")}`;

beforeEach(() => {
  ec2.reset();
  elbv2.reset();
  ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: { NextToken?: string }) =>
    input.NextToken === "page-2"
      ? { NetworkInterfaces: [{ NetworkInterfaceId: "eni-3", VpcId: VPC, PrivateIpAddress: "10.0.0.3" }] }
      : {
          NetworkInterfaces: [
            {
              NetworkInterfaceId: "eni-1",
              VpcId: VPC,
              InterfaceType: "nat_gateway",
              PrivateIpAddress: "10.0.0.1",
              Attachment: { AttachTime: new Date("2026-11-01T08:00:00Z") },
            },
            { NetworkInterfaceId: "eni-2", VpcId: VPC, PrivateIpAddress: "10.0.0.2" },
          ],
          NextToken: "page-2",
        },
  );
  ec2.on(DescribeAvailabilityZonesCommand).resolves({
    AvailabilityZones: [
      { ZoneName: "us-east-1a", ZoneId: "use1-az4", RegionName: "us-east-1", State: "available" },
    ],
  });
  ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: "nat-1", VpcId: VPC }] });
  // 21 load balancers in the VPC over two pages, plus one in another VPC.
  elbv2.on(DescribeLoadBalancersCommand).callsFake((input: { Marker?: string }) =>
    input.Marker === "m2"
      ? {
          LoadBalancers: [
            ...Array.from({ length: 11 }, (_, i) => ({
              LoadBalancerArn: lbArn(i + 10),
              VpcId: VPC,
              Type: "network",
            })),
            { LoadBalancerArn: lbArn(99, "vpc-other"), VpcId: "vpc-other", Type: "network" },
          ],
        }
      : {
          LoadBalancers: Array.from({ length: 10 }, (_, i) => ({
            LoadBalancerArn: lbArn(i),
            VpcId: VPC,
            Type: "network",
          })),
          NextMarker: "m2",
        },
  );
  elbv2.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: [
      { TargetGroupArn: "arn:tg/1", VpcId: VPC, TargetType: "ip" },
      { TargetGroupArn: "arn:tg/2", VpcId: "vpc-other", TargetType: "instance" },
    ],
  });
  elbv2.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
    TagDescriptions: input.ResourceArns.map((arn) => ({
      ResourceArn: arn,
      Tags: [{ Key: "service.k8s.aws/stack", Value: `ns/${arn.split("/")[2]}` }],
    })),
  }));
});

describe("AWS describe calls for one VPC", () => {
  test("every page is merged into the AWS CLI's JSON shape, and the parsers read it back", async () => {
    const clients = { ec2: new EC2Client({}), elbv2: new ElasticLoadBalancingV2Client({}) };
    const out = await readAwsInventory(clients, VPC);
    const json = JSON.parse(JSON.stringify(out)) as Record<string, unknown>;

    const enis = readNetworkInterfaces(json["describe-network-interfaces"], "enis");
    expect(enis.map((e) => e.NetworkInterfaceId)).toEqual(["eni-1", "eni-2", "eni-3"]);
    expect((enis[0]?.Attachment as { AttachTime?: string } | undefined)?.AttachTime).toBe(
      "2026-11-01T08:00:00.000Z",
    );
    // Two pages, both filtered to the VPC (the paginator reuses one input object, so only the last token shows).
    const eniCalls = ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input);
    expect(eniCalls.length).toBe(2);
    expect(eniCalls.every((i) => i.Filters?.[0]?.Values?.[0] === VPC && i.MaxResults === 1000)).toBe(true);
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)[0]?.args[0].input).toMatchObject({
      Filter: [{ Name: "vpc-id", Values: [VPC] }],
    });
    expect([...zoneMapFrom(json["describe-availability-zones"])]).toEqual([["us-east-1a", "use1-az4"]]);

    const lbs = readLoadBalancers(json["describe-load-balancers"], "lbs");
    expect(lbs.length).toBe(21);
    expect(lbs.some((lb) => lb.VpcId === "vpc-other")).toBe(false);
    expect(json["describe-target-groups"]).toEqual({
      TargetGroups: [{ TargetGroupArn: "arn:tg/1", VpcId: VPC, TargetType: "ip" }],
    });
    const tagCalls = elbv2.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.ResourceArns?.length);
    expect(tagCalls).toEqual([20, 1]);
    expect(readLoadBalancerTags(json["describe-tags"], "tags").get(lbArn(3))).toEqual({
      "service.k8s.aws/stack": "ns/k8s-lb3-abc",
    });
    expect(Object.keys(json).some((k) => k.startsWith("$"))).toBe(false);
    expect(JSON.stringify(json)).not.toContain("NextToken");
  });
});

describe("the describe calls the recommendations read", () => {
  test("load balancer and target group attributes per ARN, VPC endpoints, route tables and subnets of the VPC", async () => {
    elbv2.on(DescribeLoadBalancerAttributesCommand).callsFake((input: { LoadBalancerArn: string }) => ({
      Attributes: [
        {
          Key: "load_balancing.cross_zone.enabled",
          Value: input.LoadBalancerArn === lbArn(3) ? "true" : "false",
        },
      ],
    }));
    elbv2.on(DescribeTargetGroupAttributesCommand).resolves({
      Attributes: [{ Key: "load_balancing.cross_zone.enabled", Value: "use_load_balancer_configuration" }],
    });
    ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        {
          VpcEndpointId: "vpce-1",
          VpcEndpointType: "Gateway",
          VpcId: VPC,
          ServiceName: "com.amazonaws.us-east-1.s3",
          RouteTableIds: ["rtb-1"],
        },
      ],
    });
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        {
          RouteTableId: "rtb-1",
          VpcId: VPC,
          Associations: [{ SubnetId: "subnet-1" }],
          Routes: [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" }],
        },
      ],
    });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: "subnet-1", VpcId: VPC, AvailabilityZone: "us-east-1a", AvailabilityZoneId: "use1-az4" },
      ],
    });
    const clients = { ec2: new EC2Client({}), elbv2: new ElasticLoadBalancingV2Client({}) };
    const json = JSON.parse(JSON.stringify(await readAwsInventory(clients, VPC))) as Record<string, unknown>;

    const lbAttributes = readLoadBalancerAttributes(
      json["describe-load-balancer-attributes"],
      "lb-attributes",
    );
    expect(lbAttributes.size).toBe(21);
    expect(lbAttributes.get(lbArn(3))?.["load_balancing.cross_zone.enabled"]).toBe("true");
    expect(lbAttributes.get(lbArn(4))?.["load_balancing.cross_zone.enabled"]).toBe("false");
    // Only the VPC's target group is described.
    expect([...readTargetGroupAttributes(json["describe-target-group-attributes"], "tg").keys()]).toEqual([
      "arn:tg/1",
    ]);
    expect(readVpcEndpoints(json["describe-vpc-endpoints"], "vpce").map((e) => e.VpcEndpointId)).toEqual([
      "vpce-1",
    ]);
    expect(readRouteTables(json["describe-route-tables"], "rtb")[0]?.Routes?.[0]?.NatGatewayId).toBe("nat-1");
    expect(readSubnets(json["describe-subnets"], "subnets")[0]?.AvailabilityZoneId).toBe("use1-az4");
    for (const command of [DescribeVpcEndpointsCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand])
      expect(ec2.commandCalls(command)[0]?.args[0].input).toMatchObject({
        Filters: [{ Name: "vpc-id", Values: [VPC] }],
      });
  });
});
