import { priceOverridesSchema } from "@flowcost/core";
import { Resource } from "sst";
import { z } from "zod";

/**
 * The one configuration object, from SST links (`Resource.*`) and the environment, validated
 * once and frozen (style.md §3.4). Nothing else in the functions reads `process.env`.
 */
const ConfigSchema = z.object({
  catalog: z.object({
    database: z.string().min(1),
    workGroup: z.string().min(1),
    lakeBucket: z.string().min(3).max(63),
  }),
  region: z.string().min(1),
  /** Names the flow-log source in state keys (`state/compact-flows/<source>.json`). */
  flowLogSource: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  queryTimeoutMs: z.coerce.number().int().positive(),
  queriesDir: z.string().min(1).optional(),
  /** List-price overrides by Region (docs/pricing.md); JSON in FLOWCOST_PRICES. */
  prices: priceOverridesSchema.default({}),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** Where each key comes from, so an error names what to set. */
const SOURCES: Record<string, string> = {
  catalog: "Resource.FlowcostCatalog (link the catalog in infra/jobs.ts)",
  region: "AWS_REGION",
  flowLogSource: "FLOWCOST_FLOW_LOG_SOURCE",
  queryTimeoutMs: "FLOWCOST_QUERY_TIMEOUT_MS",
  queriesDir: "FLOWCOST_QUERIES_DIR",
  prices: "FLOWCOST_PRICES",
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function keyName(path: ReadonlyArray<PropertyKey>): string {
  const [head, ...rest] = path.map(String);
  if (head === "catalog" && rest.length > 0)
    return `Resource.FlowcostCatalog${rest.map((p) => `.${p}`).join("")}`;
  return SOURCES[head ?? ""] ?? path.join(".");
}

/** A JSON setting: parsed when it is JSON, else the text itself, which the schema then refuses by name. */
function jsonOrText(value: string | undefined): unknown {
  if (value === undefined || value.trim() === "") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Builds the config from explicit inputs; tests call this, handlers call `config()`. */
export function parseConfig(
  links: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): Config {
  const result = ConfigSchema.safeParse({
    catalog: links.FlowcostCatalog,
    region: env.AWS_REGION,
    flowLogSource: env.FLOWCOST_FLOW_LOG_SOURCE ?? "default",
    queryTimeoutMs: env.FLOWCOST_QUERY_TIMEOUT_MS ?? 600_000,
    queriesDir: env.FLOWCOST_QUERIES_DIR,
    prices: jsonOrText(env.FLOWCOST_PRICES),
  });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const missing = issue.code === "invalid_type" && issue.input === undefined;
      return `${keyName(issue.path)}: ${missing ? "missing" : issue.message}`;
    });
    throw new ConfigError(`invalid flowcost configuration: ${problems.join("; ")}`);
  }
  return Object.freeze({ ...result.data, catalog: Object.freeze({ ...result.data.catalog }) });
}

function linkedResources(): Record<string, unknown> {
  // `Resource` throws on an unlinked name; `in` asks without throwing. Its static type only knows
  // links from a generated sst-env.d.ts, and zod checks the value anyway.
  const links = Resource as unknown as Record<string, unknown>;
  return "FlowcostCatalog" in links ? { FlowcostCatalog: links.FlowcostCatalog } : {};
}

let parsed: Config | undefined;

/** The config, parsed on the first call of a cold start and reused by every invocation after. */
export function config(): Config {
  parsed ??= parseConfig(linkedResources(), process.env);
  return parsed;
}
