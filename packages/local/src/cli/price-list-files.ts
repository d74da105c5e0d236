import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import {
  errorMessage,
  InvalidInputError,
  mightHoldPrice,
  type PriceListImport,
  PriceListImporter,
  parsePriceListPreamble,
  splitPriceListLine,
} from "@flowcost/core";

/** Preamble lines before the header row in every Price List CSV. */
const PREAMBLE_LINES = 5;

/**
 * Reads one Region's prices from AWS Price List CSV files, a line at a time (AmazonEC2's file for
 * one Region is hundreds of MB). A file that is not a Price List, or a broken row, is bad input
 * named by file and line.
 */
export async function importPriceLists(
  region: string,
  files: ReadonlyArray<string>,
): Promise<PriceListImport> {
  const importer = new PriceListImporter(region);
  for (const file of files) await readPriceList(importer, file);
  return importer.finish();
}

async function readPriceList(importer: PriceListImporter, file: string): Promise<void> {
  const lines = createInterface({
    input: createReadStream(file, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const preamble: string[] = [];
  let lineNo = 0;
  let started = false;
  try {
    for await (const line of lines) {
      lineNo++;
      if (lineNo === 1 && line.trimStart().startsWith("{"))
        throw new InvalidInputError(
          "a Price List JSON file: give the same offer's index.csv (same URL, ending index.csv), which flowcost reads a line at a time",
        );
      if (lineNo <= PREAMBLE_LINES) {
        preamble.push(line);
        continue;
      }
      if (!started) {
        const header = splitPriceListLine(line);
        if (!header) throw new InvalidInputError(`line ${lineNo}: the header row's quoting is broken`);
        importer.startFile(file, parsePriceListPreamble(preamble), header);
        started = true;
        continue;
      }
      if (line === "" || !mightHoldPrice(line)) continue;
      const fields = splitPriceListLine(line);
      if (!fields || !importer.row(fields))
        throw new InvalidInputError(
          `line ${lineNo}: not a row of the header's columns, or a price that is not a number`,
        );
    }
    if (!started) parsePriceListPreamble(preamble);
    if (!started) throw new InvalidInputError("no header row after the preamble");
  } catch (error) {
    if (error instanceof InvalidInputError)
      throw new InvalidInputError(`${file}: ${error.message}`, { cause: error });
    throw new InvalidInputError(`${file}: cannot read it: ${errorMessage(error)}`, { cause: error });
  } finally {
    lines.close();
  }
}
