import {
  InvalidInputError,
  PriceListImporter,
  parsePriceListPreamble,
  splitPriceListLine,
} from "@flowcost/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { propertyOptions } from "./runs.ts";

/**
 * The AWS Price List CSV reader (`flowcost prices`): quoted fields come back exactly, any line
 * is split or refused (never a crash), and the importer given arbitrary rows either prices an
 * item from a row that names it or reports it missing, never a negative or non-number price.
 */
const field = fc.oneof(
  fc.string(),
  fc.constantFrom("", '"', '""', ",", '","', "0.0100000000", "Inf", "EUC1-NatGateway-Hours"),
);
const quote = (fields: ReadonlyArray<string>) => fields.map((f) => `"${f.replaceAll('"', '""')}"`).join(",");

const HEADER = [
  "SKU",
  "TermType",
  "StartingRange",
  "EndingRange",
  "Unit",
  "PricePerUnit",
  "Currency",
  "usageType",
  "operation",
  "Region Code",
];
const PREAMBLE = parsePriceListPreamble([
  quote(["FormatVersion", "v1.0"]),
  quote(["Disclaimer", "x"]),
  quote(["Publication Date", "2026-11-30T18:00:00Z"]),
  quote(["Version", "20261130180000"]),
  quote(["OfferCode", "AmazonEC2"]),
]);

describe("Price List CSV lines", () => {
  test("quoted fields, with commas and quotes inside, split back to the same fields", () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 12 }), (fields) => {
        expect(splitPriceListLine(quote(fields))).toEqual(fields);
      }),
      propertyOptions(),
    );
  });

  test("any line is split into fields or refused as broken quoting, never a crash", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('"', ",", "a", " ", "\\") }), (line) => {
        const fields = splitPriceListLine(line);
        if (fields !== undefined) expect(Array.isArray(fields)).toBe(true);
      }),
      propertyOptions(),
    );
  });

  test("arbitrary rows: each item is priced only from an on-demand USD row of the Region, with a non-negative number", () => {
    const row = fc.record({
      term: fc.constantFrom("OnDemand", "Reserved", ""),
      price: fc.oneof(fc.constantFrom("0.0450000000", "-1", "abc", "", "1e3"), fc.double().map(String)),
      currency: fc.constantFrom("USD", "CNY"),
      usage: fc.constantFrom(
        "EUC1-NatGateway-Hours",
        "EUC1-NatGateway-Bytes",
        "USE1-NatGateway-Hours",
        "NatGateway-Hours",
        "EUC1-LCUUsage",
        "x",
      ),
      region: fc.constantFrom("eu-central-1", "us-east-1", ""),
      width: fc.integer({ min: 0, max: 12 }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const importer = new PriceListImporter("eu-central-1");
        importer.startFile("AmazonEC2.csv", PREAMBLE, HEADER);
        for (const r of rows) {
          const fields = [
            "sku",
            r.term,
            "0",
            "Inf",
            "Hrs",
            r.price,
            r.currency,
            r.usage,
            "NatGateway",
            r.region,
          ].slice(0, r.width);
          try {
            importer.row(fields);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidInputError);
          }
        }
        const result = importer.finish();
        for (const p of result.found) {
          expect(p.usd).toBeGreaterThanOrEqual(0);
          expect(p.usageType.startsWith("EUC1-")).toBe(true);
        }
        expect(result.found.length + result.missing.length + result.ambiguous.length).toBe(10);
      }),
      propertyOptions(),
    );
  });
});
