import { z } from "zod";
import {
  LIST_PRICE_FACTS,
  PRICE_ITEMS,
  type PriceItem,
  type PriceStatus,
  placeholderFacts,
  type RegionPriceFacts,
} from "./list-prices.ts";
import { COMMERCIAL_REGIONS, isCommercialRegion } from "./regions.ts";

const usd = z.number().nonnegative();

/** One Region's override: any price item, the egress tiers, the billing code (for a Region flowcost does not know). */
export const regionPriceOverrideSchema = z
  .object({
    interAzPerGbEachDirection: usd.optional(),
    natGatewayPerHour: usd.optional(),
    natGatewayPerGb: usd.optional(),
    albPerHour: usd.optional(),
    albPerLcuHour: usd.optional(),
    nlbPerHour: usd.optional(),
    nlbPerLcuHour: usd.optional(),
    interfaceEndpointPerAzHour: usd.optional(),
    interfaceEndpointPerGb: usd.optional(),
    billingCode: z
      .string()
      .regex(/^[A-Z0-9]{2,5}$/)
      .optional(),
    internetEgressTiers: z
      .array(z.object({ upToTb: z.number().positive().nullable(), perGb: usd }).strict())
      .min(1)
      .optional(),
  })
  .strict() satisfies z.ZodType<{ [K in PriceItem]?: number }>;
export type RegionPriceOverride = z.output<typeof regionPriceOverrideSchema>;

/** `prices` in flowcost.config.json (CLI) or FLOWCOST_PRICES (AWS): overrides by Region code. */
export const priceOverridesSchema = z.record(
  z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "a Region code such as us-west-2"),
  regionPriceOverrideSchema,
);
export type PriceOverrides = Readonly<Record<string, RegionPriceOverride>>;

export const regionPricesSchema = z.object({
  region: z.string(),
  /** Billing-code prefix on CUR usage types (aws-facts.md §4.4); `USE1` also appears bare. */
  billingCode: z.string(),
  /** Inter-AZ transfer is billed once out at the sender and once in at the receiver. */
  interAzPerGbEachDirection: usd,
  natGatewayPerGb: usd,
  natGatewayPerHour: usd,
  interfaceEndpointPerGb: usd,
  interfaceEndpointPerAzHour: usd,
  albPerHour: usd,
  albPerLcuHour: usd,
  nlbPerHour: usd,
  nlbPerLcuHour: usd,
  /** Monthly volume bands of internet egress, cheapest last. */
  internetEgressTiers: z.array(z.object({ upToTb: z.number().nullable(), perGb: usd })),
  /**
   * What a GB of internet egress is estimated at: the first paid band. A day's flow logs cannot
   * tell where the month's volume stands, so the estimate is the price of the first 10 TB.
   */
  internetEgressPerGb: usd,
  /** Items whose value is us-east-1's standing in (not looked up for this Region, not configured). */
  placeholders: z.array(z.string()),
});
export type RegionPrices = z.output<typeof regionPricesSchema>;

/**
 * Bytes in a billed GB. AWS prices data transfer per GB; flowcost converts with 2^30 (the
 * convention of AWS's own usage quantities for `*-Bytes` usage types). Kept in one place so
 * that the estimate and the CUR reconciliation agree; with a CUR, billed dollars do not
 * depend on it because they are allocated in proportion.
 */
export const BYTES_PER_GB = 1024 ** 3;

/** The facts behind one Region's prices, overrides applied (status `configured`). */
export function priceFactsFor(region: string, overrides: PriceOverrides = {}): RegionPriceFacts {
  const override = overrides[region] ?? {};
  const base = isCommercialRegion(region)
    ? LIST_PRICE_FACTS[region]
    : placeholderFacts(region, override.billingCode ?? "");
  const configured = (usdValue: number) => ({
    usd: usdValue,
    status: "configured" as PriceStatus,
    source: "configuration (prices)",
  });
  const items = { ...base.items };
  for (const item of PRICE_ITEMS) {
    const v = override[item];
    if (v !== undefined) items[item] = configured(v);
  }
  return {
    region,
    billingCode: override.billingCode ?? base.billingCode,
    items,
    internetEgress: override.internetEgressTiers
      ? { tiers: override.internetEgressTiers, status: "configured", source: "configuration (prices)" }
      : base.internetEgress,
  };
}

/**
 * Prices for a Region, with overrides from configuration. Never throws for a Region: one that
 * flowcost does not know gets us-east-1's prices as placeholders (listed in `placeholders`,
 * which the analysis reports as a warning), because with a CUR the billed dollars do not depend
 * on list prices and a missing one must not stop the analysis.
 */
export function pricesFor(region: string, overrides: PriceOverrides = {}): RegionPrices {
  const facts = priceFactsFor(region, overrides);
  const value = (item: PriceItem) => facts.items[item].usd;
  const tiers = [...facts.internetEgress.tiers];
  return regionPricesSchema.parse({
    region,
    billingCode: facts.billingCode,
    ...Object.fromEntries(PRICE_ITEMS.map((item) => [item, value(item)])),
    internetEgressTiers: tiers,
    internetEgressPerGb: tiers[0]?.perGb ?? 0,
    placeholders: [
      ...PRICE_ITEMS.filter((item) => facts.items[item].status === "placeholder"),
      ...(facts.internetEgress.status === "placeholder" ? ["internetEgressTiers"] : []),
    ],
  });
}

/** Every commercial Region flowcost prices out of the box. */
export const PRICED_REGIONS: ReadonlyArray<string> = Object.keys(COMMERCIAL_REGIONS);

/** List cost of a cross-AZ transfer: both billed sides, out at the sender and in at the receiver. */
export function crossAzListCost(bytes: number, prices: RegionPrices): number {
  return (bytes / BYTES_PER_GB) * prices.interAzPerGbEachDirection * 2;
}
