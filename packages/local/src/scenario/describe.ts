import type { SimEni, SimLoadBalancer, SimNetwork } from "./network.ts";
import { alive, type Cluster, type Zone } from "./topology.ts";

/**
 * What the AWS CLI prints for the VPC around the cluster at `at` (PascalCase, as
 * `aws ec2 describe-network-interfaces` etc. write it), keyed by the lake file name.
 */
export function describeOutputs(cluster: Cluster, net: SimNetwork, at: number): Record<string, unknown> {
  const requesterManaged = (
    e: SimEni,
    type: string,
    description: string,
    requesterId: string,
  ): Record<string, unknown> => ({
    AvailabilityZone: e.zone.name,
    Description: description,
    Groups: [],
    InterfaceType: type,
    Ipv6Addresses: [],
    MacAddress: "0e:00:00:00:00:00",
    NetworkInterfaceId: e.eniId,
    OwnerId: cluster.accountId,
    PrivateIpAddress: e.ip,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.ip }],
    RequesterId: requesterId,
    RequesterManaged: true,
    SourceDestCheck: false,
    Status: "in-use",
    SubnetId: e.zone.subnetId,
    TagSet: [],
    VpcId: cluster.vpcId,
  });
  const nodeEnis = cluster.nodes.map((node, index) => {
    const secondary = cluster.pods.filter((p) => p.node === node && alive(p, at)).map((p) => p.ip);
    return {
      Attachment: {
        AttachTime: "2026-11-01T08:00:00.000Z",
        AttachmentId: `eni-attach-0${node.instanceId.slice(3)}`,
        DeleteOnTermination: true,
        DeviceIndex: 0,
        NetworkCardIndex: 0,
        InstanceId: node.instanceId,
        InstanceOwnerId: cluster.accountId,
        Status: "attached",
      },
      AvailabilityZone: node.zone.name,
      Description: "",
      Groups: [{ GroupName: `eks-cluster-sg-${cluster.clusterName}`, GroupId: "sg-0123456789abcdef0" }],
      InterfaceType: "interface",
      Ipv6Addresses: [],
      MacAddress: `0e:11:22:33:44:${String(index).padStart(2, "0")}`,
      NetworkInterfaceId: node.eniId,
      OwnerId: cluster.accountId,
      PrivateDnsName: node.name,
      PrivateIpAddress: node.ip,
      PrivateIpAddresses: [
        { Primary: true, PrivateIpAddress: node.ip, PrivateDnsName: node.name },
        ...secondary.map((ip) => ({ Primary: false, PrivateIpAddress: ip })),
      ],
      RequesterManaged: false,
      SourceDestCheck: true,
      Status: "in-use",
      SubnetId: node.zone.subnetId,
      TagSet: [
        { Key: "cluster.k8s.amazonaws.com/name", Value: cluster.clusterName },
        { Key: "node.k8s.amazonaws.com/instance_id", Value: node.instanceId },
      ],
      VpcId: cluster.vpcId,
    };
  });
  const lbEnis = (lb: SimLoadBalancer) =>
    lb.enis.map((e) =>
      requesterManaged(
        e,
        lb.type === "network" ? "network_load_balancer" : "interface",
        `ELB ${lb.shortId}`,
        "amazon-elb",
      ),
    );
  const controlPlane = net.controlPlane.map((e) => ({
    ...requesterManaged(e, "interface", `Amazon EKS ${cluster.clusterName}`, "AROAEXAMPLEEKS:eks"),
    RequesterManaged: false,
    Attachment: { InstanceOwnerId: "602401143452", Status: "attached", DeviceIndex: 1 },
  }));
  const loadBalancer = (lb: SimLoadBalancer) => ({
    LoadBalancerArn: lb.arn,
    DNSName: `${lb.name}-1234567890.${cluster.region}.elb.amazonaws.com`,
    CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
    CreatedTime: "2026-11-01T08:00:00.000Z",
    LoadBalancerName: lb.name,
    Scheme: "internet-facing",
    VpcId: cluster.vpcId,
    State: { Code: "active" },
    Type: lb.type,
    AvailabilityZones: lb.enis.map((e) => ({
      ZoneName: e.zone.name,
      SubnetId: e.zone.subnetId,
      LoadBalancerAddresses: [],
    })),
    IpAddressType: "ipv4",
  });
  const tags = (lb: SimLoadBalancer) => ({
    ResourceArn: lb.arn,
    Tags: [
      { Key: "elbv2.k8s.aws/cluster", Value: cluster.clusterName },
      lb.ownerKind === "ingress"
        ? { Key: "ingress.k8s.aws/stack", Value: lb.owner }
        : { Key: "service.k8s.aws/stack", Value: lb.owner },
      {
        Key: lb.ownerKind === "ingress" ? "ingress.k8s.aws/resource" : "service.k8s.aws/resource",
        Value: "LoadBalancer",
      },
    ],
  });
  return {
    "describe-network-interfaces": {
      NetworkInterfaces: [
        ...nodeEnis,
        requesterManaged(
          net.nat.eni,
          "nat_gateway",
          `Interface for NAT Gateway ${net.nat.id}`,
          "AROAEXAMPLENAT:nat",
        ),
        ...net.vpcEndpoint.enis.map((e) =>
          requesterManaged(
            e,
            "vpc_endpoint",
            `VPC Endpoint Interface ${net.vpcEndpoint.id}`,
            // PrivateLink creates endpoint ENIs from an AWS-owned account.
            "727180483921",
          ),
        ),
        ...lbEnis(net.alb),
        ...lbEnis(net.nlb),
        ...controlPlane,
      ],
    },
    "describe-nat-gateways": {
      NatGateways: [
        {
          CreateTime: "2026-11-01T08:00:00.000Z",
          NatGatewayAddresses: [
            {
              AllocationId: "eipalloc-0a1b2c3d4e5f60718",
              NetworkInterfaceId: net.nat.eni.eniId,
              PrivateIp: net.nat.eni.ip,
              PublicIp: net.nat.publicIp,
              IsPrimary: true,
              Status: "succeeded",
            },
          ],
          NatGatewayId: net.nat.id,
          State: "available",
          SubnetId: net.nat.eni.zone.subnetId,
          VpcId: cluster.vpcId,
          ConnectivityType: "public",
          Tags: [],
        },
      ],
    },
    "describe-load-balancers": { LoadBalancers: [loadBalancer(net.alb), loadBalancer(net.nlb)] },
    "describe-tags": { TagDescriptions: [tags(net.alb), tags(net.nlb)] },
    "describe-target-groups": {
      TargetGroups: [net.alb, net.nlb].map((lb, i) => ({
        TargetGroupArn: targetGroupArn(cluster, i),
        TargetGroupName: `k8s-tg-${i}`,
        Protocol: lb.type === "network" ? "TCP" : "HTTP",
        Port: lb.nodePort ?? 8080,
        VpcId: cluster.vpcId,
        LoadBalancerArns: [lb.arn],
        TargetType: lb.targetType,
        IpAddressType: "ipv4",
      })),
    },
    ...routingOutputs(cluster, net),
  };
}

