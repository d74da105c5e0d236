import { priceOverridesSchema } from "@flowcost/core";
import { bucketNameProblem } from "./bucket-security";
import { isTimeZone } from "./publish-access";

/**
 * Deployment settings: where the user's flow logs and CUR export already live, which clusters to
 * snapshot. Bucket names and prefixes are not secrets, so they are plain environment variables
 * read once when `sst deploy` evaluates the config (docs/deploy.md lists them).
 */
export interface Settings {
  /** The account the deployment lives in (bucket names and ARNs use it). */
  readonly accountId: string;
  /**
   * The accounts whose flow logs the flow-log bucket holds (an Organization's central bucket holds
   * several: `AWSLogs/<account>/...`); the raw tables project them. Default: `accountId`.
   */
  readonly flowLogAccounts: ReadonlyArray<string>;
  /**
   * An Organization id (`o-…`) when the flow-log keys carry one (`AWSLogs/o-…/<account>/`),
   * so Athena's projection finds them; undefined for the usual `AWSLogs/<account>/`.
   */
  readonly flowLogOrganizationId: string | undefined;
  readonly flowLogBucket: string;
  /** Key prefix before `AWSLogs/`: empty, or ending in `/`. */
  readonly flowLogPrefix: string;
  /** The flow log's LogFormat (`${version} ${account-id} ...`): the text table's column order. */
  readonly flowLogFormat: string;
  /** Regions whose flow logs the raw table projects. */
  readonly regions: ReadonlyArray<string>;
  readonly curBucket: string;
  readonly curPrefix: string;
  readonly curExportName: string;
  /** EKS clusters the inventory snapshot job reads, one schedule each. */
  readonly clusters: ReadonlyArray<string>;
  /** Athena's per-query bytes-scanned cutoff for the workgroup. */
  readonly athenaBytesScannedCutoff: number;
  /**
   * FLOWCOST_PRICES: list-price overrides by Region, the JSON of `prices` in flowcost.config.json
   * (docs/pricing.md), checked here so a typo fails the deploy rather than the nightly job.
   */
  readonly prices: string | undefined;
  /** FLOWCOST_REPORT_TIMEZONE: the IANA zone the weekly report's Monday 08:00 is read in (default UTC). */
  readonly reportTimezone: string;
  /**
   * The publishing jobs' settings passed through as set (FLOWCOST_ALERT_*, FLOWCOST_API_URL,
   * FLOWCOST_REPORT_LINK_BASE); the jobs validate them at cold start (docs/deploy.md).
   */
  readonly publishEnvironment: Readonly<Record<string, string>>;
  /**
   * FLOWCOST_API_CORS_ORIGINS: browser origins allowed to call the HTTP API (comma-separated,
   * e.g. https://costs.example.com); empty, the default, means CORS is off.
   */
  readonly apiCorsOrigins: ReadonlyArray<string>;
}

const PUBLISH_SETTINGS = [
  "FLOWCOST_ALERT_MIN_INCREASE_USD",
  "FLOWCOST_ALERT_MIN_PERCENT",
  "FLOWCOST_ALERT_COOLDOWN_DAYS",
  "FLOWCOST_ALERT_ALL_CLEAR",
  "FLOWCOST_API_URL",
  "FLOWCOST_REPORT_LINK_BASE",
] as const;

/** flowcost's recommended custom format (v5 fields, the order the demo writes). */
export const RECOMMENDED_FLOW_LOG_FORMAT =
  "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} " +
  "${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} " +
  "${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${flow-direction} ${traffic-path}";

/** 100 GB: a day of compaction for a mid-size cluster scans far less; a runaway query stops here. */
const DEFAULT_BYTES_SCANNED_CUTOFF = 100 * 1024 ** 3;

