import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  COMMERCIAL_REGIONS,
  isCommercialRegion,
  type PriceListImport,
  type PriceOverrides,
} from "@flowcost/core";
import { defineCommand, EXIT, UsageError } from "../command.ts";
import { loadConfig } from "../config.ts";
import { pathKind, stringOption } from "../options.ts";
import { importPriceLists } from "../price-list-files.ts";

const FORMATS = ["table", "json"] as const;

export const pricesCommand = defineCommand({
  name: "prices",
  synopsis: "<index.csv>... --region <region> [options]",
  summary: "read a Region's list prices from AWS Price List files into the configuration",
  details: [
    "Reads AWS Price List bulk files in CSV form for one Region and prints the prices flowcost",
    "uses, each with its usage type and offer version. Download, for the Region:",
    "  https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/<region>/index.csv",
    "  (the same for AWSELB and AmazonVPC). AmazonEC2 gives inter-AZ, NAT gateway and internet",
    "egress; AWSELB the ALB and NLB hours and LCUs; AmazonVPC the interface endpoints.",
    "With --write, the prices go under prices.<region> in that configuration file (created, or",
    "merged into: other Regions and settings are kept), which `flowcost analyze --config` reads.",
  ].join("\n"),
  options: {
    region: { type: "string", value: "<region>", help: "the Region the files are for, e.g. eu-central-1" },
    write: {
      type: "string",
      value: "<file>",
      help: "merge the prices into this flowcost.config.json (created if missing)",
    },
    format: {
      type: "string",
      value: "table|json",
      help: "table (default) or json: what was found, with sources",
    },
  },
  parse(values, positionals) {
    if (positionals.length === 0)
      throw new UsageError(
        "prices needs at least one Price List file: flowcost prices <index.csv>... --region <region>",
      );
    const files = positionals.map((p) => resolve(p));
    for (const [i, file] of files.entries())
      if (pathKind(file) !== "file") throw new UsageError(`${positionals[i]}: no such file`);
    const region = stringOption(values, "region");
    if (region === undefined)
      throw new UsageError("--region is needed: the Region the files are for, e.g. eu-central-1");
    if (!isCommercialRegion(region))
      throw new UsageError(
        `--region ${region} is not a commercial AWS Region; one of ${Object.keys(COMMERCIAL_REGIONS).join(", ")}`,
      );
    const write = stringOption(values, "write");
    if (write !== undefined) {
      if (pathKind(resolve(write)) === "folder")
        throw new UsageError(`--write ${write}: is a folder; give a file name`);
      if (pathKind(dirname(resolve(write))) !== "folder")
        throw new UsageError(`--write ${write}: its folder does not exist`);
    }
    const format = stringOption(values, "format") ?? "table";
    if (!(FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format must be table or json, not "${format}"`);
    return {
      files,
      region,
      write: write === undefined ? undefined : resolve(write),
      format: format as (typeof FORMATS)[number],
    };
  },
  async run(options, io) {
    const result = await importPriceLists(options.region, options.files);
    if (result.found.length === 0) {
      io.err.write(
        `flowcost: no price for ${options.region} in ${options.files.join(", ")}: are they the Region's AmazonEC2, AWSELB or AmazonVPC index.csv?\n`,
      );
      return EXIT.badInput;
    }
    if (options.write !== undefined) await mergeIntoConfig(options.write, result);
    io.out.write(options.format === "json" ? `${JSON.stringify(result, null, 2)}\n` : renderImport(result));
    if (options.write !== undefined)
      io.err.write(`Wrote ${result.found.length} prices under prices.${result.region} in ${options.write}\n`);
    return EXIT.ok;
  },
});

/** Keeps everything else in the file; the Region's items found replace the same items only. */
async function mergeIntoConfig(file: string, result: PriceListImport): Promise<void> {
  const exists = pathKind(file) === "file";
  // loadConfig refuses a file that is not a valid configuration before anything is written.
  const existing: { prices: PriceOverrides } = exists
    ? await loadConfig(dirname(file), file)
    : { prices: {} };
  const raw = exists ? (JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>) : {};
  const prices = {
    ...existing.prices,
    [result.region]: { ...existing.prices[result.region], ...result.overrides },
  };
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ ...raw, prices }, null, 2)}\n`);
  await rename(temporary, file);
}

function renderImport(result: PriceListImport): string {
  const rows = result.found.map((p) => [
    p.item,
    String(p.usd),
    p.unit,
    p.usageType + (p.operation ? ` ${p.operation}` : ""),
    p.effectiveDate.slice(0, 10),
  ]);
  const head = ["item", "USD", "unit", "usage type", "effective"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()}\n`;
  const sources = [...new Set(result.found.map((p) => p.source))];
  let text = `List prices for ${result.region} from:\n${sources.map((s) => `  ${s}\n`).join("")}\n`;
  text += line(head) + rows.map(line).join("");
  const egress = result.overrides.internetEgressTiers;
  if (egress)
    text += `\nInternet egress bands: ${egress.map((t) => `$${t.perGb}/GB up to ${t.upToTb === null ? "any volume" : `${t.upToTb} TB`}`).join(", ")}\n`;
  if (result.missing.length > 0)
    text += `\nNot in these files (the table's value stays): ${result.missing.join(", ")}\n`;
  for (const a of result.ambiguous)
    text += `\nNot imported, rows disagree: ${a.item} (${a.values.join(", ")} USD)\n`;
  return text;
}
