import {
  type AttributedRow,
  addDays,
  buildWeeklyReport,
  isoWeekOf,
  latestCompleteWeek,
  parseIsoWeek,
  renderCsv,
  renderMarkdown,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { crossAzDay, exporterRow } from "../../../support/day-summaries.ts";

const day = (dt: string, options: { cur?: boolean; extra?: AttributedRow[] } = {}) => crossAzDay(dt, options);

describe("ISO weeks in UTC", () => {
  test("Monday to Sunday; week 1 holds the first Thursday, so years end and start in week 53 or 1", () => {
    expect(isoWeekOf("2026-11-22")).toMatchObject({ id: "2026-W47", start: "2026-11-16", end: "2026-11-22" });
    expect(isoWeekOf("2026-11-23").id).toBe("2026-W48");
    expect(isoWeekOf("2026-12-31").id).toBe("2026-W53");
    expect(isoWeekOf("2027-01-03").id).toBe("2026-W53");
    expect(isoWeekOf("2027-01-04").id).toBe("2027-W01");
    expect(isoWeekOf("2024-12-30").id).toBe("2025-W01");
    expect(parseIsoWeek("2026-W53")?.days).toEqual([
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
      "2027-01-02",
      "2027-01-03",
    ]);
    expect(parseIsoWeek("2025-W53")).toBeUndefined();
    expect(parseIsoWeek("2026-W47")?.start).toBe("2026-11-16");
    expect(parseIsoWeek("2026-47")).toBeUndefined();
  });

  test("the latest complete week: the week of a Sunday, else the week before", () => {
    expect(latestCompleteWeek("2026-11-22").id).toBe("2026-W47");
    expect(latestCompleteWeek("2026-11-21").id).toBe("2026-W46");
    expect(latestCompleteWeek("2026-11-23").id).toBe("2026-W47");
  });
});

describe("the weekly report's content", () => {
  const previous = Array.from({ length: 7 }, (_, i) => day(addDays("2026-11-09", i)));
  const current = ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-21", "2026-11-22"].map(
    (dt) =>
      day(dt, {
        cur: dt !== "2026-11-18",
        extra: dt === "2026-11-22" ? [exporterRow(dt, 10, "node-c")] : [],
      }),
  );
  const report = buildWeeklyReport({ week: isoWeekOf("2026-11-22"), days: [...previous, ...current] });

  test("a day without CUR lines and a day without results are said; the week's dollars are then mixed", () => {
    expect(report.costBasis).toBe("mixed");
    expect(report.dataQuality.missingCurDays).toEqual(["2026-11-18"]);
    expect(report.dataQuality.missingDays).toEqual(["2026-11-20"]);
    const md = renderMarkdown(report);
    expect(md).toContain("Mixed: 1 day(s) without CUR lines are list-price estimates (2026-11-18)");
    expect(md).toContain("> No results for 1 day(s) of the week: 2026-11-20.");
    expect(md).toContain("> No CUR lines for 2026-11-18: those days are list-price estimates.");
  });

  test("week-over-week totals in cents: 6 days at 6 cents plus the new 20 cents, against 7 days at 6 cents", () => {
    expect(report.total).toEqual({ cents: 56, previousCents: 42, deltaCents: 14, deltaFraction: 14 / 42 });
    expect(report.categories.find((c) => c.category === "cross_az")?.cents).toBe(56);
    expect(report.daily.filter((d) => d.dt === "2026-11-22")).toEqual([
      { dt: "2026-11-22", category: "cross_az", cents: 26 },
    ]);
  });

  test("who pays: InterZone-Out to the sender, In to the receiver; a workload absent last week is marked new", () => {
    const workloads = Object.fromEntries(
      report.topWorkloads.map((w) => [w.name, [w.cents, w.previousCents, w.isNew]]),
    );
    expect(workloads).toEqual({
      "shop/catalog": [28, 21, false],
      "shop/frontend": [18, 21, false],
      "analytics/exporter": [10, 0, true],
    });
    expect(report.topNamespaces.map((n) => [n.name, n.cents, n.isNew])).toEqual([
      ["shop", 46, false],
      ["analytics", 10, true],
    ]);
    expect(renderMarkdown(report)).toContain("| analytics/exporter (new) | $0.10 | $0.00 | +$0.10 |");
  });

  test("the CSV holds every table with dollars as numbers", () => {
    const csv = renderCsv(report).split("\n");
    expect(csv[0]).toBe(
      "table,week,name,detail,bytes,cost_usd,previous_cost_usd,change_usd,change_fraction,new,monthly_savings_usd",
    );
    expect(csv).toContain("category,2026-W47,total,,,0.56,0.42,0.14,0.3333,,");
    expect(csv).toContain("workload,2026-W47,analytics/exporter,,,0.10,0.00,0.10,,true,");
  });

  test("recommendations ranked by monthly savings, declined ones left out", () => {
    const r = buildWeeklyReport({
      week: isoWeekOf("2026-11-22"),
      days: current,
      recommendations: {
        recommendations: [
          {
            id: "a",
            kind: "topology_aware_routing",
            status: "recommended",
            title: "Route in zone",
            target: { namespace: "shop", name: "catalog" },
            estimatedMonthlySavingsUsd: 12.5,
            change: { format: "kubectl", text: "kubectl annotate ..." },
          },
          {
            id: "b",
            kind: "s3_gateway_endpoint",
            status: "recommended",
            title: "S3 gateway endpoint",
            target: { name: "vpc-1" },
            estimatedMonthlySavingsUsd: 40,
          },
          { id: "c", kind: "nat_gateway_per_az", status: "declined", estimatedMonthlySavingsUsd: 0 },
        ],
      },
    });
    expect(r.recommendations.map((x) => [x.id, x.monthlySavingsUsd, x.target])).toEqual([
      ["b", 40, "vpc-1"],
      ["a", 12.5, "shop/catalog"],
    ]);
    expect(renderMarkdown(r)).toContain("1. **S3 gateway endpoint** (vpc-1): saves about $40.00 a month.");
  });
});
