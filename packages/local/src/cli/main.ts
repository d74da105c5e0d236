import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage, FlowcostError, InvalidInputError } from "@flowcost/core";
import { type Discovery, discoverInputs } from "../discovery.ts";
import { runPipeline } from "../pipeline.ts";
import { generateScenario } from "../scenario/write.ts";
import { type AnalyzeOutput, analyzeJsonSchema, buildAnalysis } from "./output.ts";
import { Progress, type ProgressStream } from "./progress.ts";
import { renderCsv, renderDiscovery, renderTable } from "./render.ts";

const USAGE = `flowcost: who causes your EKS cross-AZ, NAT gateway and load balancer spend

Usage:
  flowcost analyze <folder> [options]  analyse your own exported data (see docs/analyze.md)
  flowcost demo [--out <folder>]       generate a realistic cluster's data and analyse it end to end
  flowcost schema                      print the JSON Schema of --format json output

Options:
  --from <date|time>                   first UTC day (YYYY-MM-DD) or instant (2026-11-22T09:00:00Z)
  --to <date|time>                     last UTC day, inclusive, or instant, exclusive
  --cluster <name>                     resolve addresses with this cluster's snapshots only
  --memory-limit <size>                DuckDB memory limit, e.g. 512MB or 4GB (default 1GB)
  --format table|json|csv              output on stdout (default table; csv: the daily result rows)
  --out <folder>                       analyze: also write rows, ledger and reconciliation there;
                                       demo: where to generate the data (default ./flowcost-demo)
  -h, --help                           this text

Exit codes: 0 success, 1 bad input (named in the message), 2 usage error, 3 internal error.
`;

/** A wrong flag or flag value: the message names it, and the usage follows. */
class UsageError extends Error {}

type OutStream = { write(text: string): unknown };
const FORMATS = ["table", "json", "csv"] as const;
type Format = (typeof FORMATS)[number];

