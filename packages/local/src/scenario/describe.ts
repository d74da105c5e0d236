import type { SimEni, SimLoadBalancer, SimNetwork } from "./network.ts";
import { alive, type Cluster } from "./topology.ts";

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
        TargetGroupArn: `arn:aws:elasticloadbalancing:${cluster.region}:${cluster.accountId}:targetgroup/k8s-tg-${i}/0${i}23456789abcdef`,
        TargetGroupName: `k8s-tg-${i}`,
        Protocol: lb.type === "network" ? "TCP" : "HTTP",
        Port: lb.nodePort ?? 8080,
        VpcId: cluster.vpcId,
        LoadBalancerArns: [lb.arn],
        TargetType: lb.targetType,
        IpAddressType: "ipv4",
      })),
    },
  };
}
