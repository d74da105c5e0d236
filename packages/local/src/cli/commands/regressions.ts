import { resolve } from "node:path";
import { DEFAULT_THRESHOLDS, type Regression, regressionHeadline, usd } from "@flowcost/core";
import {
  DEFAULT_COOLDOWN_DAYS,
  type RegressionRunResult,
  runRegressions,
  SlackWebhookClient,
} from "@flowcost/publish";
import { lakeResultsStore } from "../../lake/results-files.ts";
import { finishInterruptedPublish } from "../../lake/run-lock.ts";
import { defineCommand, EXIT, type OptionValues, UsageError } from "../command.ts";
import { pathKind, stringOption } from "../options.ts";

/** The webhook may come from the environment, so it stays out of shell history and `ps`. */
export const SLACK_WEBHOOK_ENV = "FLOWCOST_SLACK_WEBHOOK_URL";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function number(values: OptionValues, name: string, min: number, max: number): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, not "${text}"`);
  return n;
}

export const regressionsCommand = defineCommand({
  name: "regressions",
  synopsis: "<folder> [options]",
  summary: "cost regressions of the latest day against its 14-day baseline, optionally to Slack",
  details: [
    "<folder> is a lake folder `flowcost analyze` or `flowcost demo` has written results into.",
    "Every category, namespace, workload and Service of the day is compared with the median of",
    "its previous 14 days; a regression passes both thresholds. With a Slack webhook (the flag or",
    `${SLACK_WEBHOOK_ENV}) new regressions are posted as one message and remembered in`,
    "<folder>/state/regressions/alerts.json, so a second run posts nothing new.",
  ].join("\n"),
  options: {
    day: {
      type: "string",
      value: "<YYYY-MM-DD>",
      help: "the UTC day to judge (default the latest day with results)",
    },
    format: { type: "string", value: "table|json", help: "output on stdout (default table)" },
    "slack-webhook": {
      type: "string",
      value: "<url>",
      help: `post new regressions to this Slack incoming webhook (or set ${SLACK_WEBHOOK_ENV});\nnever printed`,
    },
    "min-increase": {
      type: "string",
      value: "<usd>",
      help: `absolute threshold, dollars per day over the baseline (default ${DEFAULT_THRESHOLDS.absoluteUsd})`,
    },
    "min-percent": {
      type: "string",
      value: "<pct>",
      help: `relative threshold, percent over the baseline (default ${DEFAULT_THRESHOLDS.relative * 100})`,
    },
    "cooldown-days": {
      type: "string",
      value: "<n>",
      help: `days a posted series stays quiet unless it grows further (default ${DEFAULT_COOLDOWN_DAYS})`,
    },
    "all-clear": {
      type: "boolean",
      help: "also post a short all-clear when an alerted series is back to normal",
    },
    "api-url": {
      type: "string",
      value: "<url>",
      help: "base URL of the flowcost API, for the links in messages",
    },
  },
  parse(values, positionals, env: NodeJS.ProcessEnv = process.env) {
    if (positionals.length !== 1)
      throw new UsageError("regressions needs exactly one folder: flowcost regressions <folder>");
    const folder = resolve(positionals[0] ?? "");
    if (pathKind(folder) !== "folder") throw new UsageError(`${positionals[0]}: no such folder`);
    const day = stringOption(values, "day");
    if (day !== undefined && (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))))
      throw new UsageError(`--day must be a UTC day, YYYY-MM-DD, not "${day}"`);
    const format = stringOption(values, "format") ?? "table";
    if (format !== "table" && format !== "json")
      throw new UsageError(`--format must be table or json, not "${format}"`);
    const webhook = stringOption(values, "slack-webhook") ?? env[SLACK_WEBHOOK_ENV];
    let slack: SlackWebhookClient | undefined;
    if (webhook !== undefined && webhook !== "") {
      try {
        slack = new SlackWebhookClient(webhook);
      } catch {
        // The value is a secret: say what is wrong, never what it was.
        throw new UsageError("--slack-webhook must be an http(s) URL (value not shown)");
      }
    }
    const percent = number(values, "min-percent", 0, 10_000);
    const cooldown = number(values, "cooldown-days", 0, 365);
    if (cooldown !== undefined && !Number.isInteger(cooldown))
      throw new UsageError(`--cooldown-days must be a whole number of days, not "${cooldown}"`);
    return {
      folder,
      day,
      format: format as "table" | "json",
      slack,
      absoluteUsd: number(values, "min-increase", 0, 1e9),
      relative: percent === undefined ? undefined : percent / 100,
      cooldownDays: cooldown,
      allClear: values["all-clear"] === true,
      apiBaseUrl: stringOption(values, "api-url"),
    };
  },
  async run(options, io) {
    // A run killed while publishing is finished first: never read a mix of two runs.
    await finishInterruptedPublish(options.folder);
    const store = lakeResultsStore(options.folder);
    const days = await store.listDays();
    if (days.length === 0) {
      io.err.write(
        `flowcost regressions: ${options.folder} has no results (results/summary/dt=*/summary.json); run flowcost analyze on it first\n`,
      );
      return EXIT.badInput;
    }
    if (options.day !== undefined && !days.includes(options.day)) {
      io.err.write(
        `flowcost regressions: no results for --day ${options.day} (days with results: ${days[0]} to ${days[days.length - 1]})\n`,
      );
      return EXIT.badInput;
    }
    const result = await runRegressions({
      store,
      day: options.day,
      thresholds: {
        ...(options.absoluteUsd === undefined ? {} : { absoluteUsd: options.absoluteUsd }),
        ...(options.relative === undefined ? {} : { relative: options.relative }),
      },
      cooldownDays: options.cooldownDays,
      allClear: options.allClear,
      apiBaseUrl: options.apiBaseUrl,
      slack: options.slack,
    });
    io.out.write(
      options.format === "json"
        ? `${JSON.stringify(regressionsJson(result), null, 2)}\n`
        : renderRegressions(result, options),
    );
    if (options.slack)
      io.err.write(
        result.posted > 0
          ? `posted ${result.cooldown.alerts.length} new regression(s)${result.posted > 1 ? " and an all-clear" : ""} to ${options.slack.target}\n`
          : `nothing new to post to ${options.slack.target}\n`,
      );
    return EXIT.ok;
  },
});

/** The `--format json` document: the day, the baseline, every regression with its status. */
export function regressionsJson(result: RegressionRunResult) {
  const posted = new Set(result.cooldown.alerts.map((r) => r.key));
  return {
    day: result.detection.dt,
    baselineDays: result.detection.baselineDays,
    daysMissing: result.daysMissing,
    regressions: result.detection.regressions.map((r) => ({
      ...r,
      status: posted.has(r.key) ? "new" : "already-alerted",
    })),
    recovered: result.cooldown.recovered,
    posted: result.posted,
  };
}

function renderRegressions(
  result: RegressionRunResult,
  options: { absoluteUsd?: number; relative?: number },
): string {
  const d = result.detection;
  const abs = options.absoluteUsd ?? DEFAULT_THRESHOLDS.absoluteUsd;
  const rel = options.relative ?? DEFAULT_THRESHOLDS.relative;
  const baseline =
    d.baselineDays.length === 0
      ? "no earlier day with results: nothing to compare with"
      : `median of ${d.baselineDays.length} day(s), ${d.baselineDays[0]} to ${d.baselineDays[d.baselineDays.length - 1]}`;
  const lines = [
    `Regressions on ${d.dt} (baseline: ${baseline}; thresholds +${usd(abs)}/day and +${Math.round(rel * 100)}%)`,
    "",
  ];
  if (d.regressions.length === 0) {
    lines.push("No regression: no series rose past both thresholds.");
  }
  const posted = new Set(result.cooldown.alerts.map((r) => r.key));
  for (const r of d.regressions) lines.push(...regressionLines(r, posted.has(r.key)), "");
  for (const r of result.cooldown.recovered)
    lines.push(`Back to normal: ${r.label} (${usd(r.costUsd)} on ${d.dt}, alerted ${r.alertedDt})`);
  return `${lines.join("\n").trimEnd()}\n`;
}

function regressionLines(r: Regression, isNew: boolean): string[] {
  const basis = r.costBasis === "estimated" ? " (list-price estimate)" : "";
  return [
    `${regressionHeadline(r)}: ${usd(r.costUsd)} vs ${r.isNew ? "nothing before" : `${usd(r.baselineUsd)}/day`}${basis}${isNew ? "" : "  [already alerted]"}`,
    ...r.topFlows.map(
      (f) =>
        `  flow     ${f.source} -> ${f.destination} (${f.sourceAz ?? "?"} -> ${f.destinationAz ?? "?"}, ${f.category}) +${usd(f.increaseUsd)} (${Math.round(f.share * 100)}%)`,
    ),
    ...r.topWorkloads.map(
      (w) => `  workload ${w.label} +${usd(w.increaseUsd)} (${Math.round(w.share * 100)}%)`,
    ),
    `  api      ${r.links.costs}`,
    `           ${r.links.flows}`,
  ];
}
