import { classifyAddress } from "../../inventory/ip-ranges.ts";
import { endpointBeforeAfter } from "../before-after.ts";
import { awsCli, savingsOf } from "../changes.ts";
import { baseRecommendation, check, type RecommendationInput, recommendIfWorthIt } from "../context.ts";
import type { Recommendation } from "../types.ts";
import { natIdsOf, natRowsFor, routeTablesToNat, vpcOf } from "./nat-rows.ts";

const SERVICES = {
  S3: { kind: "s3_gateway_endpoint", endpoint: "s3", label: "S3" },
  DYNAMODB: { kind: "dynamodb_gateway_endpoint", endpoint: "dynamodb", label: "DynamoDB" },
} as const;

/**
 * Catalogue item 4: a gateway VPC endpoint for S3 or DynamoDB traffic that goes through a NAT
 * gateway. Gateway endpoints are free and serve only the VPC's own Region, so the destination
 * addresses' Region is checked against AWS's ip-ranges.json first. Saves the NAT processing of
 * those bytes and their cross-AZ leg to the gateway.
 */
export function gatewayEndpoint(
  input: RecommendationInput,
  service: keyof typeof SERVICES,
): Recommendation | undefined {
  const s = SERVICES[service];
  const { processing, leg } = natRowsFor(input, service);
  if (processing.length === 0) return undefined;
  const natIds = natIdsOf(processing);
  const vpc = vpcOf(input, natIds);
  const rec = baseRecommendation(
    input,
    s.kind,
    {
      type: "Vpc",
      cluster: input.cluster,
      namespace: null,
      kind: "VPC",
      name: vpc ?? "unknown VPC",
      resourceId: vpc ?? null,
    },
    [...processing, ...leg],
  );
  const p = input.prices;
  const processed = processing.reduce((sum, r) => sum + r.bytes, 0);
  const legBytes = leg.reduce((sum, r) => sum + r.bytes, 0);
  const serviceName = `com.amazonaws.${input.region}.${s.endpoint}`;
  rec.title = `Add a gateway endpoint for ${s.label} to ${vpc ?? "the VPC"}: ${s.label} traffic stops paying NAT processing`;
  rec.risk = `Requests reach ${s.label} from private addresses through the endpoint: policies that allow by aws:SourceIp stop matching (use aws:SourceVpce), and only ${input.region} resources are reachable through it.`;
  rec.implementationEffort = "Low";
  rec.rollbackPossible = true;
  rec.restartNeeded = false;

  // The destination Region, from the outside addresses the NAT gateway saw and AWS's prefixes.
  // Formats without pkt-*-aws-service name no service: the address's range in ip-ranges.json does.
  const ranges = input.ipRanges;
  const destinations = (input.natDestinations ?? []).filter(
    (d) => (d.awsService ?? (ranges ? classifyAddress(ranges, d.ip)?.service : undefined)) === service,
  );
  let share = 1;
  let total = 0;
  const needs: string[] = [];
  if (!input.ipRanges) needs.push("inventory/aws/ip-ranges.json (to check the destination's Region)");
  if (!input.natDestinations) needs.push("the NAT gateway's outside addresses (flow-log records at its ENI)");
  if (input.ipRanges && input.natDestinations) {
    const byRegion = new Map<string, number>();
    for (const d of destinations) {
      const region = classifyAddress(input.ipRanges, d.ip)?.region ?? "unknown";
      byRegion.set(region, (byRegion.get(region) ?? 0) + d.bytes);
    }
    total = [...byRegion.values()].reduce((a, b) => a + b, 0);
    share = total > 0 ? (byRegion.get(input.region) ?? 0) / total : 0;
    rec.preconditions.push(
      check(
        "destination in the VPC's Region",
        `${s.label} addresses in ${input.region} (a gateway endpoint serves no other Region)`,
        [...byRegion].map(([r, b]) => `${r}: ${b} bytes`).join(", ") || "no destination addresses",
        share === 1,
      ),
    );
  }
  const existing = (input.aws.vpcEndpoints ?? []).find(
    (e) => e.VpcEndpointType === "Gateway" && e.ServiceName === serviceName && (!vpc || e.VpcId === vpc),
  );
  if (!input.aws.vpcEndpoints) needs.push("describe-vpc-endpoints");
  else
    rec.preconditions.push(
      check(
        "no gateway endpoint yet",
        `no ${serviceName} gateway endpoint in the VPC`,
        existing ? existing.VpcEndpointId : "none",
        !existing,
      ),
    );
  const tables = input.aws.routeTables ? routeTablesToNat(input.aws.routeTables, natIds) : undefined;
  if (!tables) needs.push("describe-route-tables (the route tables the endpoint attaches to)");
  else
    rec.preconditions.push(
      check(
        "route tables to attach",
        `route tables sending 0.0.0.0/0 to ${[...natIds].join(", ")}`,
        tables.map((t) => t.RouteTableId).join(", ") || "none",
        tables.length > 0,
      ),
    );
  const bytes = (b: number) => Math.round(b * share);
  const { savings, net } = savingsOf(
    input,
    `(${s.label} bytes processed by the NAT gateway x NAT $/GB + their cross-AZ leg x (inter-AZ $/GB out + in)) / window days x 30; the endpoint is free`,
    [
      { bytes: bytes(processed), perGb: p.natGatewayPerGb },
      { bytes: bytes(legBytes), perGb: 2 * p.interAzPerGbEachDirection },
    ],
    { natGatewayPerGb: p.natGatewayPerGb, interAzPerGbEachDirection: p.interAzPerGbEachDirection },
  );
  rec.savings = savings;
  if (share < 1 && share > 0)
    rec.evidence.notes.push(
      `${Math.round(share * 1000) / 10}% of the bytes go to ${input.region}; only those count`,
    );
  rec.change = awsCli(
    `aws ec2 create-vpc-endpoint --vpc-id ${vpc ?? "<vpc-id>"} --vpc-endpoint-type Gateway --service-name ${serviceName} --route-table-ids ${(tables ?? []).map((t) => t.RouteTableId).join(" ")}`,
  );
  if (existing) {
    rec.status = "applied";
    rec.beforeAfter = endpointBeforeAfter(input, existing, [...processing, ...leg]);
    const after = rec.beforeAfter?.afterDailyBytes ?? undefined;
    rec.reason =
      after === undefined || after > 0
        ? `applied: ${existing.VpcEndpointId} exists${after ? `, yet ${Math.round(after)} bytes a day still went through the NAT gateway after it (check its route tables)` : ""}`
        : `applied: ${existing.VpcEndpointId} exists; nothing to ${s.label} went through the NAT gateway after it`;
  } else if (needs.length) rec.reason = `needs ${needs.join("; needs ")}`;
  else if (total === 0)
    rec.reason = `needs the NAT gateway's outside addresses for ${s.label} (none of its flow-log records at the NAT ENI name ${service})`;
  else if (share === 0)
    rec.reason = `the ${s.label} destinations are outside ${input.region}: a gateway endpoint cannot serve them`;
  else if (tables && tables.length === 0) rec.reason = "no route table sends 0.0.0.0/0 to these NAT gateways";
  else recommendIfWorthIt(rec, input, net);
  return rec;
}
