import { COMMERCIAL_REGIONS, type CommercialRegion } from "./regions.ts";

/**
 * List prices per commercial Region, USD, each with where it comes from. AWS changes prices and
 * negotiates others, so every value can be overridden (`prices` in flowcost.config.json, or the
 * `FLOWCOST_PRICES` setting in AWS; docs/pricing.md). With a CUR the billed dollars never depend
 * on these: they only make the estimate when no bill covers a day, and the `listCostUsd` column.
 *
 * Status of each value:
 * - `confirmed`: read on the AWS pricing page named (aws-facts.md §6, September 2026).
 * - `secondary`: a public third-party page quoting AWS's price for that Region; named, not yet
 *   checked against the AWS Price List (unconfirmed).
 * - `placeholder`: not looked up for this Region; us-east-1's confirmed price stands in, and an
 *   estimate that uses it says so in its warnings. Refresh from the Price List bulk files
 *   (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/<region>/index.json,
 *   AmazonVPC, AWSELB) or override it.
 */
export type PriceStatus = "confirmed" | "secondary" | "placeholder" | "configured";

export interface PriceFact {
  readonly usd: number;
  readonly status: PriceStatus;
  readonly source: string;
}

/** A monthly volume band of internet egress: `upToTb` is the band's upper bound (null: no bound). */
export interface EgressTier {
  readonly upToTb: number | null;
  readonly perGb: number;
}

export interface EgressFact {
  readonly tiers: ReadonlyArray<EgressTier>;
  readonly status: PriceStatus;
  readonly source: string;
}

/** The per-unit prices flowcost uses, by name (the keys of `prices` in the configuration). */
export const PRICE_ITEMS = [
  "interAzPerGbEachDirection",
  "natGatewayPerHour",
  "natGatewayPerGb",
  "albPerHour",
  "albPerLcuHour",
  "nlbPerHour",
  "nlbPerLcuHour",
  "interfaceEndpointPerAzHour",
  "interfaceEndpointPerGb",
] as const;
export type PriceItem = (typeof PRICE_ITEMS)[number];

export interface RegionPriceFacts {
  readonly region: string;
  readonly billingCode: string;
  readonly items: Readonly<Record<PriceItem, PriceFact>>;
  readonly internetEgress: EgressFact;
}

const EC2_PAGE = "https://aws.amazon.com/ec2/pricing/on-demand/ (Data Transfer)";
const VPC_PAGE = "https://aws.amazon.com/vpc/pricing/ (NAT gateway)";
const ELB_PAGE = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const PRIVATELINK_PAGE = "https://aws.amazon.com/privatelink/pricing/ (interface endpoint, first PB)";

const confirmed = (usd: number, source: string): PriceFact => ({ usd, status: "confirmed", source });
const secondary = (usd: number, source: string): PriceFact => ({ usd, status: "secondary", source });

/** us-east-1: every item read on AWS's pages (aws-facts.md §6). */
const US_EAST_1: RegionPriceFacts = {
  region: "us-east-1",
  billingCode: "USE1",
  items: {
    interAzPerGbEachDirection: confirmed(0.01, EC2_PAGE),
    natGatewayPerHour: confirmed(0.045, VPC_PAGE),
    natGatewayPerGb: confirmed(0.045, VPC_PAGE),
    albPerHour: confirmed(0.0225, ELB_PAGE),
    albPerLcuHour: confirmed(0.008, ELB_PAGE),
    nlbPerHour: confirmed(0.0225, ELB_PAGE),
    nlbPerLcuHour: confirmed(0.006, ELB_PAGE),
    interfaceEndpointPerAzHour: confirmed(0.01, PRIVATELINK_PAGE),
    interfaceEndpointPerGb: confirmed(0.01, PRIVATELINK_PAGE),
  },
  internetEgress: {
    // The first 100 GB a month are free across all Regions together; flowcost cannot see the
    // account's other egress, so it does not deduct them.
    tiers: [
      { upToTb: 10, perGb: 0.09 },
      { upToTb: 50, perGb: 0.085 },
      { upToTb: 150, perGb: 0.07 },
      { upToTb: null, perGb: 0.05 },
    ],
    status: "secondary",
    source:
      "https://wring.co/blog/aws-data-transfer-pricing-guide and https://leanopstech.com/blog/aws-data-transfer-pricing-2026/ (2026), quoting " +
      EC2_PAGE,
  },
};

