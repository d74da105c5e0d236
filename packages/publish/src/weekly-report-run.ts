import {
  addDays,
  buildWeeklyReport,
  type DaySummary,
  type IsoWeek,
  latestCompleteWeek,
  parseDocument,
  type ResultsStore,
  recommendationsDocumentInput,
  renderCsv,
  renderMarkdown,
  type WeeklyReport,
  weeklySummaryMessage,
} from "@flowcost/core";
import { renderHtml } from "./report-html.ts";
import type { SlackWebhookClient } from "./webhook-client.ts";

/**
 * One weekly report, the same for `flowcost report`, `flowcost demo` and the weekly Lambda: the
 * week's and the previous week's days and the week's latest recommendations, read through the
 * results store, rendered to Markdown, HTML and CSV.
 */
export interface WeeklyReportFiles {
  readonly report: WeeklyReport;
  readonly md: string;
  readonly html: string;
  readonly csv: string;
}

/** Where the weekly job and the demo store a week's report: `reports/weekly/2026-W47.html`. */
export const weeklyReportKey = (week: IsoWeek, format: "md" | "html" | "csv"): string =>
  `reports/weekly/${week.id}.${format}`;

/** The week to report by default: the latest complete ISO week of the results (undefined: none). */
export async function defaultReportWeek(store: ResultsStore): Promise<IsoWeek | undefined> {
  const days = await store.listDays();
  const last = days[days.length - 1];
  return last === undefined ? undefined : latestCompleteWeek(last);
}

export async function buildWeeklyReportFiles(
  store: ResultsStore,
  week: IsoWeek,
  options: { generatedAt?: string } = {},
): Promise<WeeklyReportFiles> {
  const all = await store.listDays();
  const from = addDays(week.start, -7);
  const days: DaySummary[] = [];
  for (const dt of all.filter((d) => d >= from && d <= week.end)) {
    const summary = await store.readDay(dt);
    if (summary) days.push(summary);
  }
  // The week's latest recommendations document (recommendations describe a trailing window).
  const recKeys = (await store.listDocuments("results/recommendations/"))
    .filter((k) => /dt=(\d{4}-\d{2}-\d{2})\/recommendations\.json$/.test(k))
    .filter((k) => {
      const dt = /dt=(\d{4}-\d{2}-\d{2})/.exec(k)?.[1] ?? "";
      return dt >= week.start && dt <= week.end;
    })
    .sort();
  const recKey = recKeys[recKeys.length - 1];
  const recText = recKey === undefined ? undefined : await store.readDocument(recKey);
  const recommendations =
    recKey === undefined || recText === undefined
      ? undefined
      : parseDocument(recKey, recText, recommendationsDocumentInput);
  const report = buildWeeklyReport({ week, days, recommendations });
  return {
    report,
    md: renderMarkdown(report),
    html: await renderHtml(report, options),
    csv: renderCsv(report),
  };
}

/** Writes the three files under `reports/weekly/` and posts the summary when a client is given. */
export async function publishWeeklyReport(
  store: ResultsStore,
  files: WeeklyReportFiles,
  options: { slack?: SlackWebhookClient; link?: string } = {},
): Promise<{ keys: string[]; posted: boolean }> {
  const keys: string[] = [];
  const types = {
    md: "text/markdown; charset=utf-8",
    html: "text/html; charset=utf-8",
    csv: "text/csv; charset=utf-8",
  };
  for (const format of ["md", "html", "csv"] as const) {
    const key = weeklyReportKey(files.report.week, format);
    await store.writeDocument(key, files[format], types[format]);
    keys.push(key);
  }
  if (options.slack) await options.slack.post(weeklySummaryMessage(files.report, options.link));
  return { keys, posted: options.slack !== undefined };
}
