import { type CostExplorerClient, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import {
  CE_GROUPS,
  type CeCache,
  type CeDailyCost,
  ceCacheSchema,
  parseCostExplorerPages,
  parseDocument,
  type ResultsStore,
} from "@flowcost/core";

/** The cache of the last fetch (one document: a run needs one window). */
export const CE_CACHE_KEY = "state/cost-explorer/daily.json";

/** A fetch younger than this is reused: the data changes about once a day, each page costs $0.01. */
export const CE_CACHE_SECONDS = 6 * 3600;

/** Pages a run may request at most (a window of 15 days and 3 groups is one page in practice). */
const MAX_PAGES = 10;

export interface DailyNetworkCostsOptions {
  /** First day, inclusive, `YYYY-MM-DD`. */
  readonly start: string;
  /** Day after the last, exclusive (Cost Explorer's End). */
  readonly end: string;
  /** The Region whose costs are asked for (Cost Explorer itself answers from us-east-1). */
  readonly region: string;
  /** The run's time (the scheduled event's), Unix seconds: never an implicit now. */
  readonly now: number;
}

/**
 * Daily inter-AZ and NAT gateway costs from `GetCostAndUsage` (DAILY, UnblendedCost, grouped by
 * USAGE_TYPE_GROUP, filtered to the three groups and the Region), every page followed by
 * `NextPageToken`, cached in the results store's `state/` so that re-runs within
 * CE_CACHE_SECONDS cost nothing.
 */
export async function dailyNetworkCosts(
  client: Pick<CostExplorerClient, "send">,
  store: Pick<ResultsStore, "readDocument" | "writeDocument">,
  options: DailyNetworkCostsOptions,
): Promise<{ days: CeDailyCost[]; pages: number; cached: boolean }> {
  const text = await store.readDocument(CE_CACHE_KEY);
  const cache = text === undefined ? undefined : parseDocument(CE_CACHE_KEY, text, ceCacheSchema);
  if (
    cache &&
    cache.start === options.start &&
    cache.end === options.end &&
    options.now - cache.fetchedAt < CE_CACHE_SECONDS &&
    options.now >= cache.fetchedAt
  )
    return { days: cache.days, pages: 0, cached: true };

  const pages: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: options.start, End: options.end },
        Granularity: "DAILY",
        Metrics: ["UnblendedCost"],
        GroupBy: [{ Type: "DIMENSION", Key: "USAGE_TYPE_GROUP" }],
        Filter: {
          And: [
            { Dimensions: { Key: "USAGE_TYPE_GROUP", Values: Object.values(CE_GROUPS) } },
            { Dimensions: { Key: "REGION", Values: [options.region] } },
          ],
        },
        NextPageToken: token,
      }),
    );
    pages.push(page.ResultsByTime ?? []);
    token = page.NextPageToken;
  } while (token && pages.length < MAX_PAGES);
  if (token)
    throw new Error(`Cost Explorer: more than ${MAX_PAGES} pages for ${options.start}..${options.end}`);
  const days = parseCostExplorerPages(pages);
  const doc: CeCache = {
    version: 1,
    start: options.start,
    end: options.end,
    fetchedAt: options.now,
    pages: pages.length,
    days,
  };
  await store.writeDocument(CE_CACHE_KEY, `${JSON.stringify(doc)}\n`);
  return { days, pages: pages.length, cached: false };
}
