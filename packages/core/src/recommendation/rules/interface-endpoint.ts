import { nodeAddresses } from "../../inventory/kubernetes.ts";
import { endpointBeforeAfter } from "../before-after.ts";
import { awsCli, savingsOf } from "../changes.ts";
import {
  baseRecommendation,
  check,
  type RecommendationInput,
  recommendIfWorthIt,
  usdText,
} from "../context.ts";
import type { Recommendation } from "../types.ts";
import { clusterZones, natFarService, natIdsOf, natRowsFor, vpcOf } from "./nat-rows.ts";

/**
 * Flow-log / ip-ranges service names that identify one AWS service with an interface endpoint.
 * `AMAZON` and `EC2` cover many services (ECR, STS, ...), so NAT bytes named so cannot be tied to
 * one endpoint: the rule declines them rather than guess.
 */
export const INTERFACE_ENDPOINT_SERVICES: Readonly<Record<string, string>> = {
  API_GATEWAY: "execute-api",
  CODEBUILD: "codebuild",
  EBS: "ebs",
  KINESIS_VIDEO_STREAMS: "kinesisvideo",
};

/** The nodes' subnet and security group per AZ, from their ENIs (for the endpoint's placement). */
function nodePlacement(
  input: RecommendationInput,
): Map<string, { subnet: string; group: string | undefined }> {
  const ips = new Set((input.kubernetes?.nodes ?? []).flatMap(nodeAddresses));
  const byZone = new Map<string, { subnet: string; group: string | undefined }>();
  for (const eni of input.aws.networkInterfaces ?? []) {
    if (!eni.PrivateIpAddress || !ips.has(eni.PrivateIpAddress) || !eni.SubnetId) continue;
    const zone =
      eni.AvailabilityZoneId ?? (eni.AvailabilityZone ? input.zones.get(eni.AvailabilityZone) : undefined);
    const groups = (eni as { Groups?: Array<{ GroupId?: string }> }).Groups;
    if (zone && !byZone.has(zone)) byZone.set(zone, { subnet: eni.SubnetId, group: groups?.[0]?.GroupId });
  }
  return byZone;
}

/**
 * Catalogue item 5: an interface endpoint for an AWS service reached through a NAT gateway, when
 * the per-GB saving (NAT processing minus the endpoint's per-GB price, plus the cross-AZ leg)
 * beats the endpoint's hours in every AZ with nodes.
 */
export function interfaceEndpoints(
  input: RecommendationInput,
): Array<{ service: string; rec: Recommendation }> {
  const services = new Set(
    input.rows
      .filter((r) => r.category === "nat" && r.subcategory === "aws-other")
      .map((r) => natFarService(r) ?? "AMAZON"),
  );
  const out: Array<{ service: string; rec: Recommendation }> = [];
  for (const service of [...services].sort()) {
    const { processing, leg } = natRowsFor(input, service);
    if (processing.length === 0) continue;
    const natIds = natIdsOf(processing);
    const vpc = vpcOf(input, natIds);
    const endpoint = INTERFACE_ENDPOINT_SERVICES[service];
    const serviceName = endpoint ? `com.amazonaws.${input.region}.${endpoint}` : undefined;
    const rec = baseRecommendation(
      input,
      "interface_endpoint",
      {
        type: "Vpc",
        cluster: input.cluster,
        namespace: null,
        kind: "VPC",
        name: `${vpc ?? "unknown VPC"} ${serviceName ?? service}`,
        resourceId: vpc ?? null,
      },
      [...processing, ...leg],
    );
    const p = input.prices;
    const zones = clusterZones(input, processing);
    const processed = processing.reduce((s, r) => s + r.bytes, 0);
    const legBytes = leg.reduce((s, r) => s + r.bytes, 0);
    const { savings, net } = savingsOf(
      input,
      "(bytes processed by the NAT gateway x (NAT $/GB - endpoint $/GB) + their cross-AZ leg x (inter-AZ $/GB out + in)) / window days x 30 - endpoint AZ-hours for 30 days",
      [
        { bytes: processed, perGb: p.natGatewayPerGb - p.interfaceEndpointPerGb },
        { bytes: legBytes, perGb: 2 * p.interAzPerGbEachDirection },
      ],
      {
        natGatewayPerGb: p.natGatewayPerGb,
        interfaceEndpointPerGb: p.interfaceEndpointPerGb,
        interAzPerGbEachDirection: p.interAzPerGbEachDirection,
        interfaceEndpointPerAzHour: p.interfaceEndpointPerAzHour,
      },
      [
        {
          item: `interface endpoint AZ (${zones.join(", ")})`,
          count: zones.length,
          pricePerHour: p.interfaceEndpointPerAzHour,
        },
      ],
    );
    rec.savings = savings;
    rec.title = `Add an interface endpoint for ${serviceName ?? service} to ${vpc ?? "the VPC"}`;
    rec.risk =
      "With private DNS on, every caller in the VPC resolves the service to the endpoint: its security group must admit them on 443, and endpoint policies apply to all of them.";
    rec.implementationEffort = "Low";
    const placement = nodePlacement(input);
    const subnets = zones.map((z) => placement.get(z)?.subnet).filter((s): s is string => s !== undefined);
    const group = [...placement.values()].find((x) => x.group)?.group;
    rec.change = awsCli(
      `aws ec2 create-vpc-endpoint --vpc-id ${vpc ?? "<vpc-id>"} --vpc-endpoint-type Interface --service-name ${serviceName ?? "<service>"} --subnet-ids ${subnets.join(" ")} --security-group-ids ${group ?? "<security-group>"} --private-dns-enabled`,
    );
    rec.preconditions.push(
      check(
        "per-GB saving above the endpoint's hours",
        "monthly NAT + leg saving > endpoint AZ-hours",
        `${usdText(savings.grossMonthlySavingsUsd)} vs ${usdText(savings.addedMonthlyCostUsd)} a month`,
        net > 0,
      ),
    );
    const existing = (input.aws.vpcEndpoints ?? []).find(
      (e) => e.VpcEndpointType === "Interface" && e.ServiceName === serviceName && (!vpc || e.VpcId === vpc),
    );
    if (!endpoint)
      rec.reason = `needs the destination service: flow logs and ip-ranges name it only ${service}, a range many services share (ECR, STS, ...)`;
    else if (!input.aws.vpcEndpoints) rec.reason = "needs describe-vpc-endpoints";
    else if (existing) {
      rec.status = "applied";
      rec.reason = `applied: ${existing.VpcEndpointId} exists`;
      rec.beforeAfter = endpointBeforeAfter(input, existing, [...processing, ...leg]);
    } else if (subnets.length < zones.length || !group)
      rec.reason = "needs describe-network-interfaces of the nodes (their subnets and security group)";
    else if (net <= 0)
      rec.reason = `endpoint hours (${usdText(savings.addedMonthlyCostUsd)} a month for ${zones.length} AZs) above the per-GB saving (${usdText(savings.grossMonthlySavingsUsd)} a month)`;
    else recommendIfWorthIt(rec, input, net);
    out.push({ service, rec });
  }
  return out;
}