export async function main(
  argv: string[],
  out: OutStream = process.stdout,
  err: ProgressStream = process.stderr,
) {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    err.write(`flowcost: ${errorMessage(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    out.write(USAGE);
    return 0;
  }
  const progress = new Progress(err);
  try {
    if (options.command === "schema") {
      out.write(analyzeJsonSchema());
      return 0;
    }
    let folder: string;
    if (options.command === "demo") {
      folder = resolve(options.out ?? "flowcost-demo");
      progress.note(`generating a demo cluster into ${folder}`);
      const scenario = await generateScenario({ outDir: folder, problems: true });
      progress.note(
        `wrote ${scenario.files.records} flow-log records in ${scenario.files.flowLogs} objects and ${scenario.files.snapshots} kubectl snapshots`,
      );
    } else {
      folder = resolve(options.folder);
    }
    const analysis = await analyze(folder, options, progress);
    progress.finishLine();
    out.write(
      options.format === "json"
        ? `${JSON.stringify(analysis.output, null, 2)}\n`
        : options.format === "csv"
          ? renderCsv(analysis.output.rows)
          : renderTable(analysis.output, analysis.discovery),
    );
    if (options.command === "analyze" && options.out) {
      const written = await writeOutFolder(resolve(options.out), analysis.output);
      progress.note(`wrote ${written.join(", ")} to ${resolve(options.out)}`);
    }
    return 0;
  } catch (error) {
    progress.finishLine();
    err.write(`flowcost: ${errorMessage(error)}\n`);
    return error instanceof FlowcostError && error.status < 500 ? 1 : 3;
  }
}

async function analyze(
  folder: string,
  options: ReturnType<typeof parseOptions>,
  progress: Progress,
): Promise<{ output: AnalyzeOutput; discovery: Discovery }> {
  progress.note(`discovering inputs in ${folder}`);
  const discovery = await discoverInputs(folder);
  if (discovery.flowLogs.objects === 0) {
    throw new InvalidInputError(
      `${folder}: nothing to analyse: no VPC flow-log objects found (expected S3 keys ending AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/<file>.log.gz or the Hive-compatible layout; see docs/analyze.md)\n${renderDiscovery(discovery)}`,
    );
  }
  const clusters = discovery.kubernetes.clusters.map((c) => c.name);
  if (options.cluster !== undefined && !clusters.includes(options.cluster)) {
    throw new InvalidInputError(
      `--cluster ${options.cluster}: no kubectl snapshots for it under inventory/kubernetes/ (found: ${clusters.join(", ") || "none"})`,
    );
  }
  const result = await runPipeline({
    lakeDir: folder,
    memoryLimit: options.memoryLimit,
    from: options.from,
    to: options.to,
    cluster: options.cluster,
    onProgress: (p) => progress.update(p),
  });
  const output = buildAnalysis(result, {
    folder,
    discovery,
    from: options.from,
    to: options.to,
    cluster: options.cluster,
  });
  return { output, discovery };
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

function parseOptions(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: "string" },
      "memory-limit": { type: "string" },
      format: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      cluster: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) return { help: true as const, command: "help", folder: "" };
  if (!command) throw new UsageError("a command is needed");
  if (command !== "analyze" && command !== "demo" && command !== "schema")
    throw new UsageError(`unknown command "${command}"`);
  const format = values.format ?? "table";
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be table, json or csv, not "${format}"`);
  const memoryLimit = values["memory-limit"];
  if (memoryLimit !== undefined && !/^\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)$/i.test(memoryLimit))
    throw new UsageError(`--memory-limit must be a size such as 512MB or 4GB, not "${memoryLimit}"`);
  const from = values.from === undefined ? undefined : parseInstant("--from", values.from, "start");
  const to = values.to === undefined ? undefined : parseInstant("--to", values.to, "end");
  if (from !== undefined && to !== undefined && from >= to)
    throw new UsageError(`--from (${values.from}) must be before --to (${values.to})`);
  let folder = "";
  if (command === "analyze") {
    if (rest.length !== 1)
      throw new UsageError("analyze needs exactly one folder: flowcost analyze <folder>");
    folder = rest[0] ?? "";
  } else if (rest.length > 0) {
    throw new UsageError(`${command} takes no arguments, got "${rest.join(" ")}"`);
  }
  return {
    help: false as const,
    command,
    folder,
    format: format as Format,
    out: values.out,
    memoryLimit,
    from,
    to,
    cluster: values.cluster,
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * `--from`/`--to` as Unix seconds. A date means the whole UTC day (so `--to` a date includes
 * it); a time without an offset is UTC, never the machine's zone, since days are UTC as in the CUR.
 */
export function parseInstant(flag: string, value: string, edge: "start" | "end"): number {
  const bad = () =>
    new UsageError(`${flag} "${value}" is not a UTC date (2026-11-22) or ISO time (2026-11-22T09:00:00Z)`);
  const date = DATE.exec(value);
  const time = date ? undefined : TIME.exec(value);
  const m = date ?? time;
  if (!m) throw bad();
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = Date.UTC(y, mo - 1, d);
  // Date.UTC rolls 2026-02-30 over to March; a real calendar date survives the round trip.
  if (new Date(day).getUTCMonth() !== mo - 1 || new Date(day).getUTCDate() !== d) throw bad();
  if (date) return day / 1000 + (edge === "end" ? 86400 : 0);
  const [hh, mm, ss] = [Number(time?.[4]), Number(time?.[5]), Number(time?.[6] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59) throw bad();
  const offset = time?.[7] && time[7] !== "Z" ? time[7] : "Z";
  const ms = Date.parse(
    `${value.slice(0, 10)}T${String(hh).padStart(2, "0")}:${time?.[5]}:${String(ss).padStart(2, "0")}${offset}`,
  );
  if (Number.isNaN(ms)) throw bad();
  return Math.floor(ms / 1000);
}
