import { CostExplorerClient, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import { type AttributedRow, addDays } from "@flowcost/core";
import type { SlackWebhookClient } from "@flowcost/publish";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";
import { CE_CACHE_KEY, dailyNetworkCosts } from "../../../packages/functions/src/adapters/cost-explorer.ts";
import {
  CROSS_CHECK_KEY,
  regressionsDay,
  regressionsJob,
} from "../../../packages/functions/src/jobs/regressions.ts";
import {
  reportLink,
  reportWeek,
  weeklyReportJob,
} from "../../../packages/functions/src/jobs/weekly-report.ts";
import { crossAzDay, exporterRow } from "../../support/day-summaries.ts";
import { memoryStore } from "../../support/memory-store.ts";

const ce = mockClient(CostExplorerClient);
beforeEach(() => ce.reset());

const day = (dt: string, usd: number, extra: AttributedRow[] = []) =>
  crossAzDay(dt, { usdPerSide: usd, extra });

/** One day of a Cost Explorer answer, its groups' UnblendedCost. */
const ceDay = (dt: string, groups: Record<string, number>) => ({
  TimePeriod: { Start: dt, End: addDays(dt, 1) },
  Estimated: false,
  Groups: Object.entries(groups).map(([k, v]) => ({
    Keys: [k],
    Metrics: { UnblendedCost: { Amount: String(v), Unit: "USD" } },
  })),
});
/** A Cost Explorer page: one day's groups. */
const page = (dt: string, groups: Record<string, number>, token?: string) => ({
  ResultsByTime: [ceDay(dt, groups)],
  NextPageToken: token,
});

describe("Cost Explorer: GetCostAndUsage DAILY by usage type group, paged, cached", () => {
  test("follows NextPageToken over several pages, sums a day split across pages, caches the result", async () => {
    const { store, docs } = memoryStore();
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce(page("2026-11-20", { "EC2: Data Transfer - Inter AZ": 10 }, "t1"))
      .resolvesOnce(
        page(
          "2026-11-21",
          { "EC2: Data Transfer - Inter AZ": 12, "EC2: NAT Gateway - Data Processed": 3 },
          "t2",
        ),
      )
      .resolvesOnce(
        page("2026-11-21", { "EC2: NAT Gateway - Running Hours": 1.08, "EC2: Data Transfer - Inter AZ": 1 }),
      );
    const options = { start: "2026-11-20", end: "2026-11-22", region: "us-east-1", now: 1_800_000_000 };
    const first = await dailyNetworkCosts(ce as unknown as CostExplorerClient, store, options);
    expect(first.pages).toBe(3);
    expect(first.days).toEqual([
      { dt: "2026-11-20", group: "interAz", usd: 10, estimated: false },
      { dt: "2026-11-21", group: "interAz", usd: 13, estimated: false },
      { dt: "2026-11-21", group: "natHours", usd: 1.08, estimated: false },
      { dt: "2026-11-21", group: "natProcessed", usd: 3, estimated: false },
    ]);
    const calls = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.NextPageToken)).toEqual([undefined, "t1", "t2"]);
    expect(calls[0]).toMatchObject({
      Granularity: "DAILY",
      TimePeriod: { Start: "2026-11-20", End: "2026-11-22" },
      GroupBy: [{ Type: "DIMENSION", Key: "USAGE_TYPE_GROUP" }],
      Metrics: ["UnblendedCost"],
    });
    expect(JSON.parse(docs.get(CE_CACHE_KEY) ?? "{}")).toMatchObject({ pages: 3, fetchedAt: 1_800_000_000 });

    // Within six hours the cache answers: no request, no cost.
    const again = await dailyNetworkCosts(ce as unknown as CostExplorerClient, store, {
      ...options,
      now: 1_800_000_000 + 3600,
    });
    expect(again).toMatchObject({ cached: true, pages: 0 });
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(3);
    // Later, or for another window, it asks again.
    ce.on(GetCostAndUsageCommand).resolves(page("2026-11-21", { "EC2: Data Transfer - Inter AZ": 13 }));
    expect(
      (
        await dailyNetworkCosts(ce as unknown as CostExplorerClient, store, {
          ...options,
          now: 1_800_000_000 + 7 * 3600,
        })
      ).cached,
    ).toBe(false);
  });
});