function prefix(value: string | undefined): string {
  const trimmed = (value ?? "").replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

export function readSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`flowcost: set ${name} before deploying (see docs/deploy.md)`);
    return value;
  };
  const cutoff = Number(env.FLOWCOST_ATHENA_BYTES_SCANNED_CUTOFF ?? DEFAULT_BYTES_SCANNED_CUTOFF);
  // Athena's minimum cutoff is 10 MB.
  if (!Number.isInteger(cutoff) || cutoff < 10_000_000) {
    throw new Error("flowcost: FLOWCOST_ATHENA_BYTES_SCANNED_CUTOFF must be an integer >= 10000000");
  }
  const regions = list(env.FLOWCOST_REGIONS ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION);
  if (regions.length === 0)
    throw new Error("flowcost: set FLOWCOST_REGIONS (or AWS_REGION) before deploying");
  const accountId = required("FLOWCOST_ACCOUNT_ID");
  if (!/^\d{12}$/.test(accountId)) throw new Error("flowcost: FLOWCOST_ACCOUNT_ID must be 12 digits");
  const flowLogAccounts = list(env.FLOWCOST_FLOW_LOG_ACCOUNTS);
  const notAccounts = flowLogAccounts.filter((a) => !/^\d{12}$/.test(a));
  if (notAccounts.length > 0)
    throw new Error(
      `flowcost: FLOWCOST_FLOW_LOG_ACCOUNTS must list 12-digit account ids, comma-separated (not ${notAccounts.map((a) => JSON.stringify(a)).join(", ")})`,
    );
  const organizationId = env.FLOWCOST_FLOW_LOG_ORGANIZATION_ID?.trim() || undefined;
  // AWS Organizations' id pattern: o- and 10 to 32 lowercase letters or digits.
  if (organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(organizationId))
    throw new Error(
      `flowcost: FLOWCOST_FLOW_LOG_ORGANIZATION_ID must be an Organization id such as o-a1b2c3d4e5 (not ${JSON.stringify(organizationId)})`,
    );
  const corsOrigins = list(env.FLOWCOST_API_CORS_ORIGINS);
  const notOrigins = corsOrigins.filter((o) => !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(o));
  if (notOrigins.length > 0)
    throw new Error(
      `flowcost: FLOWCOST_API_CORS_ORIGINS must list origins such as https://costs.example.com, comma-separated (not ${notOrigins.map((o) => JSON.stringify(o)).join(", ")})`,
    );
  const bucket = (name: string): string => {
    const value = required(name);
    const problem = bucketNameProblem(value);
    if (problem) throw new Error(`flowcost: ${name} "${value}" is not an S3 bucket name: it ${problem}`);
    return value;
  };
  return {
    accountId,
    flowLogAccounts: flowLogAccounts.length > 0 ? [...new Set(flowLogAccounts)] : [accountId],
    flowLogOrganizationId: organizationId,
    flowLogBucket: bucket("FLOWCOST_FLOW_LOG_BUCKET"),
    flowLogPrefix: prefix(env.FLOWCOST_FLOW_LOG_PREFIX),
    flowLogFormat: env.FLOWCOST_FLOW_LOG_FORMAT?.trim() || RECOMMENDED_FLOW_LOG_FORMAT,
    regions,
    curBucket: bucket("FLOWCOST_CUR_BUCKET"),
    curPrefix: prefix(env.FLOWCOST_CUR_PREFIX),
    curExportName: required("FLOWCOST_CUR_EXPORT_NAME"),
    clusters: list(env.FLOWCOST_CLUSTERS),
    athenaBytesScannedCutoff: cutoff,
    prices: readPrices(env.FLOWCOST_PRICES),
    reportTimezone: readTimeZone(env.FLOWCOST_REPORT_TIMEZONE),
    publishEnvironment: Object.fromEntries(
      PUBLISH_SETTINGS.flatMap((name) => (env[name]?.trim() ? [[name, env[name]?.trim() as string]] : [])),
    ),
    apiCorsOrigins: [...new Set(corsOrigins)],
  };
}

function readTimeZone(value: string | undefined): string {
  const zone = value?.trim() || "UTC";
  if (!isTimeZone(zone))
    throw new Error(
      `flowcost: FLOWCOST_REPORT_TIMEZONE must be an IANA time zone such as Europe/Berlin, not "${zone}"`,
    );
  return zone;
}

function readPrices(value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error('flowcost: FLOWCOST_PRICES must be JSON such as {"us-west-2":{"natGatewayPerGb":0.045}}');
  }
  const parsed = priceOverridesSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `flowcost: FLOWCOST_PRICES: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return JSON.stringify(parsed.data);
}
