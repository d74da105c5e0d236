import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage, InvalidInputError, type PriceOverrides, priceOverridesSchema } from "@flowcost/core";
import { z } from "zod";

/** The file flowcost reads from the analysed folder when `--config` is not given. */
export const LAKE_CONFIG_FILE = "flowcost.config.json";

/**
 * flowcost.config.json: for now list-price overrides by Region (docs/pricing.md), e.g.
 * `{ "prices": { "us-west-2": { "natGatewayPerGb": 0.045 } } }`.
 */
export const configSchema = z
  .object({
    $schema: z.string().optional(),
    prices: priceOverridesSchema.optional(),
  })
  .strict();

export interface FlowcostConfig {
  /** Where it was read from, or null when there is none. */
  readonly file: string | null;
  readonly prices: PriceOverrides;
}

/** `--config <file>`, else `<folder>/flowcost.config.json` if present; a bad file is bad input, named. */
export async function loadConfig(folder: string, explicit?: string): Promise<FlowcostConfig> {
  const file = explicit ?? join(folder, LAKE_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (explicit === undefined && (error as NodeJS.ErrnoException).code === "ENOENT")
      return { file: null, prices: {} };
    throw new InvalidInputError(`${file}: cannot read the configuration: ${errorMessage(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${file}: not JSON: ${errorMessage(error)}`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidInputError(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`,
    );
  return { file, prices: parsed.data.prices ?? {} };
}
