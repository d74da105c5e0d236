import {
  COMMERCIAL_REGIONS,
  LIST_PRICE_FACTS,
  PRICE_ITEMS,
  priceFactsFor,
  priceOverridesSchema,
  pricesFor,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";

const regions = Object.keys(COMMERCIAL_REGIONS);
/** Region families by code prefix: us, ca, mx, af, ap, eu, il, me, sa. */
const families = [...new Set(regions.map((r) => r.split("-")[0] ?? ""))].sort();

describe("the Region table: every commercial Region has each price, with its source", () => {
  test("34 commercial Regions in nine families, each with its billing code (aws-facts.md §4.4)", () => {
    expect(regions).toHaveLength(34);
    expect(families).toEqual(["af", "ap", "ca", "eu", "il", "me", "mx", "sa", "us"]);
    // The codes third-party tables get wrong.
    expect(COMMERCIAL_REGIONS["ap-south-1"]).toBe("APS3");
    expect(COMMERCIAL_REGIONS["ap-southeast-1"]).toBe("APS1");
    expect(COMMERCIAL_REGIONS["eu-west-1"]).toBe("EU");
  });

  test.each(families)(
    "family %s: every Region has every item and egress tiers, each naming its source",
    (family) => {
      for (const region of regions.filter((r) => r.startsWith(`${family}-`))) {
        const facts = LIST_PRICE_FACTS[region as keyof typeof LIST_PRICE_FACTS];
        expect(facts.billingCode).toBe(COMMERCIAL_REGIONS[region as keyof typeof COMMERCIAL_REGIONS]);
        for (const item of PRICE_ITEMS) {
          const fact = facts.items[item];
          expect(fact.usd, `${region} ${item}`).toBeGreaterThan(0);
          expect(fact.source.length, `${region} ${item}`).toBeGreaterThan(10);
          expect(["confirmed", "secondary", "placeholder"]).toContain(fact.status);
        }
        expect(facts.internetEgress.tiers.length).toBeGreaterThan(0);
        const prices = pricesFor(region);
        expect(prices.internetEgressPerGb).toBe(facts.internetEgress.tiers[0]?.perGb);
        // Placeholders are listed by name, so an estimate can say which prices stand in.
        expect(prices.placeholders).toEqual([
          ...PRICE_ITEMS.filter((i) => facts.items[i].status === "placeholder"),
          ...(facts.internetEgress.status === "placeholder" ? ["internetEgressTiers"] : []),
        ]);
      }
    },
  );

  test("the prices read on AWS's pages are confirmed and exact (aws-facts.md §6)", () => {
    const useast1 = pricesFor("us-east-1");
    expect(useast1).toMatchObject({
      billingCode: "USE1",
      interAzPerGbEachDirection: 0.01,
      natGatewayPerHour: 0.045,
      natGatewayPerGb: 0.045,
      albPerHour: 0.0225,
      albPerLcuHour: 0.008,
      nlbPerHour: 0.0225,
      nlbPerLcuHour: 0.006,
      interfaceEndpointPerAzHour: 0.01,
      interfaceEndpointPerGb: 0.01,
      internetEgressPerGb: 0.09,
      placeholders: [],
    });
    expect(pricesFor("eu-west-2")).toMatchObject({
      natGatewayPerGb: 0.05,
      natGatewayPerHour: 0.05,
      albPerHour: 0.02646,
    });
    expect(pricesFor("ap-southeast-1").natGatewayPerGb).toBe(0.059);
    expect(pricesFor("af-south-1")).toMatchObject({ nlbPerHour: 0.03, nlbPerLcuHour: 0.0071 });
    for (const item of PRICE_ITEMS)
      expect(LIST_PRICE_FACTS["us-east-1"].items[item].status).toBe("confirmed");
  });

  test("a us-west-2 lake is priced, not refused: placeholders named, inter-AZ at $0.01/GB each way", () => {
    const p = pricesFor("us-west-2");
    expect(p.billingCode).toBe("USW2");
    expect(p.interAzPerGbEachDirection).toBe(0.01);
    expect(p.placeholders).toContain("natGatewayPerGb");
  });
});

describe("overrides from configuration", () => {
  test("a configured value replaces the table's and is no longer a placeholder", () => {
    const overrides = priceOverridesSchema.parse({
      "us-west-2": { natGatewayPerGb: 0.045, natGatewayPerHour: 0.045 },
    });
    const p = pricesFor("us-west-2", overrides);
    expect(p.natGatewayPerGb).toBe(0.045);
    expect(p.placeholders).not.toContain("natGatewayPerGb");
    expect(priceFactsFor("us-west-2", overrides).items.natGatewayPerGb.status).toBe("configured");
  });

  test("a Region flowcost does not know is priced with placeholders and the configured billing code", () => {
    const p = pricesFor("xx-east-9", { "xx-east-9": { billingCode: "XXE9" } });
    expect(p.billingCode).toBe("XXE9");
    expect(p.placeholders).toContain("natGatewayPerHour");
  });

  test("a misspelt item or a negative price is refused, naming it", () => {
    expect(() => priceOverridesSchema.parse({ "us-west-2": { natPerGb: 0.045 } })).toThrow(/natPerGb/);
    expect(() => priceOverridesSchema.parse({ "us-west-2": { albPerHour: -1 } })).toThrow(/albPerHour/);
  });
});
