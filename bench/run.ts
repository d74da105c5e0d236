/**
 * `npm run bench`: generates flow logs at one or more scales and measures, each stage in its own
 * process and each figure over several runs (medians reported): DuckDB's bare read of the raw
 * objects (the floor), compaction, identity building, attribution, the whole local pipeline,
 * the compacted size against the raw size, and the inventory snapshot job. Writes
 * bench/results/<YYYY-MM-DD>.json and prints tables. Not part of `npm test`: nothing asserts on time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { parseMemoryLimit } from "../packages/local/src/engine/memory-share.ts";
import { type DatasetManifest, datasetDir, generatorHash, readManifest, treeBytes } from "./dataset.ts";
import { STAGES, type Stage, type StageRequest, type StageResult } from "./stage.ts";
import { formatTable, growthPerDoubling, median, mib, millions, rate } from "./stats.ts";

const USAGE = `npm run bench -- [options]
  --scale <list>         flow records per dataset, in millions, comma-separated (default 20)
  --runs <n>             runs per stage; medians are reported (default 3)
  --stages <list>        subset of ${STAGES.join(",")} (default all)
  --seed <n>             generator seed (default 42)
  --memory-limit <size>  DuckDB memory_limit, as flowcost analyze takes it (default 1GB)
  --threads <n>          DuckDB threads (default 2)
  --regenerate           regenerate data even when bench/data has it for this scale and seed
  --keep-data            reuse bench/data even when the generator's source changed since (say so
                         only when the change keeps the generator's default output, e.g. a new option)
  --out <file>           results file (default bench/results/<YYYY-MM-DD>.json)
`;

const ROOT = new URL("../", import.meta.url).pathname;
const STAGE_SCRIPT = join(ROOT, "bench/stage.ts");

interface StageSummary {
  readonly runs: StageResult[];
  readonly medianSeconds?: number;
  readonly medianPeakMiB?: number;
  readonly medianCpuSeconds?: number;
  readonly rows?: number;
  readonly rowsPerSecond?: number;
  /** rows/s of this stage over rows/s of the bare read (only for stages that read the raw records). */
  readonly ratioToBaseline?: number;
  readonly unavailable?: string;
}

interface ScaleResult {
  readonly targetRecords: number;
  readonly ratios: RatioFigure[];
  readonly memory: Array<{ stage: Stage; worst: number; met: boolean }>;
  readonly dataset: DatasetManifest;
  readonly generation?: StageResult;
  readonly sizes: { rawFlowLogBytes: number; compactedFlowBytes: number; compactedOverRaw: number };
  readonly stages: Partial<Record<Stage, StageSummary>>;
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: "string", default: "20" },
      runs: { type: "string", default: "3" },
      stages: { type: "string", default: STAGES.join(",") },
      seed: { type: "string", default: "42" },
      "memory-limit": { type: "string", default: "1GB" },
      threads: { type: "string", default: "2" },
      regenerate: { type: "boolean", default: false },
      "keep-data": { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const positiveNumber = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`--${name}: expected a positive number, got "${text}"`);
    return n;
  };
  const scales = values.scale.split(",").map((s) => positiveNumber("scale", s.trim()));
  const stages = values.stages.split(",").map((s) => s.trim());
  for (const s of stages) {
    if (!(STAGES as readonly string[]).includes(s)) throw new Error(`--stages: unknown stage "${s}"`);
  }
  return {
    help: values.help,
    targets: [...new Set(scales.map((m) => Math.round(m * 1e6)))].sort((a, b) => a - b),
    runs: Math.round(positiveNumber("runs", values.runs)),
    stages: STAGES.filter((s) => stages.includes(s)),
    seed: Math.round(positiveNumber("seed", values.seed)),
    memoryLimit: values["memory-limit"],
    threads: Math.round(positiveNumber("threads", values.threads)),
    regenerate: values.regenerate,
    keepData: values["keep-data"],
    out: values.out,
  };
}

