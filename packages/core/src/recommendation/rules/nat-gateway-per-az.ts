import type { RouteTable, Subnet } from "../../inventory/aws-network.ts";
import { awsTime, beforeAfterOf } from "../before-after.ts";
import { awsCli, savingsOf } from "../changes.ts";
import {
  baseRecommendation,
  check,
  HOURS_PER_MONTH,
  monthly,
  type RecommendationInput,
  recommendIfWorthIt,
  usdText,
  windowDays,
} from "../context.ts";
import type { Recommendation } from "../types.ts";
import {
  isNatLeg,
  isNatProcessing,
  natFarService,
  natGatewayAz,
  natInsideAz,
  routeTablesToNat,
} from "./nat-rows.ts";

/** AZ ID -> an available NAT gateway in it (and when it was created), from the latest capture. */
function gatewayZones(
  input: RecommendationInput,
): Map<string, { id: string; createdAt: number | undefined }> {
  const zones = new Map<string, { id: string; createdAt: number | undefined }>();
  for (const n of input.aws.natGateways ?? []) {
    if (n.State && n.State !== "available") continue;
    const subnet = input.aws.subnets?.find((s) => s.SubnetId === n.SubnetId);
    const zone = subnet ? subnetZone(input, subnet) : undefined;
    if (zone && !zones.has(zone))
      zones.set(zone, { id: n.NatGatewayId, createdAt: awsTime((n as { CreateTime?: string }).CreateTime) });
  }
  return zones;
}

function subnetZone(input: RecommendationInput, s: Subnet): string | undefined {
  return s.AvailabilityZoneId ?? (s.AvailabilityZone ? input.zones.get(s.AvailabilityZone) : undefined);
}

