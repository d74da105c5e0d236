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
): Promise<{ dir: string; manifest: DatasetManifest; generation?: StageResult }> {
  const dir = datasetDir(dataRoot, targetRecords, seed);
  const existing = await readManifest(dir);
  if (existing && !regenerate && existing.generatorHash === (await generatorHash())) {
    log(`reusing ${relative(ROOT, dir)} (${existing.records.toLocaleString("en")} records)`);
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
  const readsRaw = stage === "baseline" || stage === "compact" || stage === "pipeline";
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

const ROW_LABEL: Record<Stage, string> = {
  baseline: "raw records",
  compact: "raw records",
  identity: "intervals",
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
    const scale: ScaleResult = {
      targetRecords: target,
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
        `${(compactedFlowBytes / 1e6).toFixed(1)} MB (Parquet, zstd): ${(100 * scale.sizes.compactedOverRaw).toFixed(1)}% of raw\n`,
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