/** Runs one stage in a fresh process and returns its result line. */
function runChild(request: StageRequest, nodeOptions: string[] = []): StageResult {
  const child = spawnSync(
    process.execPath,
    [...nodeOptions, "--import", "tsx", STAGE_SCRIPT, JSON.stringify(request)],
    {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status !== 0 || !last.startsWith("{")) {
    throw new Error(
      `stage ${request.stage} on ${request.dir} failed (exit ${child.status}): ${child.stdout.slice(-2000)}`,
    );
  }
  return JSON.parse(last) as StageResult;
}

async function ensureDataset(
  dataRoot: string,
  targetRecords: number,
  seed: number,
  regenerate: boolean,
  keepData: boolean,
): Promise<{ dir: string; manifest: DatasetManifest; generation?: StageResult }> {
  const dir = datasetDir(dataRoot, targetRecords, seed);
  const existing = await readManifest(dir);
  const hash = await generatorHash();
  if (existing && !regenerate && (existing.generatorHash === hash || keepData)) {
    const older =
      existing.generatorHash === hash ? "" : ` from generator ${existing.generatorHash} (now ${hash})`;
    log(`reusing ${relative(ROOT, dir)} (${existing.records.toLocaleString("en")} records)${older}`);
    return { dir, manifest: existing };
  }
  log(`generating ${millions(targetRecords)}M records into ${relative(ROOT, dir)}`);
  const generation = runChild({ stage: "generate", dir, targetRecords, seed });
  const manifest = await readManifest(dir);
  if (!manifest) throw new Error(`${dir}: generation finished without a manifest`);
  log(`generated in ${(generation.ms / 1000).toFixed(1)} s, peak ${mib(generation.maxRssKb)} MiB`);
  return { dir, manifest, generation };
}

function summarise(
  stage: Stage,
  runs: StageResult[],
  manifest: DatasetManifest,
  baselineRate?: number,
): StageSummary {
  const unavailable = runs.find((r) => r.unavailable)?.unavailable;
  if (unavailable) return { runs, unavailable };
  const medianSeconds = median(runs.map((r) => r.ms)) / 1000;
  const readsRaw = RAW_STAGES.has(stage);
  const counted = runs.flatMap((r) => (r.rows === undefined ? [] : [r.rows]));
  const rows = readsRaw ? manifest.records : counted.length > 0 ? median(counted) : undefined;
  const rowsPerSecond = rows !== undefined && medianSeconds > 0 ? rows / medianSeconds : undefined;
  return {
    runs,
    medianSeconds,
    medianPeakMiB: median(runs.map((r) => r.maxRssKb)) / 1024,
    medianCpuSeconds: median(runs.map((r) => r.cpuSeconds ?? Number.NaN)),
    rows,
    rowsPerSecond,
    ratioToBaseline:
      readsRaw && stage !== "baseline" && baselineRate && rowsPerSecond
        ? rowsPerSecond / baselineRate
        : undefined,
  };
}

/** Stages whose rows are the dataset's raw records. */
const RAW_STAGES: ReadonlySet<Stage> = new Set(["baseline", "baseline-projected", "compact", "pipeline"]);

const ROW_LABEL: Record<Stage, string> = {
  baseline: "raw records",
  "baseline-projected": "raw records",
  compact: "raw records",
  identity: "intervals",
  "attribute-floor": "compacted rows",
  attribute: "compacted rows",
  pipeline: "raw records",
  inventory: "pods",
};

function scaleTable(scale: ScaleResult): string {
  const rows = Object.entries(scale.stages).map(([stage, s]) => {
    if (s.unavailable) return [stage, "-", "-", "-", "-", "-", "-", "not measured (below)"];
    return [
      stage,
      s.rows === undefined ? "-" : `${s.rows.toLocaleString("en")} ${ROW_LABEL[stage as Stage]}`,
      (s.medianSeconds ?? 0).toFixed(2),
      s.rowsPerSecond === undefined ? "-" : rate(s.rowsPerSecond),
      s.ratioToBaseline === undefined ? "-" : s.ratioToBaseline.toFixed(2),
      `${Math.round(s.medianPeakMiB ?? 0)}`,
      (s.medianCpuSeconds ?? Number.NaN).toFixed(1),
      s.runs.map((r) => (r.ms / 1000).toFixed(2)).join(" / "),
    ];
  });
  const gaps = Object.entries(scale.stages)
    .filter(([, s]) => s.unavailable)
    .map(([stage, s]) => `\n${stage}: not measured: ${s.unavailable}`)
    .join("");
  return `${formatTable(["stage", "rows", "median s", "rows/s", "vs bare read", "peak MiB", "CPU s", "runs (s)"], rows)}${gaps}`;
}

/**
 * The issue's targets, each a ratio of rates over the same rows measured in the same run:
 * `stage` against its `floor` (rate of stage / rate of floor, i.e. floor time / stage time).
 */
const RATIO_TARGETS: ReadonlyArray<{ name: string; stage: Stage; floor: Stage; target: number }> = [
  { name: "compaction / projected read", stage: "compact", floor: "baseline-projected", target: 0.75 },
  { name: "compaction / bare read", stage: "compact", floor: "baseline", target: Number.NaN },
  { name: "attribution / its floor", stage: "attribute", floor: "attribute-floor", target: 0.5 },
  { name: "analyze end to end / bare read", stage: "pipeline", floor: "baseline", target: 0.35 },
];

/** Peak resident memory of the whole process over --memory-limit, at most this at every stage. */
const MEMORY_TARGET = 1.2;

export interface RatioFigure {
  readonly name: string;
  readonly target?: number;
  /** Median of the per-round ratios (round i's stage against round i's floor). */
  readonly median: number;
  readonly rounds: number[];
  /**
   * The same ratio in CPU seconds of the work (floor's over the stage's), median of the rounds:
   * what the wall ratio would be if both used the cores alike, and hardly moved by load.
   */
  readonly cpuMedian?: number;
  readonly met?: boolean;
}

/**
 * Each ratio per round (the stage and its floor ran back to back, so they saw about the same
 * load), then the median of the rounds; and peak memory over the limit, the worst run per stage.
 */
function ratiosOf(
  perStage: ReadonlyMap<Stage, StageResult[]>,
  memoryLimit: string,
): { ratios: RatioFigure[]; memory: Array<{ stage: Stage; worst: number; met: boolean }> } {
  const ratios: RatioFigure[] = [];
  for (const r of RATIO_TARGETS) {
    const stage = perStage.get(r.stage);
    const floor = perStage.get(r.floor);
    if (!stage || !floor || stage.some((x) => x.unavailable) || floor.some((x) => x.unavailable)) continue;
    const rounds = stage.flatMap((x, i) => {
      const f = floor[i];
      return f && x.ms > 0 ? [f.ms / x.ms] : [];
    });
    const m = median(rounds);
    const cpuRounds = stage.flatMap((x, i) => {
      const f = floor[i]?.workCpuSeconds;
      return f !== undefined && x.workCpuSeconds ? [f / x.workCpuSeconds] : [];
    });
    const target = Number.isNaN(r.target) ? undefined : r.target;
    ratios.push({
      name: r.name,
      target,
      median: m,
      rounds,
      cpuMedian: cpuRounds.length > 0 ? median(cpuRounds) : undefined,
      met: target === undefined ? undefined : m >= target,
    });
  }
  const limit = parseMemoryLimit(memoryLimit);
  const memory = limit
    ? [...perStage].flatMap(([stage, runs]) => {
        if (runs.some((x) => x.unavailable)) return [];
        const worst = Math.max(...runs.map((x) => (x.maxRssKb * 1024) / limit));
        return [{ stage, worst, met: worst <= MEMORY_TARGET }];
      })
    : [];
  return { ratios, memory };
}

function ratioTable(figures: ReturnType<typeof ratiosOf>, memoryLimit: string): string {
  const rows = figures.ratios.map((r) => [
    r.name,
    r.median.toFixed(2),
    r.target === undefined ? "-" : `>= ${r.target}`,
    r.met === undefined ? "-" : r.met ? "met" : "MISSED",
    r.rounds.map((x) => x.toFixed(2)).join(" / "),
    r.cpuMedian === undefined ? "-" : r.cpuMedian.toFixed(2),
  ]);
  for (const m of figures.memory) {
    rows.push([
      `${m.stage} peak RSS / --memory-limit ${memoryLimit}`,
      m.worst.toFixed(2),
      `<= ${MEMORY_TARGET}`,
      m.met ? "met" : "MISSED",
      "worst run",
      "-",
    ]);
  }
  return formatTable(["figure", "measured", "target", "", "per round", "in CPU s"], rows);
}

interface Growth {
  readonly stage: Stage;
  readonly fromRecords: number;
  readonly toRecords: number;
  readonly timePerDoubling: number;
  readonly memoryPerDoubling: number;
  readonly cpuPerDoubling: number;
  readonly time: string;
  readonly memory: string;
}

const shape = (perDoubling: number) =>
  Number.isNaN(perDoubling)
    ? "n/a"
    : perDoubling < 1.15
      ? "flat"
      : perDoubling < 1.7
        ? "sublinear"
        : perDoubling <= 2.3
          ? "linear"
          : "superlinear";

function growthBetween(scales: ScaleResult[], stages: Stage[]): Growth[] {
  const growth: Growth[] = [];
  for (let i = 1; i < scales.length; i++) {
    const a = scales[i - 1] as ScaleResult;
    const b = scales[i] as ScaleResult;
    // The inventory snapshot's size is fixed (10,000 pods), not the flow records'.
    for (const stage of stages.filter((s) => s !== "inventory")) {
      const sa = a.stages[stage];
      const sb = b.stages[stage];
      if (!sa?.medianSeconds || !sb?.medianSeconds || !sa.medianPeakMiB || !sb.medianPeakMiB) continue;
      const time = growthPerDoubling(
        a.dataset.records,
        sa.medianSeconds,
        b.dataset.records,
        sb.medianSeconds,
      );
      const memory = growthPerDoubling(
        a.dataset.records,
        sa.medianPeakMiB,
        b.dataset.records,
        sb.medianPeakMiB,
      );
      const cpu = growthPerDoubling(
        a.dataset.records,
        sa.medianCpuSeconds ?? Number.NaN,
        b.dataset.records,
        sb.medianCpuSeconds ?? Number.NaN,
      );
      growth.push({
        stage,
        fromRecords: a.dataset.records,
        toRecords: b.dataset.records,
        timePerDoubling: time,
        memoryPerDoubling: memory,
        cpuPerDoubling: cpu,
        time: shape(time),
        memory: shape(memory),
      });
    }
  }
  return growth;
}

async function machine() {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const version = (await connection.runAndReadAll("SELECT version() AS v")).getRowObjectsJS()[0]?.v;
  connection.closeSync();
  instance.closeSync();
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    } catch {
      return "unknown";
    }
  };
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    duckdb: String(version),
    // A run from an exported snapshot (git archive) has no .git: its caller names the commit.
    commit: process.env.BENCH_COMMIT ?? git(["rev-parse", "--short", "HEAD"]),
  };
}

