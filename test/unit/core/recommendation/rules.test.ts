import { BYTES_PER_GB, pricesFor, type RecommendationInput, type ResultRow, recommend } from "@flowcost/core";
import { describe, expect, test } from "vitest";

const D = Date.UTC(2026, 10, 22) / 1000;
const GB = BYTES_PER_GB;

/** A result row with defaults: a node in use1-az4 sending to S3 through nat-1 (in use1-az4). */
const row = (o: Partial<ResultRow>): ResultRow => ({
  dt: "2026-11-22",
  category: "nat",
  subcategory: "s3",
  src_kind: "node",
  src_namespace: null,
  src_workload_kind: "Node",
  src_workload: "ip-10-0-0-10",
  src_ip: null,
  src_az_id: "use1-az4",
  src_node: "ip-10-0-0-10",
  src_resource: null,
  dst_kind: "aws_service",
  dst_namespace: null,
  dst_workload_kind: null,
  dst_workload: "S3",
  dst_ip: null,
  dst_az_id: "use1-az4",
  dst_node: null,
  dst_resource: "nat-1",
  service: null,
  load_balancer: null,
  nat_gateway: "nat-1",
  confidence: "node",
  bytes: 10 * GB,
  list_cost_usd: 0.45,
  billed_cost_usd: null,
  cost_basis: "estimated",
  ...o,
});

