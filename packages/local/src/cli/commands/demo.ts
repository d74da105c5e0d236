import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildWeeklyReportFiles, defaultReportWeek, publishWeeklyReport } from "@flowcost/publish";
import { lakeResultsStore } from "../../lake/results-files.ts";
import { generateScenario } from "../../scenario/write.ts";
import { defineCommand, EXIT, UsageError } from "../command.ts";
import {
  FORMAT_OPTION,
  MEMORY_LIMIT_OPTION,
  parseFormat,
  parseMemoryLimit,
  pathKind,
  stringOption,
} from "../options.ts";
import { Progress } from "../progress.ts";
import { analyzeAndPrint } from "./analyze.ts";

/** The file every demo folder holds (the generator's truth); its presence marks a previous demo. */
const DEMO_MARKER = "generator-truth.json";

/** Two months: about a second of generation per day, and the CUR export's months stay few. */
const MAX_DEMO_DAYS = 62;

export const demoCommand = defineCommand({
  name: "demo",
  synopsis: "[options]",
  summary: "generate a realistic cluster's data and analyse it end to end",
  options: {
    out: {
      type: "string",
      value: "<folder>",
      help: "where to generate the data (default ./flowcost-demo); must be new,\nempty or a previous demo folder",
    },
    force: { type: "boolean", help: "generate into --out even if it holds other files" },
    days: {
      type: "string",
      value: "<n>",
      help: "UTC days to generate, ending 2026-11-22 (default 1, at most 62); with\nseveral: quieter weekends, a change from the 8th day on, and a\nregression planted on the last day for flowcost regressions",
    },
    "flow-log-format": {
      type: "string",
      value: "custom|default",
      help: "the flow logs' format: custom (default; pkt-*, az-id, flow-direction,\npkt-*-aws-service) or AWS's default v2 format (pods found by stitching)",
    },
    "memory-limit": MEMORY_LIMIT_OPTION,
    format: FORMAT_OPTION,
  },
  parse(values, positionals) {
    if (positionals.length > 0)
      throw new UsageError(`demo takes no arguments, got "${positionals.join(" ")}" (use --out <folder>)`);
    const given = stringOption(values, "out");
    const folder = resolve(given ?? "flowcost-demo");
    const flag = given === undefined ? `the default folder ${folder}` : `--out ${given}`;
    const kind = pathKind(folder);
    if (kind === "file") throw new UsageError(`${flag}: is an existing file; give a folder`);
    // Generating into someone's data would mix it into the analysis and overwrite their files.
    if (
      kind === "folder" &&
      values.force !== true &&
      !existsSync(join(folder, DEMO_MARKER)) &&
      readdirSync(folder).length > 0
    )
      throw new UsageError(
        `${flag}: the folder is not empty and is not a previous demo folder; give a new or empty folder, or add --force to generate into it anyway`,
      );
    const daysText = stringOption(values, "days");
    const days = daysText === undefined ? 1 : Number(daysText);
    if (!/^\d+$/.test(daysText ?? "1") || days < 1 || days > MAX_DEMO_DAYS)
      throw new UsageError(`--days must be a whole number from 1 to ${MAX_DEMO_DAYS}, not "${daysText}"`);
    const flowLogFormat = stringOption(values, "flow-log-format") ?? "custom";
    if (flowLogFormat !== "custom" && flowLogFormat !== "default")
      throw new UsageError(`--flow-log-format must be custom or default, not "${flowLogFormat}"`);
    return {
      folder,
      days,
      flowLogFormat,
      format: parseFormat(values),
      memoryLimit: parseMemoryLimit(values),
    } as const;
  },
  async run(options, io) {
    const progress = new Progress(io.err);
    progress.note(`generating a demo cluster into ${options.folder}`);
    // The demo plants the problems the recommendations find, so its report ends with real advice.
    const scenario = await generateScenario({
      outDir: options.folder,
      days: options.days,
      problems: true,
      flowLogFormat: options.flowLogFormat,
    });
    progress.note(
      `wrote ${scenario.files.records} flow-log records in ${scenario.files.flowLogs} objects and ${scenario.files.snapshots} kubectl snapshots`,
    );
    const { output } = await analyzeAndPrint(options.folder, options, io, progress);
    io.err.write(demoEpilogue(options.folder, output.warnings));
    // The weekly report of what was just generated, where the weekly job would put it.
    const store = lakeResultsStore(options.folder);
    const week = await defaultReportWeek(store);
    if (week) {
      const files = await buildWeeklyReportFiles(store, week);
      const { keys } = await publishWeeklyReport(store, files);
      const html = keys.find((k) => k.endsWith(".html")) ?? "";
      io.err.write(`\nweekly report ${week.id}: ${join(options.folder, ...html.split("/"))}\n`);
    }
    return EXIT.ok;
  },
});

/**
 * Warnings the demo's planted traps cause on purpose, by code, with why: a first-time user should
 * not take them for a broken install.
 */
const EXPECTED_WARNINGS: Record<string, string> = {
  "identity-overlap":
    "planted: a finished Job pod keeps its old IP in status.podIP while a live pod owns that IP; flowcost labels the traffic ambiguous instead of guessing",
};

/** Where the demo's data and results are, how to look again, and which warnings are expected. */
export function demoEpilogue(
  folder: string,
  warnings: ReadonlyArray<{ code: string; message: string }>,
): string {
  const expected = [...new Set(warnings.map((w) => w.code))].filter((c) => EXPECTED_WARNINGS[c]);
  return [
    "",
    `The demo's lake is ${folder}:`,
    "  inputs   vpc-flow-logs/ (flow logs), inventory/ (kubectl and describe snapshots), billing/ (CUR 2.0)",
    "  results  results/summary/dt=<day>/summary.json (each day's rows, ledger, reconciliation),",
    "           results/daily/ and curated/ (the lake tables); generator-truth.json (what the generator did)",
    `Look again: flowcost analyze ${folder} --format json (or --out <folder> for rows.csv and analysis.json)`,
    ...(expected.length
      ? [
          "Expected warnings (the demo plants them):",
          ...expected.map((c) => `  - ${c}: ${EXPECTED_WARNINGS[c]}`),
        ]
      : []),
    "",
  ].join("\n");
}