describe("the daily regressions job", () => {
  test("judges the previous UTC day, posts once, cross-checks the CUR with Cost Explorer and records the finding", async () => {
    const { store, docs } = memoryStore();
    for (let i = 0; i < 14; i++) await store.writeDay(day(addDays("2026-11-08", i), 10));
    await store.writeDay(day("2026-11-22", 10, [exporterRow("2026-11-22", 900)]));
    // Cost Explorer agrees with the CUR except on the 21st ($5 more than the CUR's $20 inter-AZ).
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: Array.from({ length: 15 }, (_, i) => {
        const dt = addDays("2026-11-08", i);
        const usd = dt === "2026-11-22" ? 38 : dt === "2026-11-21" ? 25 : 20;
        return ceDay(dt, { "EC2: Data Transfer - Inter AZ": usd });
      }),
    });
    const posts: unknown[] = [];
    const slack = {
      post: async (m: unknown) => posts.push(m),
      target: "https://hooks.slack.com/***",
    } as unknown as SlackWebhookClient;
    const deps = {
      store,
      ce: ce as unknown as CostExplorerClient,
      slack,
      region: "us-east-1",
      alerts: { minIncreaseUsd: 5, minPercent: 25, cooldownDays: 3, allClear: false },
    };

    expect(regressionsDay("2026-11-23T04:30:00Z")).toBe("2026-11-22");
    const result = await regressionsJob(deps, "2026-11-23T04:30:00Z");
    expect(result.run.detection.dt).toBe("2026-11-22");
    expect(result.run.cooldown.alerts.map((r) => r.key)).toEqual([
      "category:cross_az",
      "namespace:analytics",
      "namespace:shop",
      "workload:analytics/exporter",
      // The receiver pays InterZone-In: the catalog's bill jumps with the exporter's.
      "workload:shop/catalog",
    ]);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0])).toContain("workload analytics/exporter");
    expect(result.earlySignal).toEqual([]);
    expect(result.crossCheck).toEqual([
      { dt: "2026-11-21", what: "inter_az", costExplorerUsd: 25, curUsd: 20, differenceUsd: 5 },
    ]);
    expect(JSON.parse(docs.get(CROSS_CHECK_KEY) ?? "{}").findings).toHaveLength(1);
    expect(docs.has("state/regressions/alerts.json")).toBe(true);

    // The same schedule retried: nothing new is posted, Cost Explorer is not asked again.
    await regressionsJob(deps, "2026-11-23T04:40:00Z");
    expect(posts).toHaveLength(1);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(1);
  });

  test("the early signal: Cost Explorer shows a jump on a day attribution has not reached yet", async () => {
    const { store } = memoryStore();
    for (let i = 0; i < 14; i++) await store.writeDay(day(addDays("2026-11-08", i), 10));
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: Array.from({ length: 15 }, (_, i) => {
        const dt = addDays("2026-11-08", i);
        return ceDay(dt, { "EC2: Data Transfer - Inter AZ": dt === "2026-11-22" ? 60 : 20 });
      }),
    });
    const posts: Array<{ text: string }> = [];
    const slack = {
      post: async (m: { text: string }) => posts.push(m),
      target: "x",
    } as unknown as SlackWebhookClient;
    const result = await regressionsJob(
      {
        store,
        ce: ce as unknown as CostExplorerClient,
        slack,
        region: "us-east-1",
        alerts: { minIncreaseUsd: 5, minPercent: 25, cooldownDays: 3, allClear: false },
      },
      "2026-11-23T04:30:00Z",
    );
    // Attribution stopped at the 21st: nothing to alert there, but Cost Explorer's 22nd is +$40.
    expect(result.run.detection.dt).toBe("2026-11-21");
    expect(result.earlySignal.map((r) => [r.key, r.increaseUsd])).toEqual([
      ["category:account:inter_az", 40],
    ]);
    expect(posts.map((p) => p.text)).toEqual([
      "Cost Explorer, account-wide, 2026-11-22 (not attributed yet): account:inter_az +$40.00/day",
    ]);
  });
});

describe("the weekly report job", () => {
  test("the week a run reports is the last ISO week over in UTC, in any time zone's Monday 08:00", () => {
    // Europe/Berlin, Monday 2026-11-23 08:00 CET = 07:00 UTC: week 47 is over.
    expect(reportWeek("2026-11-23T07:00:00Z").id).toBe("2026-W47");
    // Pacific/Auckland, Monday 08:00 NZDT = Sunday 19:00 UTC: Sunday is not over in UTC yet.
    expect(reportWeek("2026-11-22T19:00:00Z").id).toBe("2026-W46");
    // America/Los_Angeles, Monday 08:00 PST = 16:00 UTC.
    expect(reportWeek("2026-11-23T16:00:00Z").id).toBe("2026-W47");
  });

  test("writes reports/weekly/2026-W47.{md,html,csv} and posts a summary with the link", async () => {
    const { store, docs } = memoryStore();
    for (let i = 0; i < 14; i++) await store.writeDay(day(addDays("2026-11-09", i), i < 7 ? 10 : 12));
    const posts: Array<{ text: string; blocks: unknown[] }> = [];
    const slack = {
      post: async (m: { text: string; blocks: unknown[] }) => posts.push(m),
      target: "x",
    } as unknown as SlackWebhookClient;
    const result = await weeklyReportJob(
      { store, slack, link: (key) => reportLink("flowcost-lake", key, undefined) },
      "2026-11-23T07:00:00Z",
    );
    expect(result.keys).toEqual([
      "reports/weekly/2026-W47.md",
      "reports/weekly/2026-W47.html",
      "reports/weekly/2026-W47.csv",
    ]);
    expect(docs.get("reports/weekly/2026-W47.md")).toContain(
      "Network spend $168.00, +$28.00 (+20.0%) against 2026-W46 ($140.00).",
    );
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.blocks)).toContain(
      "<https://s3.console.aws.amazon.com/s3/object/flowcost-lake?prefix=reports%2Fweekly%2F2026-W47.html|Full report>",
    );
  });
});