const input = (rows: ResultRow[], o: Partial<RecommendationInput> = {}): RecommendationInput => ({
  rows,
  days: [{ dt: "2026-11-22", from: D, to: D + 86400 }],
  region: "us-east-1",
  prices: pricesFor("us-east-1"),
  cluster: "prod",
  zones: new Map(),
  aws: {
    natGateways: [{ NatGatewayId: "nat-1", VpcId: "vpc-1" }],
    vpcEndpoints: [],
    routeTables: [
      {
        RouteTableId: "rtb-a",
        Associations: [{ SubnetId: "subnet-a" }],
        Routes: [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" }],
      },
    ],
    subnets: [{ SubnetId: "subnet-a", AvailabilityZoneId: "use1-az4" }],
  },
  ipRanges: {
    syncToken: "1",
    createDate: "2026-11-21-00-00-00",
    prefixes: [
      { ip_prefix: "52.216.0.0/15", region: "us-east-1", service: "S3", network_border_group: "us-east-1" },
      { ip_prefix: "52.95.128.0/21", region: "eu-west-1", service: "S3", network_border_group: "eu-west-1" },
    ],
    ipv6_prefixes: [],
  },
  natDestinations: [{ ip: "52.216.8.10", awsService: "S3", bytes: 10 * GB }],
  ...o,
});

/** An S3 gateway endpoint in vpc-1, optionally with its creation time. */
const s3Endpoint = (created?: string) => ({
  ...input([]).aws,
  vpcEndpoints: [
    {
      VpcEndpointId: "vpce-9",
      VpcEndpointType: "Gateway",
      VpcId: "vpc-1",
      ServiceName: "com.amazonaws.us-east-1.s3",
      ...(created ? { CreationTimestamp: created } : {}),
    },
  ],
});

const find = (recs: ReturnType<typeof recommend>, kind: string) => {
  const r = recs.find((x) => x.kind === kind);
  if (!r) throw new Error(`no ${kind}`);
  return r;
};

describe("NAT gateway per AZ", () => {
  test("no cross-AZ NAT leg (every NAT user in the gateway's AZ): declined, no per-AZ NAT gateway", () => {
    const internet = row({ subcategory: "internet", dst_kind: "internet", dst_workload: null });
    const r = find(recommend(input([internet])), "nat_gateway_per_az");
    expect(r.status).toBe("declined");
    expect(r.reason).toBe("no cross-AZ NAT leg: every user of nat-1 sits in its AZ (use1-az4)");
    expect(r.estimatedMonthlySavingsUsd).toBe(0);
  });

  test("a leg that costs less than the added gateway's hours: declined with both figures", () => {
    const from = {
      src_az_id: "use1-az6",
      subcategory: "internet",
      dst_kind: "internet",
      dst_workload: null,
    } as const;
    // 10 GB a day across AZs: $0.20 a day, $6.00 a month, against one more gateway's $32.40.
    const rows = [row(from), row({ ...from, category: "nat", subcategory: "cross_az_leg" })];
    const r = find(recommend(input(rows)), "nat_gateway_per_az");
    expect(r.status).toBe("declined");
    expect(r.reason).toBe(
      "the cross-AZ leg ($6.00 a month) costs less than 1 more NAT gateway(s) ($32.40 a month)",
    );
  });
});

describe("S3 gateway endpoint", () => {
  test("recommended: 10 GB a day through the NAT gateway, the bucket in the VPC's Region", () => {
    const r = find(recommend(input([row({})])), "s3_gateway_endpoint");
    expect(r.status).toBe("recommended");
    expect(r.estimatedMonthlySavingsUsd).toBe(13.5); // 10 GB x $0.045 x 30
    expect(r.change.text).toBe(
      "aws ec2 create-vpc-endpoint --vpc-id vpc-1 --vpc-endpoint-type Gateway --service-name com.amazonaws.us-east-1.s3 --route-table-ids rtb-a",
    );
  });

  test("a bucket in another Region: declined (a gateway endpoint only serves its own Region)", () => {
    const r = find(
      recommend(
        input([row({})], { natDestinations: [{ ip: "52.95.130.1", awsService: "S3", bytes: 10 * GB }] }),
      ),
      "s3_gateway_endpoint",
    );
    expect(r.status).toBe("declined");
    expect(r.reason).toBe("the S3 destinations are outside us-east-1: a gateway endpoint cannot serve them");
  });

  test("without ip-ranges.json or route tables: declined, naming what it needs", () => {
    const r = find(
      recommend(input([row({})], { ipRanges: undefined, aws: { natGateways: [] } })),
      "s3_gateway_endpoint",
    );
    expect(r.status).toBe("declined");
    expect(r.reason).toBe(
      "needs inventory/aws/ip-ranges.json (to check the destination's Region); needs describe-vpc-endpoints; needs describe-route-tables (the route tables the endpoint attaches to)",
    );
  });

  test("an S3 gateway endpoint already in the VPC: applied, not recommended again", () => {
    const aws = s3Endpoint();
    const r = find(recommend(input([row({})], { aws })), "s3_gateway_endpoint");
    expect(r.status).toBe("applied");
    expect(r.estimatedMonthlySavingsUsd).toBe(0);
  });
});

describe("load balancers", () => {
  test("without describe-target-groups the target type is unknown: ip target mode declines naming it", () => {
    const hop = row({
      category: "cross_az",
      subcategory: "nodeport",
      src_kind: "node",
      dst_kind: "pod",
      dst_namespace: "payments",
      dst_workload_kind: "Deployment",
      dst_workload: "api",
      dst_az_id: "use1-az6",
      nat_gateway: null,
      load_balancer: "net/k8s-api/1a2b",
      service: "payments/api-public",
    });
    const r = find(recommend(input([hop], { aws: {} })), "lb_ip_target_mode");
    expect(r.status).toBe("declined");
    expect(r.reason).toBe("needs describe-target-groups (the target type)");
  });
});

describe("changes applied on the AWS side: the measured daily cost before and after", () => {
  const twoDays = [
    { dt: "2026-11-22", from: D, to: D + 86400 },
    { dt: "2026-11-23", from: D + 86400, to: D + 2 * 86400 },
  ];

  test("an S3 gateway endpoint created at midnight: applied, $0.45 a day of NAT processing before, none after", () => {
    const aws = s3Endpoint("2026-11-23T00:00:00.000Z");
    const r = find(recommend(input([row({})], { aws, days: twoDays })), "s3_gateway_endpoint");
    expect(r.status).toBe("applied");
    expect(r.reason).toBe("applied: vpce-9 exists; nothing to S3 went through the NAT gateway after it");
    expect(r.beforeAfter).toMatchObject({
      appliedAt: "2026-11-23T00:00:00Z",
      beforeDays: ["2026-11-22"],
      afterDays: ["2026-11-23"],
      beforeDailyCostUsd: 0.45,
      afterDailyCostUsd: 0,
    });
  });

  test("a NAT gateway added in the AZ that crossed: applied, the leg's daily cost before and after", () => {
    const from = {
      src_az_id: "use1-az6",
      subcategory: "internet",
      dst_kind: "internet",
      dst_workload: null,
    } as const;
    const rows = [row(from), row({ ...from, subcategory: "cross_az_leg", list_cost_usd: 0.2 })];
    const aws = {
      ...input([]).aws,
      natGateways: [
        {
          NatGatewayId: "nat-1",
          VpcId: "vpc-1",
          SubnetId: "subnet-a",
          State: "available",
          CreateTime: "2026-11-01T00:00:00Z",
        },
        {
          NatGatewayId: "nat-2",
          VpcId: "vpc-1",
          SubnetId: "subnet-b",
          State: "available",
          CreateTime: "2026-11-23T00:00:00Z",
        },
      ],
      subnets: [
        { SubnetId: "subnet-a", AvailabilityZoneId: "use1-az4" },
        { SubnetId: "subnet-b", AvailabilityZoneId: "use1-az6" },
      ],
    };
    const r = find(recommend(input(rows, { aws, days: twoDays })), "nat_gateway_per_az");
    expect(r.status).toBe("applied");
    expect(r.reason).toBe("applied: every AZ with NAT users has a NAT gateway (nat-1, nat-2)");
    expect(r.beforeAfter?.beforeDailyCostUsd).toBe(0.2);
    expect(r.beforeAfter?.afterDailyCostUsd).toBe(0);
  });
});
