import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWeeklyReport, isoWeekOf } from "@flowcost/core";
import { buildAnalysis } from "@flowcost/local/cli/output";
import { discoverInputs } from "@flowcost/local/discovery";
import { lakeResultsStore } from "@flowcost/local/lake/results-files";
import { runPipeline } from "@flowcost/local/pipeline";
import { PLANTED_WORKLOAD, SECOND_WEEK_CHANGE, WEEKEND_FACTOR } from "@flowcost/local/scenario/days";
import { generateScenario } from "@flowcost/local/scenario/write";
import { chromium } from "playwright-core";
import { describe, expect, test } from "vitest";
import { runCli } from "../support/cli.ts";
import { fakeSlack } from "../support/fake-slack.ts";
import { bytesByKey, rowKey, truthKey } from "../support/scenario-keys.ts";
import { tempDir } from "../support/temp.ts";

/**
 * Runs in the page: Chromium decodes its own PNG screenshot into a canvas, and the share of pixels
 * that are not the white background says whether a chart was drawn. Kept as text because it runs
 * in the browser, not in Node.
 */
const INKED_SHARE = `async (png) => {
  const img = new Image();
  img.src = "data:image/png;base64," + png;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  let coloured = 0;
  for (let p = 0; p < data.length; p += 4) if (data[p] + data[p + 1] + data[p + 2] < 720) coloured++;
  return coloured / (data.length / 4);
}`;

const DAYS = Array.from({ length: 14 }, (_, i) =>
  new Date(Date.UTC(2026, 10, 9 + i)).toISOString().slice(0, 10),
);

