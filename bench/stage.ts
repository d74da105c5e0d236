/**
 * One benchmark stage in its own process, so its peak memory (maxRSS) is the stage's alone.
 * Usage: node --import tsx bench/stage.ts '<StageRequest JSON>'. The last stdout line is the
 * StageResult JSON; progress goes to stderr.
 */
import { readdir } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { getHeapStatistics } from "node:v8";
import { DuckDBInstance } from "@duckdb/node-api";
import { dayWindow, flowField } from "@flowcost/core";
import { buildAnalysis } from "../packages/local/src/cli/output.ts";
import { renderTable } from "../packages/local/src/cli/render.ts";
import { discoverInputs } from "../packages/local/src/discovery.ts";
import { DuckDbEngine } from "../packages/local/src/engine/duckdb-engine.ts";
import { attributeDay } from "../packages/local/src/jobs/attribute.ts";
import { compactFlowLogs } from "../packages/local/src/jobs/compact.ts";
import { buildIdentityDay } from "../packages/local/src/jobs/identity.ts";
import { findFlowLogFiles, readFirstLine } from "../packages/local/src/lake/flow-log-files.ts";
import { runPipeline } from "../packages/local/src/pipeline.ts";
import { generateDataset } from "./dataset.ts";

export const STAGES = [
  "baseline",
  "baseline-projected",
  "compact",
  "identity",
  "attribute-floor",
  "attribute",
  "pipeline",
  "inventory",
] as const;
export type Stage = (typeof STAGES)[number];

export type StageRequest =
  | {
      readonly stage: "generate";
      readonly dir: string;
      readonly targetRecords: number;
      readonly seed: number;
    }
  | {
      readonly stage: Stage;
      readonly dir: string;
      readonly memoryLimit: string;
      readonly threads: number;
      readonly pods?: number;
      readonly nodes?: number;
      /** Compaction's passes (the compact stage), instead of those compactFlowLogs chooses. */
      readonly passes?: number;
    };

export interface StageResult {
  readonly stage: Stage | "generate";
  /** Wall time of the measured work only (after imports and engine start). */
  readonly ms: number;
  /** Peak resident set of the whole stage process, KiB. */
  readonly maxRssKb: number;
  /**
   * CPU seconds (user + system) of the whole process, imports included: unlike wall time it
   * hardly moves when other processes share the cores.
   */
  readonly cpuSeconds?: number;
  /**
   * CPU seconds (every thread, DuckDB's included) of the stage's work alone, imports excluded:
   * the figure to compare stages by when other processes share the cores.
   */
  readonly workCpuSeconds?: number;
  /** 1-minute load average when the stage ended: above the core count, wall times are contended. */
  readonly loadAverage?: number;
  /** Rows the stage processed (raw records, compacted rows, intervals, pods...). */
  readonly rows?: number;
  readonly detail?: Record<string, unknown>;
  /** Set when the stage cannot run here (e.g. a component not built yet): the reason, not a figure. */
  readonly unavailable?: string;
}

/** The engine's column types for flow-log fields (core's field catalogue), so both reads parse alike. */
const SQL_TYPE = { int: "INTEGER", bigint: "BIGINT", string: "VARCHAR" } as const;
const sqlType = (name: string) => SQL_TYPE[flowField(name)?.type ?? "string"];

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The raw-record columns compaction reads (compact_flows_directed and compact_flows name these,
 * srcport and dstport for the service port, log-status and end for the ledger and gaps).
 */
const COMPACTION_COLUMNS = new Set([
  "account_id",
  "region",
  "vpc_id",
  "interface_id",
  "az_id",
  "flow_direction",
  "srcaddr",
  "dstaddr",
  "pkt_srcaddr",
  "pkt_dstaddr",
  "pkt_src_aws_service",
  "pkt_dst_aws_service",
  "traffic_path",
  "protocol",
  "srcport",
  "dstport",
  "action",
  "start",
  "end",
  "bytes",
  "packets",
  "log_status",
]);

/**
 * A floor: DuckDB's own read of the same gzip text objects (every column typed as the engine
 * types it, same threads and memory limit), with `select` over the result: count and sum for
 * the bare read; one trivial aggregate per column compaction reads for the projected read.
 */
