import { z } from "zod";
import { describeTargetGroupsSchema, parseCall } from "./eni.ts";

/**
 * The describe calls the recommendations read besides identity's (aws-facts.md §7.4, VPC
 * pricing): VPC endpoints and the route tables they attach to, subnets (for a public subnet per
 * AZ), and load balancer / target group attributes (cross-zone). Parsed loosely, AWS CLI shape.
 */
const tag = z.looseObject({ Key: z.string(), Value: z.string().optional() });

export const describeVpcEndpointsSchema = z.looseObject({
  VpcEndpoints: z.array(
    z.looseObject({
      VpcEndpointId: z.string(),
      VpcEndpointType: z.string().optional(),
      VpcId: z.string().optional(),
      ServiceName: z.string().optional(),
      State: z.string().optional(),
      RouteTableIds: z.array(z.string()).optional(),
      SubnetIds: z.array(z.string()).optional(),
      CreationTimestamp: z.string().optional(),
    }),
  ),
});
export type VpcEndpoint = z.infer<typeof describeVpcEndpointsSchema>["VpcEndpoints"][number];

export const describeRouteTablesSchema = z.looseObject({
  RouteTables: z.array(
    z.looseObject({
      RouteTableId: z.string(),
      VpcId: z.string().optional(),
      Associations: z
        .array(z.looseObject({ SubnetId: z.string().optional(), Main: z.boolean().optional() }))
        .optional(),
      Routes: z
        .array(
          z.looseObject({
            DestinationCidrBlock: z.string().optional(),
            DestinationPrefixListId: z.string().optional(),
            GatewayId: z.string().optional(),
            NatGatewayId: z.string().optional(),
          }),
        )
        .optional(),
      Tags: z.array(tag).optional(),
    }),
  ),
});
export type RouteTable = z.infer<typeof describeRouteTablesSchema>["RouteTables"][number];

export const describeSubnetsSchema = z.looseObject({
  Subnets: z.array(
    z.looseObject({
      SubnetId: z.string(),
      VpcId: z.string().optional(),
      AvailabilityZone: z.string().optional(),
      AvailabilityZoneId: z.string().optional(),
      CidrBlock: z.string().optional(),
      MapPublicIpOnLaunch: z.boolean().optional(),
    }),
  ),
});
export type Subnet = z.infer<typeof describeSubnetsSchema>["Subnets"][number];

const attributes = z.array(z.looseObject({ Key: z.string(), Value: z.string().optional() }));

/**
 * `aws elbv2 describe-load-balancer-attributes` answers for one ARN; the capture stores one
 * document for all of them, each answer with its ARN added (docs/analyze.md has the loop).
 */
export const describeLoadBalancerAttributesSchema = z.looseObject({
  LoadBalancerAttributes: z.array(z.looseObject({ LoadBalancerArn: z.string(), Attributes: attributes })),
});
export const describeTargetGroupAttributesSchema = z.looseObject({
  TargetGroupAttributes: z.array(z.looseObject({ TargetGroupArn: z.string(), Attributes: attributes })),
});

export const readVpcEndpoints = (json: unknown, source: string): VpcEndpoint[] =>
  parseCall(describeVpcEndpointsSchema, json, source).VpcEndpoints;
export const readRouteTables = (json: unknown, source: string): RouteTable[] =>
  parseCall(describeRouteTablesSchema, json, source).RouteTables;
export const readSubnets = (json: unknown, source: string): Subnet[] =>
  parseCall(describeSubnetsSchema, json, source).Subnets;

/** ARN -> attribute key -> value. */
export type AttributesByArn = ReadonlyMap<string, Readonly<Record<string, string>>>;

export function readLoadBalancerAttributes(json: unknown, source: string): AttributesByArn {
  const parsed = parseCall(describeLoadBalancerAttributesSchema, json, source);
  return new Map(
    parsed.LoadBalancerAttributes.map((a) => [
      a.LoadBalancerArn,
      Object.fromEntries(a.Attributes.map((x) => [x.Key, x.Value ?? ""])),
    ]),
  );
}

export function readTargetGroupAttributes(json: unknown, source: string): AttributesByArn {
  const parsed = parseCall(describeTargetGroupAttributesSchema, json, source);
  return new Map(
    parsed.TargetGroupAttributes.map((a) => [
      a.TargetGroupArn,
      Object.fromEntries(a.Attributes.map((x) => [x.Key, x.Value ?? ""])),
    ]),
  );
}

export type TargetGroup = z.infer<typeof describeTargetGroupsSchema>["TargetGroups"][number];
export const readTargetGroups = (json: unknown, source: string): TargetGroup[] =>
  parseCall(describeTargetGroupsSchema, json, source).TargetGroups;