const targetGroupArn = (cluster: Cluster, i: number) =>
  `arn:aws:elasticloadbalancing:${cluster.region}:${cluster.accountId}:targetgroup/k8s-tg-${i}/0${i}23456789abcdef`;

/** A public subnet per zone, for NAT gateways and internet-facing load balancers. */
export const publicSubnetId = (zone: Zone): string =>
  `subnet-0dd${String(zone.octet).padStart(3, "0")}dd0dd0dd0dd`;
export const privateRouteTableId = (zone: Zone): string =>
  `rtb-0ee${String(zone.octet).padStart(3, "0")}ee0ee0ee0ee`;
export const PUBLIC_ROUTE_TABLE = "rtb-0b0b1c2d3e4f50617";
export const INTERNET_GATEWAY = "igw-0a1b2c3d4e5f60718";

/**
 * What the recommendations read about routing (describe-vpc-endpoints, -route-tables, -subnets,
 * and the load balancer / target group attributes), as the AWS CLI prints it. Attribute outputs
 * hold one entry per ARN (the CLI answers one ARN per call; docs/analyze.md has the loop).
 */
function routingOutputs(cluster: Cluster, net: SimNetwork): Record<string, unknown> {
  const local = {
    DestinationCidrBlock: "10.0.0.0/16",
    GatewayId: "local",
    Origin: "CreateRouteTable",
    State: "active",
  };
  return {
    "describe-vpc-endpoints": {
      VpcEndpoints: [
        {
          VpcEndpointId: net.vpcEndpoint.id,
          VpcEndpointType: "Interface",
          VpcId: cluster.vpcId,
          ServiceName: net.vpcEndpoint.serviceName,
          State: "available",
          RouteTableIds: [],
          SubnetIds: net.vpcEndpoint.enis.map((e) => e.zone.subnetId),
          PrivateDnsEnabled: true,
          NetworkInterfaceIds: net.vpcEndpoint.enis.map((e) => e.eniId),
          CreationTimestamp: "2026-11-01T08:00:00.000Z",
        },
      ],
    },
    "describe-route-tables": {
      RouteTables: [
        ...cluster.zones.map((z) => ({
          RouteTableId: privateRouteTableId(z),
          VpcId: cluster.vpcId,
          Associations: [
            {
              RouteTableAssociationId: `rtbassoc-0${z.id.replace(/[^a-z0-9]/g, "")}`,
              RouteTableId: privateRouteTableId(z),
              SubnetId: z.subnetId,
              Main: false,
            },
          ],
          Routes: [
            local,
            {
              DestinationCidrBlock: "0.0.0.0/0",
              NatGatewayId: net.nat.id,
              Origin: "CreateRoute",
              State: "active",
            },
          ],
          Tags: [{ Key: "Name", Value: `private-${z.name}` }],
        })),
        {
          RouteTableId: PUBLIC_ROUTE_TABLE,
          VpcId: cluster.vpcId,
          Associations: cluster.zones.map((z) => ({
            RouteTableId: PUBLIC_ROUTE_TABLE,
            SubnetId: publicSubnetId(z),
            Main: false,
          })),
          Routes: [
            local,
            {
              DestinationCidrBlock: "0.0.0.0/0",
              GatewayId: INTERNET_GATEWAY,
              Origin: "CreateRoute",
              State: "active",
            },
          ],
          Tags: [{ Key: "Name", Value: "public" }],
        },
      ],
    },
    "describe-subnets": {
      Subnets: cluster.zones.flatMap((z) => [
        {
          SubnetId: z.subnetId,
          VpcId: cluster.vpcId,
          AvailabilityZone: z.name,
          AvailabilityZoneId: z.id,
          CidrBlock: `10.0.${z.octet}.0/20`,
          MapPublicIpOnLaunch: false,
        },
        {
          SubnetId: publicSubnetId(z),
          VpcId: cluster.vpcId,
          AvailabilityZone: z.name,
          AvailabilityZoneId: z.id,
          CidrBlock: `10.0.${z.octet + 16}.0/20`,
          MapPublicIpOnLaunch: true,
        },
      ]),
    },
    "describe-load-balancer-attributes": {
      LoadBalancerAttributes: [net.alb, net.nlb].map((lb) => ({
        LoadBalancerArn: lb.arn,
        Attributes: [
          { Key: "load_balancing.cross_zone.enabled", Value: "true" },
          { Key: "deletion_protection.enabled", Value: "false" },
        ],
      })),
    },
    "describe-target-group-attributes": {
      TargetGroupAttributes: [net.alb, net.nlb].map((_, i) => ({
        TargetGroupArn: targetGroupArn(cluster, i),
        Attributes: [{ Key: "load_balancing.cross_zone.enabled", Value: "use_load_balancer_configuration" }],
      })),
    },
  };
}