/** Values known for a Region other than us-east-1; everything else is a placeholder. */
const KNOWN: Partial<
  Record<CommercialRegion, Partial<Record<PriceItem, PriceFact>> & { internetEgress?: EgressFact }>
> = {
  "us-east-2": {
    natGatewayPerHour: secondary(
      0.045,
      "https://cloudburn.io/blog/aws-nat-gateway-pricing (2026-02, US East Ohio)",
    ),
    natGatewayPerGb: secondary(
      0.045,
      "https://hub.pointfive.co/inefficiencies/excessive-nat-gateway-data-processing-charges-from-unoptimized-traffic-routing (US East Ohio)",
    ),
  },
  "eu-west-2": {
    natGatewayPerHour: confirmed(0.05, VPC_PAGE),
    natGatewayPerGb: confirmed(0.05, VPC_PAGE),
    albPerHour: confirmed(0.02646, ELB_PAGE),
    albPerLcuHour: confirmed(0.008, ELB_PAGE),
  },
  "ap-southeast-1": {
    natGatewayPerGb: confirmed(0.059, VPC_PAGE),
    natGatewayPerHour: secondary(0.059, "https://basavytix.com/blog/aws-nat-gateway-pricing (Singapore)"),
  },
  "af-south-1": {
    nlbPerHour: confirmed(0.03, ELB_PAGE),
    nlbPerLcuHour: confirmed(0.0071, ELB_PAGE),
  },
  "ap-northeast-1": {
    // A public cost estimate (2026-09-25) quoting the pricing pages and the Price List API for
    // APN1-NatGateway-Hours, APN1-NatGateway-Bytes and APN1-VpcEndpoint-Hours.
    natGatewayPerHour: secondary(0.062, "public cost estimate, 2026-09-25: APN1-NatGateway-Hours"),
    natGatewayPerGb: secondary(0.062, "public cost estimate, 2026-09-25: APN1-NatGateway-Bytes"),
    interfaceEndpointPerAzHour: secondary(0.014, "public cost estimate, 2026-09-25: APN1-VpcEndpoint-Hours"),
    interfaceEndpointPerGb: secondary(0.01, "public cost estimate, 2026-09-25: first PB"),
  },
  "ap-southeast-2": {
    internetEgress: {
      tiers: [
        { upToTb: 10, perGb: 0.114 },
        { upToTb: 50, perGb: 0.098 },
        { upToTb: 150, perGb: 0.094 },
        { upToTb: null, perGb: 0.092 },
      ],
      status: "secondary",
      source: "https://chengqing.dev/en/2020/01/23/aws-data-transfer/ (2020: may be out of date)",
    },
  },
};

/** us-east-1's price standing in for a value nobody looked up for `region`. */
export function placeholderFacts(region: string, billingCode: string): RegionPriceFacts {
  const stand = (f: PriceFact): PriceFact => ({
    usd: f.usd,
    status: "placeholder",
    source: `not looked up for ${region}: us-east-1's price (${f.source})`,
  });
  const items = Object.fromEntries(Object.entries(US_EAST_1.items).map(([k, f]) => [k, stand(f)])) as Record<
    PriceItem,
    PriceFact
  >;
  // aws-facts.md §6: inter-AZ transfer is $0.01/GB each direction "in most regions".
  items.interAzPerGbEachDirection = secondary(
    0.01,
    `${EC2_PAGE}: $0.01/GB each direction in most Regions (not checked for ${region})`,
  );
  return {
    region,
    billingCode,
    items,
    internetEgress: {
      tiers: US_EAST_1.internetEgress.tiers,
      status: "placeholder",
      source: `not looked up for ${region}: us-east-1's tiers`,
    },
  };
}

function regionFacts(region: CommercialRegion): RegionPriceFacts {
  if (region === "us-east-1") return US_EAST_1;
  const base = placeholderFacts(region, COMMERCIAL_REGIONS[region]);
  const { internetEgress, ...known } = KNOWN[region] ?? {};
  return {
    ...base,
    items: { ...base.items, ...known },
    internetEgress: internetEgress ?? base.internetEgress,
  };
}

/** The built-in table: every commercial Region, every item, each with its status and source. */
export const LIST_PRICE_FACTS: Readonly<Record<CommercialRegion, RegionPriceFacts>> = Object.fromEntries(
  (Object.keys(COMMERCIAL_REGIONS) as CommercialRegion[]).map((r) => [r, regionFacts(r)]),
) as Record<CommercialRegion, RegionPriceFacts>;