/** The 1-minute load averages the stages ended with, lowest to highest. */
function loadRange(perStage: ReadonlyMap<Stage, StageResult[]>): string {
  const loads = [...perStage.values()]
    .flat()
    .flatMap((r) => (r.loadAverage === undefined ? [] : [r.loadAverage]));
  return loads.length === 0 ? "unknown" : `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`;
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const startedAt = new Date();
  const dataRoot = join(ROOT, "bench/data");
  const out = options.out ?? join(ROOT, "bench/results", `${startedAt.toISOString().slice(0, 10)}.json`);
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const host = await machine();
  log(`${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}, DuckDB ${host.duckdb}`);

  const scales: ScaleResult[] = [];
  for (const target of options.targets) {
    const { dir, manifest, generation } = await ensureDataset(
      dataRoot,
      target,
      options.seed,
      options.regenerate,
      options.keepData,
    );
    const perStage = new Map<Stage, StageResult[]>();
    for (let run = 1; run <= options.runs; run++) {
      for (const stage of options.stages) {
        const result = runChild({
          stage,
          dir,
          memoryLimit: options.memoryLimit,
          threads: options.threads,
        });
        perStage.set(stage, [...(perStage.get(stage) ?? []), result]);
        log(
          result.unavailable
            ? `${stage}: not measured (${result.unavailable})`
            : `${millions(manifest.records)}M run ${run}/${options.runs} ${stage}: ${(result.ms / 1000).toFixed(2)} s, ` +
                `${(result.cpuSeconds ?? 0).toFixed(1)} CPU s, peak ${mib(result.maxRssKb)} MiB, load ${result.loadAverage}`,
        );
      }
    }
    const baselineRuns = perStage.get("baseline");
    const baselineSeconds = baselineRuns ? median(baselineRuns.map((r) => r.ms)) / 1000 : undefined;
    const baselineRate = baselineSeconds ? manifest.records / baselineSeconds : undefined;
    const stages: ScaleResult["stages"] = {};
    for (const [stage, runs] of perStage) stages[stage] = summarise(stage, runs, manifest, baselineRate);
    const compactedFlowBytes = await treeBytes(join(dir, "curated/flows"), ".parquet");
    const figures = ratiosOf(perStage, options.memoryLimit);
    const scale: ScaleResult = {
      targetRecords: target,
      ...figures,
      dataset: manifest,
      generation,
      sizes: {
        rawFlowLogBytes: manifest.rawFlowLogBytes,
        compactedFlowBytes,
        compactedOverRaw: compactedFlowBytes / manifest.rawFlowLogBytes,
      },
      stages,
    };
    scales.push(scale);
    process.stdout.write(
      `\n${millions(manifest.records)}M flow records (${Math.round(manifest.hours * 60)} min of ${manifest.pods} pods, ` +
        `${manifest.flowLogObjects} objects, ${manifest.snapshots} snapshots), ${options.runs} runs, medians:\n` +
        `${scaleTable(scale)}\n` +
        `raw flow logs ${(manifest.rawFlowLogBytes / 1e6).toFixed(1)} MB (gzip text) -> compacted ` +
        `${(compactedFlowBytes / 1e6).toFixed(1)} MB (Parquet, zstd): ${(100 * scale.sizes.compactedOverRaw).toFixed(1)}% of raw\n` +
        `\nTargets (ratios of rates over the same rows, per round, median of ${options.runs}; load average ${loadRange(perStage)}):\n` +
        `${ratioTable(figures, options.memoryLimit)}\n`,
    );
  }

  const growth = growthBetween(scales, options.stages);
  if (growth.length > 0) {
    process.stdout.write(
      `\nGrowth per doubling of the input (2.00 = linear; memory is bounded by --memory-limit):\n${formatTable(
        ["stage", "from -> to records", "time x", "time", "CPU x", "peak memory x", "memory"],
        growth.map((g) => [
          g.stage,
          `${millions(g.fromRecords)}M -> ${millions(g.toRecords)}M`,
          g.timePerDoubling.toFixed(2),
          g.time,
          g.cpuPerDoubling.toFixed(2),
          g.memoryPerDoubling.toFixed(2),
          g.memory,
        ]),
      )}\n`,
    );
  }

  const finishedAt = new Date();
  const results = {
    date: startedAt.toISOString().slice(0, 10),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    totalSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    // Other processes share the cores: a load above the core count means contended figures.
    loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: host,
    options: { ...options, out: relative(ROOT, out) },
    scales,
    growth,
  };
  await mkdir(join(out, ".."), { recursive: true });
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${relative(ROOT, out)} in ${results.totalSeconds} s total`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(1);
});
