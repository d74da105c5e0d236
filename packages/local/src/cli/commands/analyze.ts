import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type DaySummary, errorMessage, focusCsv, focusRows, InvalidInputError } from "@flowcost/core";
import { type Discovery, discoverInputs, iso } from "../../discovery.ts";
import { isOutOfMemory, parseMemoryLimit as parseLimitBytes } from "../../engine/memory-share.ts";
import { runPipeline } from "../../pipeline.ts";
import { type CommandIo, defineCommand, UsageError } from "../command.ts";
import { loadConfig } from "../config.ts";
import {
  CONFIG_OPTION,
  FORMAT_OPTION,
  type Format,
  FROM_OPTION,
  MEMORY_LIMIT_OPTION,
  parseConfigPath,
  parseFormat,
  parseMemoryLimit,
  parseWindow,
  pathKind,
  stringOption,
  TO_OPTION,
} from "../options.ts";
import { type AnalyzeOutput, analyzeExitStatus, buildAnalysis } from "../output.ts";
import { Progress } from "../progress.ts";
import { renderCsv, renderDiscovery, renderTable } from "../render.ts";

/** What an analysis run needs, checked: shared by `analyze` and `demo`. */
export interface AnalysisOptions {
  readonly format: Format;
  readonly memoryLimit?: string;
  readonly from?: number;
  readonly to?: number;
  readonly cluster?: string;
  /** A folder to write the rows, ledger and reconciliation into (never an existing file). */
  readonly out?: string;
  /** `--config`: a configuration file; without it the folder's flowcost.config.json, if any. */
  readonly config?: string;
}

export const analyzeCommand = defineCommand({
  name: "analyze",
  synopsis: "<folder> [options]",
  summary: "analyse your own exported data (see docs/analyze.md)",
  details:
    "<folder> holds VPC flow logs (S3 key layout), and optionally the CUR 2.0 export, kubectl\nsnapshots and describe outputs (docs/analyze.md says where each goes).",
  options: {
    from: FROM_OPTION,
    to: TO_OPTION,
    cluster: {
      type: "string",
      value: "<name>",
      help: "resolve addresses with this cluster's snapshots only",
    },
    "memory-limit": MEMORY_LIMIT_OPTION,
    format: FORMAT_OPTION,
    out: {
      type: "string",
      value: "<folder>",
      help: "also write analysis.json, rows.json, rows.csv, ledger.json and\nreconciliation.json into this folder (created if missing)",
    },
    config: CONFIG_OPTION,
  },
  parse(values, positionals): AnalysisOptions & { folder: string } {
    if (positionals.length !== 1)
      throw new UsageError(
        `analyze needs exactly one folder: flowcost analyze <folder>${positionals.length ? ` (got ${positionals.map((p) => `"${p}"`).join(" ")})` : ""}`,
      );
    const out = stringOption(values, "out");
    if (out !== undefined && pathKind(resolve(out)) === "file")
      throw new UsageError(`--out ${out}: is an existing file; give a folder to write the results into`);
    return {
      folder: resolve(positionals[0] ?? ""),
      format: parseFormat(values),
      memoryLimit: parseMemoryLimit(values),
      ...parseWindow(values),
      cluster: stringOption(values, "cluster"),
      out: out === undefined ? undefined : resolve(out),
      config: parseConfigPath(values),
    };
  },
  async run(options, io) {
    const progress = new Progress(io.err);
    const { output } = await analyzeAndPrint(options.folder, options, io, progress);
    // 4 when the analysis completed without some input (each named in the warnings).
    return analyzeExitStatus(output);
  },
});

/**
 * DuckDB's "Out of Memory Error" as what the user can do about it: the limit they gave (or the
 * default) is too low for this input, by name, and the next one to try (twice it). Bad input
 * (exit 1), not an internal error: the run is fine with more memory. The least limit that
 * works at all is checked before the run (MIN_MEMORY_BYTES); above it, what a run needs grows
 * with the records in the folder: compaction reads every object (the ledger books them all), so
 * a narrower --from/--to does not lower it.
 */
export function memoryLimitTooLow(error: unknown, limit: string | undefined): InvalidInputError | undefined {
  if (!isOutOfMemory(error)) return undefined;
  const message = errorMessage(error);
  const given = limit ?? "1GB";
  const bytes = parseLimitBytes(given);
  const twice = bytes === undefined ? "2GB" : sizeText(2 * bytes);
  const detail = message.split("\n")[0]?.replace(/^.*?(Out of Memory Error)/i, "$1") ?? message;
  return new InvalidInputError(
    `--memory-limit ${given} is too low for this input: DuckDB ran out of memory (${detail}). Run again with twice the limit or more (--memory-limit ${twice}). What a run needs grows with the flow-log records in the folder, which every run reads whole whatever --from/--to say`,
    { cause: error },
  );
}

