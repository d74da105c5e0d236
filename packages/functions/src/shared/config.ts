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

/**
 * The config of the jobs that only read results and publish (weekly report, regressions): no
 * Athena catalog (they are not granted it), the lake bucket by name, the alert settings and the
 * Slack webhook secret.
 */
const PublishConfigSchema = z.object({
  lakeBucket: z.string().min(3).max(63),
  region: z.string().min(1),
  /** Regression alerts (docs/deploy.md): thresholds, cooldown, the API's URL for links. */
  alerts: z.object({
    minIncreaseUsd: z.coerce.number().nonnegative().default(5),
    minPercent: z.coerce.number().nonnegative().default(25),
    cooldownDays: z.coerce.number().int().nonnegative().default(3),
    allClear: z.stringbool().default(false),
    apiUrl: z.url().optional(),
  }),
  /** Where a posted weekly report links to; default the S3 console's page of the object. */
  reportLinkBase: z.url().optional(),
  /** The Slack incoming webhook (SST Secret SlackWebhookUrl); absent or "none": nothing is posted. */
  slackWebhookUrl: z.string().optional(),
});

export type PublishConfig = Readonly<z.infer<typeof PublishConfigSchema>>;

/** Where each key comes from, so an error names what to set. */
const SOURCES: Record<string, string> = {
  catalog: "Resource.FlowcostCatalog (link the catalog in infra/jobs.ts)",
  region: "AWS_REGION",
  flowLogSource: "FLOWCOST_FLOW_LOG_SOURCE",
  queryTimeoutMs: "FLOWCOST_QUERY_TIMEOUT_MS",
  queriesDir: "FLOWCOST_QUERIES_DIR",
  prices: "FLOWCOST_PRICES",
  lakeBucket: "FLOWCOST_LAKE_BUCKET",
  alerts: "FLOWCOST_ALERT_*",
  reportLinkBase: "FLOWCOST_REPORT_LINK_BASE",
  slackWebhookUrl: "Resource.SlackWebhookUrl (sst secret set SlackWebhookUrl <url>)",
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
  if (head === "alerts" && rest.length > 0) return ALERT_ENV[rest[0] ?? ""] ?? "FLOWCOST_ALERT_*";
  return SOURCES[head ?? ""] ?? path.join(".");
}

const ALERT_ENV: Record<string, string> = {
  minIncreaseUsd: "FLOWCOST_ALERT_MIN_INCREASE_USD",
  minPercent: "FLOWCOST_ALERT_MIN_PERCENT",
  cooldownDays: "FLOWCOST_ALERT_COOLDOWN_DAYS",
  allClear: "FLOWCOST_ALERT_ALL_CLEAR",
  apiUrl: "FLOWCOST_API_URL",
};

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
  if (!result.success) throw configError(result.error);
  return Object.freeze({ ...result.data, catalog: Object.freeze({ ...result.data.catalog }) });
}

/** Names each bad key and what to set; never echoes a value (the webhook URL is a secret). */
function configError(error: z.ZodError): ConfigError {
  const problems = error.issues.map((issue) => {
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    return `${keyName(issue.path)}: ${missing ? "missing" : issue.message}`;
  });
  return new ConfigError(`invalid flowcost configuration: ${problems.join("; ")}`);
}

/** The publishing jobs' config from explicit inputs; tests call this, handlers `publishConfig()`. */
export function parsePublishConfig(
  links: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): PublishConfig {
  const result = PublishConfigSchema.safeParse({
    lakeBucket: env.FLOWCOST_LAKE_BUCKET,
    region: env.AWS_REGION,
    alerts: {
      minIncreaseUsd: env.FLOWCOST_ALERT_MIN_INCREASE_USD || undefined,
      minPercent: env.FLOWCOST_ALERT_MIN_PERCENT || undefined,
      cooldownDays: env.FLOWCOST_ALERT_COOLDOWN_DAYS || undefined,
      allClear: env.FLOWCOST_ALERT_ALL_CLEAR || undefined,
      apiUrl: env.FLOWCOST_API_URL || undefined,
    },
    reportLinkBase: env.FLOWCOST_REPORT_LINK_BASE || undefined,
    slackWebhookUrl: secretValue(links.SlackWebhookUrl),
  });
  if (!result.success) throw configError(result.error);
  return Object.freeze({ ...result.data, alerts: Object.freeze({ ...result.data.alerts }) });
}

/** An `sst.Secret` link's value (`{ value }`); "none" or empty means not configured. */
function secretValue(link: unknown): string | undefined {
  const value =
    typeof link === "object" && link !== null && "value" in link && typeof link.value === "string"
      ? link.value.trim()
      : undefined;
  return value === undefined || value === "" || value === "none" ? undefined : value;
}

function linkedResources(): Record<string, unknown> {
  // `Resource` throws on an unlinked name; `in` asks without throwing. Its static type only knows
  // links from a generated sst-env.d.ts, and zod checks the value anyway.
  const links = Resource as unknown as Record<string, unknown>;
  return Object.fromEntries(
    ["FlowcostCatalog", "SlackWebhookUrl"].filter((name) => name in links).map((name) => [name, links[name]]),
  );
}

let parsed: Config | undefined;
let parsedPublish: PublishConfig | undefined;

/** The publishing jobs' config, parsed once per cold start. */
export function publishConfig(): PublishConfig {
  parsedPublish ??= parsePublishConfig(linkedResources(), process.env);
  return parsedPublish;
}

/** The config, parsed on the first call of a cold start and reused by every invocation after. */
export function config(): Config {
  parsed ??= parseConfig(linkedResources(), process.env);
  return parsed;
}

/**
 * The API function's configuration: only the lake bucket it reads results from (no catalog link,
 * so the API holds no Athena or Glue rights) and how long it reuses a listing.
 */
const ApiConfigSchema = z.object({
  lakeBucket: z.string().min(3).max(63),
  cacheTtlMs: z.coerce.number().int().nonnegative(),
});
export type ApiConfig = Readonly<z.infer<typeof ApiConfigSchema>>;

const API_SOURCES: Record<string, string> = {
  lakeBucket: "FLOWCOST_LAKE_BUCKET",
  cacheTtlMs: "FLOWCOST_API_CACHE_TTL_MS",
};

export function parseApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const result = ApiConfigSchema.safeParse({
    lakeBucket: env.FLOWCOST_LAKE_BUCKET,
    cacheTtlMs: env.FLOWCOST_API_CACHE_TTL_MS ?? 60_000,
  });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = API_SOURCES[String(issue.path[0])] ?? issue.path.join(".");
      return `${name}: ${issue.code === "invalid_type" && issue.input === undefined ? "missing" : issue.message}`;
    });
    throw new ConfigError(`invalid flowcost API configuration: ${problems.join("; ")}`);
  }
  return Object.freeze(result.data);
}

let parsedApi: ApiConfig | undefined;

/** The API config, parsed once per cold start. */
export function apiConfig(): ApiConfig {
  parsedApi ??= parseApiConfig(process.env);
  return parsedApi;
}