describe("two weeks of the demo cluster: the weekly report and the regression alert", async () => {
  const lakeDir = await tempDir("multi-day");
  // 14 days ending Sunday 2026-11-22: ISO weeks 2026-W46 and 2026-W47 whole, the storefront's
  // change from the 8th day (W47) and the planted workload on the last day. One hour a day keeps
  // the test short (the demo has two), so the alert thresholds are given below.
  const scenario = await generateScenario({ outDir: lakeDir, seed: 5, days: 14, hours: 1 });
  const result = await runPipeline({ lakeDir });
  const discovery = await discoverInputs(lakeDir);
  const slack = await fakeSlack();

  test("every day is attributed exactly as the generator's answer key says (bytes per category, ends, AZ IDs, confidence)", () => {
    expect(result.days.map((d) => d.day.dt)).toEqual(DAYS);
    expect(scenario.daily.map((d) => d.day.dt)).toEqual(DAYS);
    for (const [i, day] of result.days.entries()) {
      const attributed = day.rows.filter((r) => r.category !== "unattributed");
      expect(bytesByKey(attributed, rowKey, (r) => r.bytes)).toEqual(
        bytesByKey(scenario.daily[i]?.truth ?? [], truthKey, (t) => t.bytes),
      );
    }
  });

  test("each day reconciles to its own CUR lines: billed = the generator's bill, to the cent", () => {
    for (const day of result.days) {
      const billed = Math.round((scenario.billedNetworkUsd.get(day.day.dt) ?? 0) * 100);
      expect(day.reconciliation?.costBasis).toBe("billed");
      expect(day.reconciliation?.billedCents).toBe(billed);
    }
  });

  test("weekends are quieter, the storefront's catalog calls grow from the 8th day, only the last day has the planted workload", () => {
    const days = scenario.daily.map((d) => d.day);
    // 2026-11-09 is a Monday.
    expect(days.filter((d) => d.weekend).map((d) => d.dt)).toEqual([
      "2026-11-14",
      "2026-11-15",
      "2026-11-21",
      "2026-11-22",
    ]);
    expect(days.filter((d) => d.weekend).every((d) => d.scale === WEEKEND_FACTOR)).toBe(true);
    const callBytes = (i: number, from: string, to: string) =>
      (scenario.daily[i]?.truth ?? [])
        .filter(
          (t) =>
            `${t.src.namespace}/${t.src.workload}` === from && `${t.dst.namespace}/${t.dst.workload}` === to,
        )
        .reduce((s, t) => s + t.bytes, 0);
    const { from, to, factor, firstDayIndex } = SECOND_WEEK_CHANGE;
    // Monday of week 2 against Monday of week 1: x1.5 on average, with per-minute noise.
    expect(callBytes(firstDayIndex, from, to) / callBytes(0, from, to)).toBeGreaterThan(factor * 0.85);
    const planted = `${PLANTED_WORKLOAD.namespace}/${PLANTED_WORKLOAD.name}`;
    for (const [i, d] of days.entries()) expect(callBytes(i, "shop/catalog", planted) > 0).toBe(d.planted);
    expect(scenario.planted).toEqual({ dt: "2026-11-22", namespace: "analytics", workload: "exporter" });
  });

  test("the report's figures equal the analysis of the same days, to the cent, per category and in total", async () => {
    const store = lakeResultsStore(lakeDir);
    const summaries = await Promise.all(DAYS.map((dt) => store.readDay(dt)));
    const report = buildWeeklyReport({
      week: isoWeekOf("2026-11-22"),
      days: summaries.flatMap((s) => (s ? [s] : [])),
    });
    const analysisOf = (from: string, to: string) =>
      buildAnalysis(
        { ...result, days: result.days.filter((d) => d.day.dt >= from && d.day.dt <= to) },
        { folder: lakeDir, discovery },
      );
    const w47 = analysisOf("2026-11-16", "2026-11-22");
    const w46 = analysisOf("2026-11-09", "2026-11-15");
    const cents = (usd: number | null | undefined) => Math.round((usd ?? 0) * 100);
    for (const c of report.categories) {
      expect([c.category, c.cents]).toEqual([
        c.category,
        cents(w47.totals.byCategory.find((x) => x.category === c.category)?.billedCostUsd),
      ]);
      expect([c.category, c.previousCents]).toEqual([
        c.category,
        cents(w46.totals.byCategory.find((x) => x.category === c.category)?.billedCostUsd),
      ]);
    }
    expect(report.total.cents).toBe(cents(w47.totals.billedCostUsd));
    expect(report.total.previousCents).toBe(cents(w46.totals.billedCostUsd));
    expect(report.unattributed.cents).toBe(cents(w47.coverage.unattributedCostUsd));
    // ISO/UTC week boundaries: Monday 16 to Sunday 22, against Monday 9 to Sunday 15.
    expect(report.days.map((d) => d.dt)).toEqual(DAYS.slice(7));
    expect(report.previousWeek.id).toBe("2026-W46");
    expect(report.costBasis).toBe("billed");
    expect(report.topWorkloads.find((w) => w.name === "analytics/exporter")?.isNew).toBe(true);
  });

  test("flowcost regressions posts one Slack message naming the planted workload, and nothing on the second run", async () => {
    slack.posts.length = 0;
    const args = ["regressions", lakeDir, "--slack-webhook", slack.url, "--min-increase", "2"];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(slack.posts).toHaveLength(1);
    const message = JSON.stringify(slack.posts[0]?.body);
    expect(slack.posts[0]?.body.text).toMatch(
      /^Network cost regression on 2026-11-22: cross_az \+\$\d+\.\d\d\/day \(\+\d+%\)/,
    );
    expect(message).toContain("workload analytics/exporter +$");
    expect(message).toContain("shop/catalog -> analytics/exporter (use1-az");
    expect(first.stdout).toContain("workload analytics/exporter");
    expect(first.stderr).toMatch(/^posted \d+ new regression\(s\) to http:\/\/127\.0\.0\.1:\d+\/\*\*\*\n$/);

    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(slack.posts).toHaveLength(1);
    expect(second.stderr).toContain("nothing new to post");
    expect(second.stdout).toContain("[already alerted]");
    for (const text of [first.stdout, first.stderr, second.stdout, second.stderr])
      expect(text).not.toContain(slack.secret);
    const state = JSON.parse(await readFile(join(lakeDir, "state/regressions/alerts.json"), "utf8"));
    expect(Object.keys(state.series)).toContain("workload:analytics/exporter");
  });

  test("the HTML report in headless Chromium (Debian's chromium): every chart drawn, no console error, no request", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "flowcost-report-")), "2026-W47.html");
    slack.posts.length = 0;
    const run = await runCli([
      "report",
      lakeDir,
      "--week",
      "2026-W47",
      "--format",
      "html",
      "--out",
      out,
      "--slack-webhook",
      slack.url,
    ]);
    expect(run.code).toBe(0);
    // The Slack summary: one post with the week's headline and the report's path.
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]?.body.text).toMatch(
      /^Network cost report 2026-W47 .*Network spend \$[\d,]+\.\d\d, \+\$/,
    );
    expect(run.stderr).not.toContain(slack.secret);

    const profile = await mkdtemp(join(tmpdir(), "flowcost-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
      ],
      viewport: { width: 1100, height: 1400 },
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("request", (r) => r.url() !== `file://${out}` && problems.push(`request ${r.url()}`));
      await page.goto(`file://${out}`);
      const charts = page.locator("figure.chart");
      expect(await charts.count()).toBe(4);
      for (let i = 0; i < 4; i++) {
        const shot = (await charts.nth(i).screenshot()).toString("base64");
        const inked = await page.evaluate(`(${INKED_SHARE})(${JSON.stringify(shot)})`);
        // Drawn charts: these ink 12-21% of their area (a blank figure inks none).
        expect(inked as number).toBeGreaterThan(0.08);
      }
      expect(await page.locator("h1").textContent()).toBe(
        "Network cost report 2026-W47 (2026-11-16 to 2026-11-22, UTC)",
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
    const html = await readFile(out, "utf8");
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/);
  });

  test("flowcost demo ends by printing where the weekly report of its data is", async () => {
    const demo = join(await mkdtemp(join(tmpdir(), "flowcost-demo-")), "demo");
    const run = await runCli(["demo", "--out", demo]);
    expect(run.code).toBe(0);
    const html = join(demo, "reports/weekly/2026-W47.html");
    expect(run.stderr.trimEnd().split("\n").pop()).toBe(`weekly report 2026-W47: ${html}`);
    expect(await readFile(html, "utf8")).toContain("Network cost report 2026-W47");
    // One day of the week has results: the report says which are missing.
    expect(await readFile(join(demo, "reports/weekly/2026-W47.md"), "utf8")).toContain(
      "> No results for 6 day(s) of the week: 2026-11-16, 2026-11-17, 2026-11-18, 2026-11-19, 2026-11-20, 2026-11-21.",
    );
    expect((await readFile(join(demo, "reports/weekly/2026-W47.csv"), "utf8")).split("\n")[0]).toContain(
      "table,week,name",
    );
  });
});