/** A size as DuckDB writes it: whole GB from 1GB up, else whole MB (rounded up). */
function sizeText(bytes: number): string {
  return bytes >= 1e9 && bytes % 1e9 === 0 ? `${bytes / 1e9}GB` : `${Math.ceil(bytes / 1e6)}MB`;
}

/** Discovers, runs the pipeline, prints in the chosen format and writes `--out`. */
export async function analyzeAndPrint(
  folder: string,
  options: AnalysisOptions,
  io: CommandIo,
  progress: Progress,
): Promise<{ output: AnalyzeOutput; discovery: Discovery }> {
  try {
    const analysis = await analyze(folder, options, progress).catch((error: unknown) => {
      throw memoryLimitTooLow(error, options.memoryLimit) ?? error;
    });
    progress.finishLine();
    io.out.write(
      options.format === "json"
        ? `${JSON.stringify(analysis.output, null, 2)}\n`
        : options.format === "csv"
          ? renderCsv(analysis.output.rows)
          : options.format === "focus"
            ? focusCsv(analysis.summaries.flatMap((s) => focusRows(s)))
            : renderTable(analysis.output, analysis.discovery),
    );
    if (options.out) {
      const written = await writeOutFolder(options.out, analysis.output);
      progress.note(`wrote ${written.join(", ")} to ${options.out}`);
    }
    return analysis;
  } finally {
    progress.finishLine();
  }
}

async function analyze(
  folder: string,
  options: AnalysisOptions,
  progress: Progress,
): Promise<{ output: AnalyzeOutput; discovery: Discovery; summaries: DaySummary[] }> {
  progress.note(`discovering inputs in ${folder}`);
  const discovery = await discoverInputs(folder);
  if (discovery.flowLogs.objects === 0) {
    throw new InvalidInputError(
      `${folder}: nothing to analyse: no VPC flow-log objects found (expected S3 keys ending AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/<file>.log.gz or the Hive-compatible layout; see docs/analyze.md)\n${renderDiscovery(discovery)}`,
    );
  }
  const clusters = discovery.kubernetes.clusters.map((c) => c.name);
  // A flag naming something the folder does not have: a usage error, checked before the pipeline runs.
  if (options.cluster !== undefined && !clusters.includes(options.cluster)) {
    throw new UsageError(
      `--cluster ${options.cluster}: no kubectl snapshots for it under inventory/kubernetes/ (found: ${clusters.join(", ") || "none"})`,
    );
  }
  const config = await loadConfig(folder, options.config);
  if (config.file) progress.note(`configuration from ${config.file}`);
  const result = await runPipeline({
    lakeDir: folder,
    prices: config.prices,
    memoryLimit: options.memoryLimit,
    from: options.from,
    to: options.to,
    cluster: options.cluster,
    onProgress: (p) => progress.update(p),
    onNote: (note) => progress.note(note),
  });
  if (result.days.length === 0) throw new InvalidInputError(noDataMessage(options, discovery));
  const output = buildAnalysis(result, {
    folder,
    discovery,
    from: options.from,
    to: options.to,
    cluster: options.cluster,
    prices: config.prices,
  });
  // The day documents are made again only for the FOCUS export (the run does not hold them).
  const summaries =
    options.format === "focus" ? result.days.flatMap((d) => (d.summary ? [d.summary] : [])) : [];
  return { output, discovery, summaries };
}

/** "No data in the window" names the window and the days the folder does have. */
function noDataMessage(options: AnalysisOptions, discovery: Discovery): string {
  const f = discovery.flowLogs;
  const has = `the flow logs in ${discovery.folder} cover ${
    f.timeRange ? `${iso(f.timeRange.from)} to ${iso(f.timeRange.to)}` : "no time range"
  } (days ${f.days.join(", ") || "none"})`;
  if (options.from === undefined && options.to === undefined)
    return `nothing to attribute: no flow-log record with traffic; ${has}`;
  const window = `${options.from === undefined ? "the start" : iso(options.from)} to ${
    options.to === undefined ? "the end" : iso(options.to)
  }`;
  return `no flow-log records in the window ${window}: ${has}; choose --from/--to within them`;
}

/** `--out`: the result rows (JSON and CSV), the ledger, the reconciliation and the whole document. */
async function writeOutFolder(dir: string, output: AnalyzeOutput): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ["analysis.json", `${JSON.stringify(output, null, 2)}\n`],
    ["rows.json", `${JSON.stringify(output.rows, null, 2)}\n`],
    ["rows.csv", renderCsv(output.rows)],
  ];
  if (output.ledger !== null) files.push(["ledger.json", `${JSON.stringify(output.ledger, null, 2)}\n`]);
  if (output.reconciliation !== null)
    files.push(["reconciliation.json", `${JSON.stringify(output.reconciliation, null, 2)}\n`]);
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => name);
}