/** A public subnet (default route to an internet gateway) in the zone, to host a new NAT gateway. */
function publicSubnet(
  input: RecommendationInput,
  zone: string,
  tables: ReadonlyArray<RouteTable>,
  subnets: ReadonlyArray<Subnet>,
) {
  const publicIds = new Set(
    tables
      .filter((t) =>
        (t.Routes ?? []).some(
          (r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.GatewayId?.startsWith("igw-"),
        ),
      )
      .flatMap((t) => (t.Associations ?? []).map((a) => a.SubnetId).filter((s): s is string => !!s)),
  );
  return subnets.find((s) => publicIds.has(s.SubnetId) && subnetZone(input, s) === zone)?.SubnetId;
}

/** Route tables of the zone's subnets that send 0.0.0.0/0 to this NAT gateway. */
function zoneRouteTables(
  input: RecommendationInput,
  zone: string,
  nat: string,
  tables: ReadonlyArray<RouteTable>,
  subnets: ReadonlyArray<Subnet>,
): string[] {
  const inZone = new Set(subnets.filter((s) => subnetZone(input, s) === zone).map((s) => s.SubnetId));
  return tables
    .filter(
      (t) =>
        (t.Routes ?? []).some((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.NatGatewayId === nat) &&
        (t.Associations ?? []).some((a) => a.SubnetId && inZone.has(a.SubnetId)),
    )
    .map((t) => t.RouteTableId);
}

/**
 * Catalogue item 3: a NAT gateway per AZ, when the cross-AZ leg to a NAT gateway in another AZ
 * costs more than the added gateways' hours. Bytes that a recommended gateway or interface
 * endpoint takes off the NAT gateway are left out (`movedServices`). AWS's regional NAT gateway
 * (one gateway spanning AZs) is the alternative; it is priced when its hourly price is known.
 */
export function natGatewayPerAz(
  input: RecommendationInput,
  movedServices: ReadonlySet<string>,
): Recommendation[] {
  const nats = [
    ...new Set(
      input.rows.filter((r) => r.category === "nat" && r.nat_gateway).map((r) => r.nat_gateway as string),
    ),
  ].sort();
  const out: Recommendation[] = [];
  for (const nat of nats) {
    const all = input.rows.filter((r) => r.category === "nat" && r.nat_gateway === nat);
    const moved = (r: (typeof all)[number]) => movedServices.has(natFarService(r) ?? "");
    const legs = all.filter((r) => isNatLeg(r) && !moved(r));
    const natZones = new Set(all.map(natGatewayAz).filter((z): z is string => z !== null));
    const arn = input.aws.natGateways?.find((n) => n.NatGatewayId === nat);
    const rec = baseRecommendation(
      input,
      "nat_gateway_per_az",
      {
        type: "NatGateway",
        cluster: input.cluster,
        namespace: null,
        kind: "NatGateway",
        name: nat,
        resourceId: nat,
      },
      legs.length ? legs : all.filter((r) => isNatProcessing(r) && !moved(r)),
    );
    const legByZone: Record<string, number> = {};
    for (const r of legs) {
      const z = natInsideAz(r);
      if (z) legByZone[z] = (legByZone[z] ?? 0) + r.bytes;
    }
    rec.evidence.clientZones = legByZone;
    if (movedServices.size)
      rec.evidence.notes.push(
        `bytes to ${[...movedServices].sort().join(", ")} are left out: a recommended endpoint takes them off the NAT gateway`,
      );
    const newZones = Object.keys(legByZone)
      .filter((z) => !natZones.has(z))
      .sort();
    const p = input.prices;
    const legBytes = legs.reduce((s, r) => s + r.bytes, 0);
    const { savings, net } = savingsOf(
      input,
      "cross-AZ leg bytes to the NAT gateway / window days x 30 x (inter-AZ $/GB out + in) - added NAT gateway hours for 30 days",
      [{ bytes: legBytes, perGb: 2 * p.interAzPerGbEachDirection }],
      { interAzPerGbEachDirection: p.interAzPerGbEachDirection, natGatewayPerHour: p.natGatewayPerHour },
      [
        {
          item: `NAT gateway (${newZones.join(", ") || "none"})`,
          count: newZones.length,
          pricePerHour: p.natGatewayPerHour,
        },
      ],
    );
    rec.savings = savings;
    rec.preconditions = [
      check(
        "cross-AZ leg to the NAT gateway",
        "NAT users in AZs without a NAT gateway",
        Object.keys(legByZone).length
          ? Object.entries(legByZone)
              .map(([z, b]) => `${z}: ${b} bytes`)
              .join(", ")
          : "none",
        legBytes > 0,
      ),
      check(
        "leg cost above the added gateways' hours",
        "monthly cross-AZ leg cost > new NAT gateways' hours",
        `${usdText(savings.grossMonthlySavingsUsd)} vs ${usdText(savings.addedMonthlyCostUsd)} a month`,
        net > 0,
      ),
    ];
    rec.title = `Add a NAT gateway in ${newZones.join(", ") || "each AZ"} and route each AZ to its own (${nat} sits in ${[...natZones].join(", ")})`;
    rec.risk =
      "Each AZ's private route tables switch to the new gateway, whose public address differs: partners that allowlist the current NAT address must add the new ones.";
    rec.implementationEffort = "Medium";
    const tables = input.aws.routeTables;
    const subnets = input.aws.subnets;
    const vpc = arn?.VpcId;
    const regional = input.options?.regionalNatGatewayPerHour;
    const regionalText = [
      `RNAT=$(aws ec2 create-nat-gateway --availability-mode regional --vpc-id ${vpc ?? "<vpc-id>"} --query NatGateway.NatGatewayId --output text)`,
      'aws ec2 wait nat-gateway-available --nat-gateway-ids "$RNAT"',
      ...routeTablesToNat(tables ?? [], new Set([nat])).map(
        (t) =>
          `aws ec2 replace-route --route-table-id ${t.RouteTableId} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id "$RNAT"`,
      ),
    ].join("\n");
    if (regional !== undefined) {
      const zonesServed = new Set([...natZones, ...Object.keys(legByZone)]).size;
      const regionalNet =
        monthly(legBytes, 2 * p.interAzPerGbEachDirection, windowDays(input)) -
        (regional * zonesServed - p.natGatewayPerHour * natZones.size) * HOURS_PER_MONTH;
      rec.evidence.notes.push(
        `regional NAT gateway instead: saves ${usdText(regionalNet)} a month at ${usdText(regional)}/hour in ${zonesServed} AZs, replacing ${nat}`,
      );
    } else
      rec.evidence.notes.push(
        `regional NAT gateway (one gateway across AZs) is the alternative; its hourly price for ${input.region} is not in the price table (RegionalNatGateway-Hours), so it is not compared`,
      );
    if (tables && subnets) {
      const steps = newZones.map((z) => {
        const pub = publicSubnet(input, z, tables, subnets);
        const rtbs = zoneRouteTables(input, z, nat, tables, subnets);
        const v = z.replace(/[^a-z0-9]/g, "_").toUpperCase();
        return [
          `EIP_${v}=$(aws ec2 allocate-address --domain vpc --query AllocationId --output text)`,
          `NAT_${v}=$(aws ec2 create-nat-gateway --subnet-id ${pub ?? `<public-subnet-in-${z}>`} --allocation-id "$EIP_${v}" --query NatGateway.NatGatewayId --output text)`,
          `aws ec2 wait nat-gateway-available --nat-gateway-ids "$NAT_${v}"`,
          ...rtbs.map(
            (t) =>
              `aws ec2 replace-route --route-table-id ${t} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id "$NAT_${v}"`,
          ),
        ].join("\n");
      });
      rec.change = awsCli(steps.join("\n"), [{ option: "regional NAT gateway", text: regionalText }]);
    } else rec.change = awsCli("", [{ option: "regional NAT gateway", text: regionalText }]);
    // A NAT gateway now in every AZ that had a leg (the latest capture): applied, with the before/after.
    const covered = gatewayZones(input);
    const created = Object.keys(legByZone).map((z) => covered.get(z));
    if (legBytes > 0 && created.length > 0 && created.every((c) => c !== undefined)) {
      rec.status = "applied";
      const appliedAt = Math.max(...created.map((c) => c?.createdAt ?? 0));
      rec.reason = `applied: every AZ with NAT users has a NAT gateway (${[...covered.values()]
        .map((c) => c.id)
        .sort()
        .join(", ")})`;
      if (appliedAt > 0)
        rec.beforeAfter = beforeAfterOf(input, { appliedAt, observed: "a NAT gateway in each AZ" }, legs);
    } else if (legBytes === 0)
      rec.reason = `no cross-AZ NAT leg: every user of ${nat} sits in its AZ (${[...natZones].join(", ")})`;
    else if (net <= 0)
      rec.reason = `the cross-AZ leg (${usdText(savings.grossMonthlySavingsUsd)} a month) costs less than ${newZones.length} more NAT gateway(s) (${usdText(savings.addedMonthlyCostUsd)} a month)`;
    else if (!tables || !subnets)
      rec.reason = `needs ${[!tables && "describe-route-tables", !subnets && "describe-subnets"].filter(Boolean).join(" and ")} (the public subnet and route tables of each AZ)`;
    else recommendIfWorthIt(rec, input, net);
    out.push(rec);
  }
  return out;
}
