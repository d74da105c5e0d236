import {
  apiLinks,
  applyCooldown,
  type ChargeLine,
  costsParams,
  type DayCharges,
  detectRegressions,
  EMPTY_ALERT_STATE,
  flowsParams,
  regressionMessage,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";

/** One charge line: `workload` pays `costUsd` for a cross-AZ flow to `to`. */
const line = (workload: string, costUsd: number, to = "shop/frontend", category = "cross_az"): ChargeLine => {
  const [namespace] = workload.split("/") as [string];
  return {
    category,
    subcategory: null,
    namespace,
    workload,
    service: null,
    costUsd,
    bytes: Math.round(costUsd * 50e9),
    source: workload,
    destination: to,
    sourceAz: "use1-az4",
    destinationAz: "use1-az6",
  };
};
/** Consecutive days from 2026-11-01, each built by `lines(i)`. */
const days = (n: number, lines: (i: number) => ChargeLine[]): DayCharges[] =>
  Array.from({ length: n }, (_, i) => ({
    dt: `2026-11-${String(i + 1).padStart(2, "0")}`,
    costBasis: "billed",
    lines: lines(i),
  }));

describe("regression detection: the last day against the trailing 14-day median of the same series", () => {
  test("a jump over both thresholds is a regression, with its baseline, the days counted, the causes and the API links", () => {
    const history = days(15, (i) =>
      i < 14
        ? [line("shop/catalog", 10 + (i % 3))]
        : [line("shop/catalog", 11), line("shop/catalog", 9, "analytics/exporter")],
    );
    const { regressions, baselineDays } = detectRegressions(history, { absoluteUsd: 5, relative: 0.25 });
    expect(baselineDays).toHaveLength(14);
    const workload = regressions.find((r) => r.key === "workload:shop/catalog");
    // Baseline: median of 10,11,12,10,11,12,... (14 days) = 11; today 20: +$9, +81.8%.
    expect(workload?.baselineUsd).toBe(11);
    expect(workload?.baselineDayCount).toBe(14);
    expect(workload?.increaseUsd).toBe(9);
    expect(workload?.increaseFraction).toBeCloseTo(9 / 11, 12);
    expect(workload?.isNew).toBe(false);
    expect(workload?.topFlows[0]).toMatchObject({
      source: "shop/catalog",
      destination: "analytics/exporter",
      sourceAz: "use1-az4",
      destinationAz: "use1-az6",
      increaseUsd: 9,
      share: 1,
    });
    expect(workload?.links).toEqual({
      costs: "/v1/costs?from=2026-11-15&to=2026-11-15&namespace=shop&groupBy=workload%2Ccategory",
      flows: "/v1/flows?from=2026-11-15&to=2026-11-15&namespace=shop",
    });
    // The category and the namespace jump the same way; categories come first.
    expect(regressions.map((r) => r.key)).toEqual([
      "category:cross_az",
      "namespace:shop",
      "workload:shop/catalog",
    ]);
  });

  test("no alert under either threshold: +$4 at +40% (under $5), +$6 at +6% (under 25%)", () => {
    const small = days(15, (i) => [line("shop/cart", i < 14 ? 10 : 14)]);
    expect(detectRegressions(small, { absoluteUsd: 5, relative: 0.25 }).regressions).toEqual([]);
    const relative = days(15, (i) => [line("shop/cart", i < 14 ? 100 : 106)]);
    expect(detectRegressions(relative, { absoluteUsd: 5, relative: 0.25 }).regressions).toEqual([]);
    // The same jumps pass with lower thresholds: both are configurable.
    expect(detectRegressions(small, { absoluteUsd: 3, relative: 0.25 }).regressions).toHaveLength(3);
    expect(detectRegressions(relative, { absoluteUsd: 5, relative: 0.05 }).regressions).toHaveLength(3);
  });

  test("a series new this day is judged against zero on the absolute threshold alone", () => {
    const history = days(15, (i) =>
      i < 14
        ? [line("shop/cart", 100)]
        : [line("shop/cart", 100), line("analytics/exporter", 6, "shop/catalog")],
    );
    const found = detectRegressions(history, { absoluteUsd: 5, relative: 0.25 }).regressions;
    expect(found.map((r) => r.key)).toEqual(["namespace:analytics", "workload:analytics/exporter"]);
    expect(found[1]).toMatchObject({ isNew: true, baselineUsd: 0, increaseUsd: 6, increaseFraction: null });
    // +$6 on a $100 category is only 6%: the category itself is not a regression.
    const under = days(15, (i) => (i < 14 ? [] : [line("analytics/exporter", 4.99, "shop/catalog")]));
    expect(detectRegressions(under, { absoluteUsd: 5, relative: 0.25 }).regressions).toEqual([]);
  });

  test("a short history: the baseline is the median of the days there are, and says how many", () => {
    const history = days(4, (i) => [line("shop/cart", [10, 30, 12, 40][i] ?? 0)]);
    const r = detectRegressions(history, { absoluteUsd: 5, relative: 0.25 }).regressions[0];
    expect(r?.baselineDayCount).toBe(3);
    expect(r?.baselineUsd).toBe(12);
    expect(r?.increaseUsd).toBe(28);
    // One day alone has no baseline: nothing is judged.
    expect(detectRegressions(days(1, () => [line("shop/cart", 99)])).regressions).toEqual([]);
  });

  test("days missing from the history are left out of the baseline, not counted as zero", () => {
    const history = days(15, (i) => [line("shop/cart", i < 14 ? 10 : 20)]).filter(
      (_, i) => i % 2 === 0 || i === 14,
    );
    const r = detectRegressions(history, { absoluteUsd: 5, relative: 0.25 }).regressions[0];
    expect(r?.baselineDayCount).toBe(7);
    expect(r?.baselineUsd).toBe(10);
  });

  test("--day: an earlier day is judged against its own trailing days only", () => {
    const history = days(20, (i) => [line("shop/cart", i === 9 ? 30 : 10)]);
    const r = detectRegressions(history, { dt: "2026-11-10" });
    expect(r.baselineDays).toHaveLength(9);
    expect(r.regressions.map((x) => x.key)).toContain("workload:shop/cart");
    expect(detectRegressions(history).regressions).toEqual([]);
  });
});

describe("cooldown: one jump alerts once", () => {
  const jump = (until: number, high: (i: number) => number) =>
    days(until, (i) => [line("shop/cart", i < 14 ? 10 : high(i))]);
  const options = { cooldownDays: 3, relative: 0.25 };

  test("alert, then a re-run of the same day posts nothing; staying high stays quiet until the cooldown ends", () => {
    const d15 = detectRegressions(jump(15, () => 30));
    const first = applyCooldown(d15, EMPTY_ALERT_STATE, options);
    expect(first.alerts.map((r) => r.key)).toEqual([
      "category:cross_az",
      "namespace:shop",
      "workload:shop/cart",
    ]);
    expect(applyCooldown(d15, first.state, options).alerts).toEqual([]);
    // Day 16 and 17, still at $30 (not 25% above the alerted $30): quiet.
    const d16 = applyCooldown(detectRegressions(jump(16, () => 30)), first.state, options);
    expect(d16.alerts).toEqual([]);
    expect(d16.suppressed).toHaveLength(3);
    // Day 18 = alerted day + 3: the cooldown is over and the series is still high.
    const d18 = applyCooldown(detectRegressions(jump(18, () => 30)), d16.state, options);
    expect(d18.alerts).toHaveLength(3);
  });

  test("further growth by the relative threshold re-alerts within the cooldown", () => {
    const first = applyCooldown(detectRegressions(jump(15, () => 30)), EMPTY_ALERT_STATE, options);
    const grew = applyCooldown(
      detectRegressions(jump(16, (i) => (i === 15 ? 37.5 : 30))),
      first.state,
      options,
    );
    expect(grew.alerts.map((r) => r.key)).toContain("workload:shop/cart");
  });

  test("a series back under the thresholds recovers: an all-clear names it and the state forgets it", () => {
    const first = applyCooldown(detectRegressions(jump(15, () => 30)), EMPTY_ALERT_STATE, options);
    const back = applyCooldown(
      detectRegressions(jump(16, (i) => (i === 15 ? 10 : 30))),
      first.state,
      options,
    );
    expect(back.alerts).toEqual([]);
    expect(back.recovered.map((r) => r.label)).toEqual(["cross_az", "namespace shop", "workload shop/cart"]);
    expect(back.state.series).toEqual({});
  });
});

describe("the Slack message of a day's regressions", () => {
  test("headline with dollars and percent, the top flow with its AZs and share, the API links", () => {
    const history = days(15, (i) =>
      i < 14
        ? [line("shop/catalog", 10)]
        : [line("shop/catalog", 10), line("shop/catalog", 8, "analytics/exporter")],
    );
    const { regressions } = detectRegressions(history);
    const message = regressionMessage(
      regressions.map((r) => ({
        ...r,
        links: {
          costs: `https://api.example.com${r.links.costs}`,
          flows: `https://api.example.com${r.links.flows}`,
        },
      })),
    );
    expect(message.text).toBe("Network cost regression on 2026-11-15: cross_az +$8.00/day (+80%) and 2 more");
    const body = JSON.stringify(message.blocks);
    expect(body).toContain(
      "shop/catalog -> analytics/exporter (use1-az4 -> use1-az6) cross_az +$8.00 (100%)",
    );
    expect(body).toContain("$10.00/day median of the previous 14 days");
    expect(body).toContain(
      "<https://api.example.com/v1/flows?from=2026-11-15&to=2026-11-15&category=cross_az|flows>",
    );
  });
});

describe("alert links are queries the API accepts", () => {
  test("every dimension's /v1/costs and /v1/flows parse with the API's own parameter schemas", () => {
    const series = [
      { dimension: "category", value: "cross_az" },
      { dimension: "category", value: "account:inter_az" },
      { dimension: "namespace", value: "analytics" },
      { dimension: "workload", value: "analytics/exporter" },
      { dimension: "workload", value: "node:ip-10-0-0-10.ec2.internal" },
      { dimension: "service", value: "shop/storefront" },
    ] as const;
    for (const s of series) {
      const links = apiLinks("2026-11-22", s, "https://api.example.com/");
      const query = (url: string) => Object.fromEntries(new URL(url).searchParams);
      expect(links.costs.startsWith("https://api.example.com/v1/costs?")).toBe(true);
      expect(costsParams.safeParse(query(links.costs)).success).toBe(true);
      expect(flowsParams.safeParse(query(links.flows)).success).toBe(true);
    }
  });
});