async function rawRead(
  req: Extract<StageRequest, { stage: Stage }>,
  select: (header: ReadonlyArray<string>) => string,
): Promise<StageResult> {
  const files = (await findFlowLogFiles(req.dir)).map((f) => f.path);
  const first = files[0];
  if (!first) throw new Error(`${req.dir}: no flow-log objects to read`);
  const header = (await readFirstLine(first)).trim().split(" ");
  const columns = header.map((name) => `${sqlString(name)}: '${sqlType(name)}'`).join(", ");
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: req.memoryLimit,
    threads: String(req.threads),
  });
  const connection = await instance.connect();
  try {
    const started = performance.now();
    const reader = await connection.runAndReadAll(
      `SELECT ${select(header)} FROM read_csv([${files.map(sqlString).join(", ")}], ` +
        `delim = ' ', header = true, nullstr = '-', auto_detect = false, columns = {${columns}})`,
    );
    const ms = performance.now() - started;
    const row = reader.getRowObjectsJS()[0] ?? {};
    return {
      stage: req.stage,
      ms,
      maxRssKb: 0,
      rows: Number(row.records),
      detail: { objects: files.length, bytes: Number(row.bytes) },
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The bare read: count and the sum of one column, nothing else parsed that DuckDB can skip. */
function baseline(req: Extract<StageRequest, { stage: Stage }>): Promise<StageResult> {
  return rawRead(req, () => "count(*) AS records, sum(bytes) AS bytes");
}

/**
 * The projected read: exactly the columns compaction reads, each parsed and aggregated
 * (`count(column)`, which DuckDB cannot answer without the column's values), the floor
 * compaction's own parse cannot go below.
 */
function baselineProjected(req: Extract<StageRequest, { stage: Stage }>): Promise<StageResult> {
  return rawRead(req, (header) => {
    const read = header.filter((name) => COMPACTION_COLUMNS.has(flowField(name)?.column ?? ""));
    return [
      "count(*) AS records",
      "sum(bytes) AS bytes",
      ...read.filter((name) => name !== "bytes").map((name, i) => `count("${name}") AS c${i}`),
    ].join(", ");
  });
}

/** Runs `work` on the stage's engine (the lake folder, memory limit and threads it was given), then closes it. */
async function withEngine<T>(
  req: Extract<StageRequest, { stage: Stage }>,
  work: (engine: DuckDbEngine) => Promise<T>,
): Promise<T> {
  const engine = await DuckDbEngine.open({
    lakeDir: req.dir,
    memoryLimit: req.memoryLimit,
    threads: req.threads,
  });
  try {
    return await work(engine);
  } finally {
    engine.close();
  }
}

/**
 * The compaction step of runPipeline (compactFlowLogs): reading the objects into the engine,
 * with the ledger scan, then every hour's compaction. The time is both together, the part that
 * compares with the bare read; the detail splits them.
 */
async function compact(req: Extract<StageRequest, { stage: Stage }>): Promise<StageResult> {
  return withEngine(req, async (engine) => {
    const files = await findFlowLogFiles(req.dir);
    const started = performance.now();
    let loadedAt = started;
    const { hours, passes } = await compactFlowLogs(engine, req.dir, files, {
      passes: req.passes,
      onLoaded: () => {
        loadedAt = performance.now();
      },
    });
    const ms = performance.now() - started;
    return {
      stage: "compact",
      ms,
      maxRssKb: 0,
      detail: {
        readMs: loadedAt - started,
        compactMs: ms - (loadedAt - started),
        hours: hours.length,
        compactedRows: hours.reduce((n, h) => n + h.result.rowsWritten, 0),
        objects: files.length,
        passes,
      },
    };
  });
}

/** The days that have compacted flows, as runPipeline chooses them. */
async function compactedDays(lakeDir: string): Promise<string[]> {
  const entries = await readdir(join(lakeDir, "curated/flows")).catch(() => []);
  const days = entries.filter((e) => e.startsWith("dt=")).map((e) => e.slice(3));
  if (days.length === 0) throw new Error(`${lakeDir}: no compacted flows; run the compact stage first`);
  return days.sort();
}

async function identity(req: Extract<StageRequest, { stage: Stage }>): Promise<StageResult> {
  const days = await compactedDays(req.dir);
  return withEngine(req, async (engine) => {
    const started = performance.now();
    let intervals = 0;
    for (const dt of days) intervals += (await buildIdentityDay(engine, req.dir, dayWindow(dt))).intervals;
    return {
      stage: "identity",
      ms: performance.now() - started,
      maxRssKb: 0,
      rows: intervals,
      detail: { days },
    };
  });
}

async function attribute(req: Extract<StageRequest, { stage: Stage }>): Promise<StageResult> {
  const days = await compactedDays(req.dir);
  return withEngine(req, async (engine) => {
    const regions = [...new Set((await findFlowLogFiles(req.dir)).map((f) => f.region))].sort();
    const [counted] = await engine.run("SELECT count(*) AS n FROM curated_flows");
    const compactedRows = Number(counted?.n ?? 0);
    const started = performance.now();
    let resultRows = 0;
    // As runPipeline does: the first region prices the day, the lake's CUR export reconciles it.
    for (const dt of days) {
      resultRows += (await attributeDay(engine, dayWindow(dt), regions[0] ?? "us-east-1", req.dir)).rows
        .length;
    }
    return {
      stage: "attribute",
      ms: performance.now() - started,
      maxRssKb: 0,
      rows: compactedRows,
      detail: { days, regions, resultRows },
    };
  });
}

/**
 * Attribution's floor: the counting rule's one aggregate, the day's compacted rows summed per
 * conversation and ENI (the nine columns attribute_flows' first pass groups on, with its sum and
 * time bounds), over the same curated_flows views and engine settings, written to nothing (a
 * count of the groups and totals of the aggregates, so none is pruned).
 */
async function attributeFloor(req: Extract<StageRequest, { stage: Stage }>): Promise<StageResult> {
  const days = await compactedDays(req.dir);
  return withEngine(req, async (engine) => {
    const [counted] = await engine.run("SELECT count(*) AS n FROM curated_flows");
    const started = performance.now();
    let groups = 0;
    for (const dt of days) {
      const [row] = await engine.run(
        `SELECT count(*) AS groups, sum(bytes) AS bytes, min(min_first_start) AS a, max(max_first_start) AS b,
                min(min_last_end) AS c, max(max_last_end) AS d
         FROM (
           SELECT az_id, flow_direction, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr,
                  pkt_src_aws_service, pkt_dst_aws_service, service_port,
                  sum(bytes) AS bytes, min(first_start) AS min_first_start, max(first_start) AS max_first_start,
                  min(last_end) AS min_last_end, max(last_end) AS max_last_end
           FROM curated_flows
           WHERE dt = ${sqlString(dt)} AND action = 'ACCEPT' AND flow_direction IN ('egress', 'ingress')
           GROUP BY ALL
         )`,
      );
      groups += Number(row?.groups ?? 0);
    }
    return {
      stage: "attribute-floor",
      ms: performance.now() - started,
      maxRssKb: 0,
      rows: Number(counted?.n ?? 0),
      detail: { days, groups },
    };
  });
}

/**
 * Peak resident memory and wall seconds per step of a run, memory sampled every 10 ms (between
 * samples a peak can be missed; the process's maxRSS is the exact overall figure).
 */
function stepPeaks() {
  const peaks: Record<string, number> = {};
  const heapPeaks: Record<string, number> = {};
  const seconds: Record<string, number> = {};
  let step = "start";
  let since = performance.now();
  const sample = () => {
    peaks[step] = Math.max(peaks[step] ?? 0, Math.round(process.memoryUsage.rss() / 2 ** 20));
    // What the JavaScript heap holds (result rows, documents): the part DuckDB's limit never bounds.
    heapPeaks[step] = Math.max(
      heapPeaks[step] ?? 0,
      Math.round(getHeapStatistics().used_heap_size / 2 ** 20),
    );
  };
  const close = () => {
    sample();
    const now = performance.now();
    seconds[step] = Math.round(((seconds[step] ?? 0) + (now - since) / 1000) * 100) / 100;
    since = now;
  };
  const timer = setInterval(sample, 10);
  return {
    onStep(next: string) {
      close();
      step = next.replace(/\d{4}-\d{2}-\d{2}/, "<day>").replace(/\d+/g, "N");
    },
    stop(): {
      peakMiB: Record<string, number>;
      heapPeakMiB: Record<string, number>;
      seconds: Record<string, number>;
    } {
      close();
      clearInterval(timer);
      return { peakMiB: peaks, heapPeakMiB: heapPeaks, seconds };
    },
  };
}

async function pipeline(req: Extract<StageRequest, { stage: Stage }>): Promise<StageResult> {
  const peaks = stepPeaks();
  const started = performance.now();
  // What `flowcost analyze <folder>` does around the pipeline is measured with it: the folder's
  // discovery before, the analysis output (totals, top workloads and pairs, warnings) and its
  // table after. That part once cost more than the pipeline (a list copied per result row).
  peaks.onStep("discovering inputs");
  const discovery = await discoverInputs(req.dir);
  const result = await runPipeline({
    lakeDir: req.dir,
    memoryLimit: req.memoryLimit,
    threads: req.threads,
    onStep: peaks.onStep,
  });
  peaks.onStep("shaping the output");
  const printed = renderTable(buildAnalysis(result, { folder: req.dir, discovery }), discovery).length;
  return {
    stage: "pipeline",
    ms: performance.now() - started,
    maxRssKb: 0,
    detail: {
      steps: peaks.stop(),
      objects: result.flowLogObjects,
      hours: result.hours.length,
      days: result.days.length,
      compactedRows: result.hours.reduce((n, h) => n + h.result.rowsWritten, 0),
      printedChars: printed,
    },
  };
}

/**
 * The snapshot job's Kubernetes read (client-node, paged) plus gzip, against the local API server
 * at the given size, through the inventory helper's measure. The server runs in this process, so
 * the peak memory includes it: an upper bound for the job's own.
 */
async function inventory(req: Extract<StageRequest, { stage: Stage }>): Promise<StageResult> {
  const { measureInventorySnapshot } = await import("../test/support/bench-inventory-snapshot.ts");
  const measured = await measureInventorySnapshot(req.pods ?? 10_000, req.nodes ?? 1_000);
  return {
    stage: "inventory",
    ms: measured.seconds * 1000,
    maxRssKb: 0,
    rows: measured.pods,
    detail: {
      nodes: measured.nodes,
      items: measured.items,
      pages: measured.pages,
      gzipBytes: measured.gzipBytes,
    },
  };
}

const RUNNERS: Record<Stage, (req: Extract<StageRequest, { stage: Stage }>) => Promise<StageResult>> = {
  baseline,
  "baseline-projected": baselineProjected,
  compact,
  identity,
  "attribute-floor": attributeFloor,
  attribute,
  pipeline,
  inventory,
};

async function runStage(req: StageRequest): Promise<StageResult> {
  if (req.stage === "generate") {
    const started = performance.now();
    const manifest = await generateDataset(req.dir, req.targetRecords, req.seed);
    return {
      stage: "generate",
      ms: performance.now() - started,
      maxRssKb: 0,
      rows: manifest.records,
      detail: { ...manifest },
    };
  }
  return RUNNERS[req.stage](req);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const request = JSON.parse(process.argv[2] ?? "null") as StageRequest | null;
  if (!request) throw new Error("usage: node --import tsx bench/stage.ts '<StageRequest JSON>'");
  const before = process.cpuUsage();
  const result = await runStage(request);
  const work = process.cpuUsage(before);
  // maxRSS is in KiB on Linux and macOS; read at the very end so it covers the whole stage.
  const usage = process.resourceUsage();
  const measured: StageResult = {
    ...result,
    maxRssKb: usage.maxRSS,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    workCpuSeconds: (work.user + work.system) / 1e6,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
  process.stdout.write(`\n${JSON.stringify(measured)}\n`);
}
