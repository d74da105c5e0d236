import { z } from "zod";

/**
 * List prices per region, USD (aws-facts.md §6, September 2026). Overridable in config,
 * because AWS changes prices and negotiates others; the CUR, when present, is the truth.
 */
export const regionPricesSchema = z.object({
  region: z.string(),
  /** Billing-code prefix on CUR usage types (aws-facts.md §4.4); `USE1` also appears bare. */
  billingCode: z.string(),
  /** Inter-AZ transfer is billed once out at the sender and once in at the receiver. */
  interAzPerGbEachDirection: z.number().nonnegative(),
  natGatewayPerGb: z.number().nonnegative(),
  natGatewayPerHour: z.number().nonnegative(),
  interfaceEndpointPerGb: z.number().nonnegative(),
  interfaceEndpointPerAzHour: z.number().nonnegative(),
  albPerHour: z.number().nonnegative(),
  nlbPerHour: z.number().nonnegative(),
  /**
   * Internet egress without a NAT gateway is tiered and not in aws-facts.md: 0 (not priced) unless
   * the configuration sets the tier that applies.
   */
  internetEgressPerGb: z.number().nonnegative().default(0),
});
export type RegionPrices = z.output<typeof regionPricesSchema>;

/**
 * Bytes in a billed GB. AWS prices data transfer per GB; flowcost converts with 2^30 (the
 * convention of AWS's own usage quantities for `*-Bytes` usage types). Kept in one place so
 * that the estimate and the CUR reconciliation agree; with a CUR, billed dollars do not
 * depend on it because they are allocated in proportion.
 */
export const BYTES_PER_GB = 1024 ** 3;

export const LIST_PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": {
    region: "us-east-1",
    billingCode: "USE1",
    interAzPerGbEachDirection: 0.01,
    natGatewayPerGb: 0.045,
    natGatewayPerHour: 0.045,
    interfaceEndpointPerGb: 0.01,
    interfaceEndpointPerAzHour: 0.01,
    albPerHour: 0.0225,
    nlbPerHour: 0.0225,
    internetEgressPerGb: 0,
  },
  "eu-west-2": {
    region: "eu-west-2",
    billingCode: "EUW2",
    interAzPerGbEachDirection: 0.01,
    natGatewayPerGb: 0.05,
    natGatewayPerHour: 0.05,
    interfaceEndpointPerGb: 0.01,
    interfaceEndpointPerAzHour: 0.01,
    albPerHour: 0.02646,
    nlbPerHour: 0.0225,
    internetEgressPerGb: 0,
  },
};

/** Prices for a region, with overrides from configuration; an unknown region is an error. */
export function pricesFor(
  region: string,
  overrides: Partial<Record<string, Partial<RegionPrices>>> = {},
): RegionPrices {
  const base = LIST_PRICES[region];
  const override = overrides[region];
  if (!base && !override) {
    throw new RangeError(`no list prices for region ${region}: add them under "prices" in the configuration`);
  }
  return regionPricesSchema.parse({ ...base, ...override, region });
}

/** List cost of a cross-AZ transfer: both billed sides, out at the sender and in at the receiver. */
export function crossAzListCost(bytes: number, prices: RegionPrices): number {
  return (bytes / BYTES_PER_GB) * prices.interAzPerGbEachDirection * 2;
}
