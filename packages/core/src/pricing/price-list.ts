import { InvalidInputError } from "../errors.ts";
import { PRICE_ITEMS, type PriceItem } from "./list-prices.ts";
import type { RegionPriceOverride } from "./prices.ts";
import { COMMERCIAL_REGIONS, isCommercialRegion } from "./regions.ts";

/**
 * Reads list prices out of the AWS Price List bulk files, so the Regions whose prices are
 * stand-ins (docs/pricing.md) can be filled from AWS's own numbers on a machine that reaches
 * `pricing.us-east-1.amazonaws.com`. The CSV form is read (`.../offers/v1.0/aws/<offer>/current/
 * <region>/index.csv`): five preamble lines (`"FormatVersion","v1.0"`, Disclaimer, Publication
 * Date, Version, OfferCode), then a header row naming the columns, then one row per price
 * dimension. The JSON form of AmazonEC2 is hundreds of MB per Region; the CSV streams a line at a
 * time.
 *
 * Which usage type is which item: aws-facts.md §4.2 (the same names the CUR bills).
 */

/** Where each price item is in the Price List: offer, usage type without the billing code, operation. */
export const PRICE_LIST_ITEMS: Readonly<
  Record<PriceItem, { readonly offer: string; readonly usageType: string; readonly operation?: string }>
> = {
  interAzPerGbEachDirection: { offer: "AmazonEC2", usageType: "DataTransfer-Regional-Bytes" },
  natGatewayPerHour: { offer: "AmazonEC2", usageType: "NatGateway-Hours" },
  natGatewayPerGb: { offer: "AmazonEC2", usageType: "NatGateway-Bytes" },
  albPerHour: { offer: "AWSELB", usageType: "LoadBalancerUsage", operation: "LoadBalancing:Application" },
  albPerLcuHour: { offer: "AWSELB", usageType: "LCUUsage", operation: "LoadBalancing:Application" },
  nlbPerHour: { offer: "AWSELB", usageType: "LoadBalancerUsage", operation: "LoadBalancing:Network" },
  nlbPerLcuHour: { offer: "AWSELB", usageType: "LCUUsage", operation: "LoadBalancing:Network" },
  interfaceEndpointPerAzHour: { offer: "AmazonVPC", usageType: "VpcEndpoint-Hours" },
  interfaceEndpointPerGb: { offer: "AmazonVPC", usageType: "VpcEndpoint-Bytes" },
};

/** Internet egress: tiered by the month's volume (StartingRange/EndingRange in GB). */
export const PRICE_LIST_EGRESS = { offer: "AmazonEC2", usageType: "DataTransfer-Out-Bytes" } as const;

export type ImportedItem = PriceItem | "internetEgressTiers";

/** The preamble's facts, which every imported price cites. */
export interface PriceListPreamble {
  readonly offerCode: string;
  readonly version: string;
  readonly publicationDate: string;
}

export interface ImportedPrice {
  readonly item: ImportedItem;
  /** The item's price; for egress, the first paid band's. */
  readonly usd: number;
  readonly usageType: string;
  readonly operation: string;
  readonly unit: string;
  readonly effectiveDate: string;
  /** `AWS Price List AWSELB 20260911124544 (file)`. */
  readonly source: string;
}

export interface PriceListImport {
  readonly region: string;
  /** What goes under `prices.<region>` in flowcost.config.json (only the items found unambiguously). */
  readonly overrides: RegionPriceOverride;
  readonly found: ReadonlyArray<ImportedPrice>;
  /** Items no row of the files priced (e.g. the offer's file was not given). */
  readonly missing: ReadonlyArray<ImportedItem>;
  /** Items priced by rows that disagree: not imported, with the values seen. */
  readonly ambiguous: ReadonlyArray<{ readonly item: ImportedItem; readonly values: ReadonlyArray<number> }>;
}

const ITEM_NAMES: ReadonlyArray<ImportedItem> = [...PRICE_ITEMS, "internetEgressTiers"];

/** A cheap test before parsing a line: can it be one of the rows flowcost reads? */
export function mightHoldPrice(line: string): boolean {
  return (
    line.includes("DataTransfer-") ||
    line.includes("NatGateway-") ||
    line.includes("LoadBalancerUsage") ||
    line.includes("LCUUsage") ||
    line.includes("VpcEndpoint-")
  );
}

