import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type IsoWeek, parseIsoWeek, weeklySummaryMessage } from "@flowcost/core";
import { buildWeeklyReportFiles, defaultReportWeek, SlackWebhookClient } from "@flowcost/publish";
import { lakeResultsStore } from "../../lake/results-files.ts";
import { finishInterruptedPublish } from "../../lake/run-lock.ts";
import { defineCommand, EXIT, UsageError } from "../command.ts";
import { pathKind, stringOption } from "../options.ts";
import { SLACK_WEBHOOK_ENV } from "./regressions.ts";

const REPORT_FORMATS = ["html", "md", "csv"] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

export const reportCommand = defineCommand({
  name: "report",
  synopsis: "<folder> [options]",
  summary: "the weekly FinOps report (HTML with charts, Markdown or CSV)",
  details: [
    "<folder> is a lake folder `flowcost analyze` or `flowcost demo` has written results into.",
    "The report covers one ISO week (Monday to Sunday, UTC) against the week before: totals by",
    "category, the daily trend, who pays (namespaces, workloads, Services), cross-AZ pairs, NAT by",
    "destination, load balancers, the unattributed remainder, recommendations and data quality.",
  ].join("\n"),
  options: {
    week: {
      type: "string",
      value: "<YYYY-Www>",
      help: "ISO week, e.g. 2026-W47 (default the latest complete week)",
    },
    format: {
      type: "string",
      value: "html|md|csv",
      help: "html (default): one self-contained page; md; csv: the tables",
    },
    out: { type: "string", value: "<file>", help: "write the report to this file instead of stdout" },
    "slack-webhook": {
      type: "string",
      value: "<url>",
      help: `also post a short summary to this Slack incoming webhook (or set\n${SLACK_WEBHOOK_ENV}); never printed`,
    },
  },
  parse(values, positionals) {
    if (positionals.length !== 1)
      throw new UsageError("report needs exactly one folder: flowcost report <folder>");
    const folder = resolve(positionals[0] ?? "");
    if (pathKind(folder) !== "folder") throw new UsageError(`${positionals[0]}: no such folder`);
    const weekText = stringOption(values, "week");
    const week = weekText === undefined ? undefined : parseIsoWeek(weekText);
    if (weekText !== undefined && week === undefined)
      throw new UsageError(`--week must be an ISO week such as 2026-W47, not "${weekText}"`);
    const format = stringOption(values, "format") ?? "html";
    if (!(REPORT_FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format must be html, md or csv, not "${format}"`);
    const out = stringOption(values, "out");
    if (out !== undefined && pathKind(resolve(out)) === "folder")
      throw new UsageError(`--out ${out}: is a folder; give a file name`);
    const webhook = stringOption(values, "slack-webhook") ?? process.env[SLACK_WEBHOOK_ENV];
    let slack: SlackWebhookClient | undefined;
    if (webhook) {
      try {
        slack = new SlackWebhookClient(webhook);
      } catch {
        throw new UsageError("--slack-webhook must be an http(s) URL (value not shown)");
      }
    }
    return {
      folder,
      week,
      format: format as ReportFormat,
      out: out === undefined ? undefined : resolve(out),
      slack,
    };
  },
  async run(options, io) {
    // A run killed while publishing is finished first: never read a mix of two runs.
    await finishInterruptedPublish(options.folder);
    const store = lakeResultsStore(options.folder);
    const week: IsoWeek | undefined = options.week ?? (await defaultReportWeek(store));
    if (week === undefined) {
      io.err.write(
        `flowcost report: ${options.folder} has no results (results/summary/dt=*/summary.json); run flowcost analyze on it first\n`,
      );
      return EXIT.badInput;
    }
    const files = await buildWeeklyReportFiles(store, week);
    if (options.out) {
      await writeFile(options.out, files[options.format]);
      io.err.write(`wrote the ${week.id} report (${options.format}) to ${options.out}\n`);
    } else {
      io.out.write(files[options.format]);
    }
    if (options.slack) {
      await options.slack.post(weeklySummaryMessage(files.report, options.out));
      io.err.write(`posted the ${week.id} summary to ${options.slack.target}\n`);
    }
    return EXIT.ok;
  },
});