/**
 * Splits one CSV line of a Price List file (every field quoted, `""` for a quote inside a field);
 * undefined when the quoting is broken.
 */
export function splitPriceListLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return undefined;
        value += line.slice(j, q);
        if (line[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      fields.push(value);
      if (j === line.length) return fields;
      if (line[j] !== ",") return undefined;
      i = j + 1;
    } else {
      const comma = line.indexOf(",", i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
  return fields;
}

/** Reads the five preamble lines; throws naming what is wrong (the caller names the file). */
export function parsePriceListPreamble(lines: ReadonlyArray<string>): PriceListPreamble {
  const pairs = new Map<string, string>();
  for (const line of lines) {
    const fields = splitPriceListLine(line);
    if (fields?.length === 2 && fields[0] !== undefined && fields[1] !== undefined)
      pairs.set(fields[0], fields[1]);
  }
  if (pairs.get("FormatVersion") !== "v1.0" || !pairs.get("OfferCode") || !pairs.get("Version"))
    throw new InvalidInputError(
      'not an AWS Price List CSV file: it must start with "FormatVersion","v1.0", Disclaimer, Publication Date, Version and OfferCode lines (give the offer\'s index.csv)',
    );
  return {
    offerCode: pairs.get("OfferCode") ?? "",
    version: pairs.get("Version") ?? "",
    publicationDate: pairs.get("Publication Date") ?? "",
  };
}

/** Column names vary in spelling across offers (`usageType`, `Usage Type`): compare them folded. */
const fold = (name: string) => name.toLowerCase().replace(/[^a-z]/g, "");

interface Candidate {
  readonly usd: number;
  readonly start: number;
  readonly end: number | null;
  readonly usageType: string;
  readonly operation: string;
  readonly unit: string;
  readonly effectiveDate: string;
  readonly source: string;
}

/**
 * Collects one Region's prices from the rows of one or more Price List files (AmazonEC2, AWSELB,
 * AmazonVPC). Only on-demand USD prices in the Region itself count: reserved terms, Local Zones,
 * Outposts and Wavelength rows have other usage types or location types and are left out.
 */
export class PriceListImporter {
  readonly region: string;
  readonly #billingCode: string;
  readonly #candidates = new Map<ImportedItem, Candidate[]>();
  #columns: Map<string, number> = new Map();
  #source = "";
  #offer = "";

  constructor(region: string) {
    if (!isCommercialRegion(region))
      throw new InvalidInputError(`${region} is not a commercial AWS Region flowcost knows`);
    this.region = region;
    this.#billingCode = COMMERCIAL_REGIONS[region];
  }

  /** Starts a file: its preamble and header row (the column names). */
  startFile(file: string, preamble: PriceListPreamble, header: ReadonlyArray<string>): void {
    this.#columns = new Map(header.map((name, i) => [fold(name), i]));
    for (const needed of ["termtype", "priceperunit", "currency", "usagetype"])
      if (!this.#columns.has(needed))
        throw new InvalidInputError(`the header row has no ${needed} column: not a Price List CSV`);
    this.#offer = preamble.offerCode;
    this.#source = `AWS Price List ${preamble.offerCode} ${preamble.version} (${file})`;
  }

  /** One data row; returns false when the row has the wrong number of fields. */
  row(fields: ReadonlyArray<string>): boolean {
    if (fields.length < this.#columns.size) return false;
    const get = (name: string) => {
      const i = this.#columns.get(name);
      return i === undefined ? "" : (fields[i] ?? "");
    };
    if (get("termtype") !== "OnDemand" || get("currency") !== "USD") return true;
    const locationType = get("locationtype");
    if (locationType !== "" && locationType !== "AWS Region") return true;
    const regionCode = get("regioncode");
    if (regionCode !== "" && regionCode !== this.region) return true;
    const item = this.#itemOf(get("usagetype"), get("operation"));
    if (item === undefined) return true;
    const usd = Number(get("priceperunit"));
    const start = Number(get("startingrange") || "0");
    const endText = get("endingrange");
    if (!Number.isFinite(usd) || usd < 0) return false;
    const list = this.#candidates.get(item) ?? [];
    list.push({
      usd,
      start,
      end: endText === "" || endText === "Inf" ? null : Number(endText),
      usageType: get("usagetype"),
      operation: get("operation"),
      unit: get("unit"),
      effectiveDate: get("effectivedate"),
      source: this.#source,
    });
    this.#candidates.set(item, list);
    return true;
  }

  #itemOf(usageType: string, operation: string): ImportedItem | undefined {
    // us-east-1's usage types are often bare (`NatGateway-Hours`); every other Region's carry its code.
    const bare = usageType.startsWith(`${this.#billingCode}-`)
      ? usageType.slice(this.#billingCode.length + 1)
      : this.#billingCode === "USE1"
        ? usageType
        : undefined;
    if (bare === undefined) return undefined;
    if (this.#offer === PRICE_LIST_EGRESS.offer && bare === PRICE_LIST_EGRESS.usageType)
      return "internetEgressTiers";
    for (const item of PRICE_ITEMS) {
      const where = PRICE_LIST_ITEMS[item];
      if (
        where.offer === this.#offer &&
        where.usageType === bare &&
        (where.operation ?? operation) === operation
      )
        return item;
    }
    return undefined;
  }

  finish(): PriceListImport {
    const overrides: Record<string, unknown> = {};
    const found: ImportedPrice[] = [];
    const missing: ImportedItem[] = [];
    const ambiguous: { item: ImportedItem; values: number[] }[] = [];
    for (const item of ITEM_NAMES) {
      const rows = this.#candidates.get(item) ?? [];
      if (rows.length === 0) {
        missing.push(item);
        continue;
      }
      if (item === "internetEgressTiers") {
        const tiers = egressTiers(rows);
        if (tiers === undefined) {
          ambiguous.push({ item, values: distinct(rows.map((r) => r.usd)) });
          continue;
        }
        overrides.internetEgressTiers = tiers.map((t) => ({ upToTb: t.upToTb, perGb: t.perGb }));
        const first = tiers[0];
        if (first) found.push(cite(item, first.row));
        continue;
      }
      // Tiered per-GB items (interface endpoint bytes) are priced at their first band, as the
      // table's values are: a day cannot tell where the month's volume stands.
      const lowest = Math.min(...rows.map((r) => r.start));
      const firstBand = rows.filter((r) => r.start === lowest);
      const values = distinct(firstBand.map((r) => r.usd));
      const row = firstBand[0];
      if (values.length !== 1 || row === undefined) {
        ambiguous.push({ item, values });
        continue;
      }
      overrides[item] = row.usd;
      found.push(cite(item, row));
    }
    return { region: this.region, overrides: overrides as RegionPriceOverride, found, missing, ambiguous };
  }
}

const distinct = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

const cite = (item: ImportedItem, row: Candidate): ImportedPrice => ({
  item,
  usd: row.usd,
  usageType: row.usageType,
  operation: row.operation,
  unit: row.unit,
  effectiveDate: row.effectiveDate,
  source: row.source,
});

/**
 * Egress bands from the rows, cheapest last, as `upToTb` (GB / 1024: AWS's bands end at 10,240,
 * 51,200 and 153,600 GB). A free band at the start (older lists price the first GB at $0) is left
 * out: the table's bands are the paid ones, and the free allowance is account-wide, not the
 * Region's. Undefined when two rows price the same band differently.
 */
function egressTiers(
  rows: ReadonlyArray<Candidate>,
): Array<{ upToTb: number | null; perGb: number; row: Candidate }> | undefined {
  const byStart = new Map<number, Candidate>();
  for (const row of rows) {
    const seen = byStart.get(row.start);
    if (seen && (seen.usd !== row.usd || seen.end !== row.end)) return undefined;
    byStart.set(row.start, row);
  }
  const bands = [...byStart.values()].sort((a, b) => a.start - b.start);
  while (bands.length > 1 && bands[0]?.usd === 0) bands.shift();
  return bands.map((row) => ({ upToTb: row.end === null ? null : row.end / 1024, perGb: row.usd, row }));
}
