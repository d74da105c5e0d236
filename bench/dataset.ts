import { createHash } from "node:crypto";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DEMO_WORKLOADS } from "../packages/local/src/scenario/topology.ts";
import { DEMO_TRAFFIC, type TrafficEdge } from "../packages/local/src/scenario/traffic.ts";
import { generateScenario } from "../packages/local/src/scenario/write.ts";

/**
 * The benchmark cluster: 20 nodes per AZ and 45 replicas per demo replica, about 500 pods.
 * On top of the demo's request paths, every workload calls every other one on two ports
 * (RPC and metrics-style chatter), so a pod talks to about eight peers a minute, as pods in
 * a service mesh do. That gives about a million flow records an hour: 20 million is a day.
 */
export const BENCH_CLUSTER = { nodesPerZone: 20, replicaFactor: 45 } as const;

export const BENCH_EDGES: ReadonlyArray<TrafficEdge> = [
  ...DEMO_TRAFFIC,
  ...DEMO_WORKLOADS.flatMap((from, i) =>
    DEMO_WORKLOADS.filter((to) => to !== from).flatMap((to, j) =>
      [0, 1].map((k) => ({
        from: `${from.namespace}/${from.name}`,
        to: `${to.namespace}/${to.name}`,
        port: 9000 + i * 100 + j * 10 + k,
        requestBytesPerMinute: 200_000,
        responseRatio: 3,
      })),
    ),
  ),
];

export interface DatasetManifest {
  readonly targetRecords: number;
  readonly seed: number;
  readonly hours: number;
  readonly nodesPerZone: number;
  readonly replicaFactor: number;
  readonly pods: number;
  readonly edges: number;
  readonly records: number;
  readonly flowLogObjects: number;
  readonly snapshots: number;
  readonly rawFlowLogBytes: number;
  readonly generatorHash: string;
  readonly generatedInMs: number;
  readonly generation: string;
}

const MANIFEST = "bench-dataset.json";
const SCENARIO_DIR = new URL("../packages/local/src/scenario/", import.meta.url).pathname;

/** A hash of the generator's source, so data from an older generator is regenerated, not reused. */
export async function generatorHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const name of (await readdir(SCENARIO_DIR)).sort()) {
    if (name.endsWith(".ts")) hash.update(name).update(await readFile(join(SCENARIO_DIR, name)));
  }
  hash.update(JSON.stringify(BENCH_CLUSTER)).update(JSON.stringify(BENCH_EDGES));
  return hash.digest("hex").slice(0, 12);
}

export function datasetDir(dataRoot: string, targetRecords: number, seed: number): string {
  return join(dataRoot, `records-${targetRecords}-seed-${seed}`);
}

export async function readManifest(dir: string): Promise<DatasetManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as DatasetManifest;
  } catch {
    return undefined;
  }
}

/**
 * Generates about `targetRecords` flow records, an hour at a time. generateScenario holds a
 * whole call's records in memory (about 0.7 GB per million), so one call per hour keeps the
 * generator's peak flat; the hours share the seed, hence the same nodes and pods, and the
 * snapshot on each hour boundary is written by both neighbours with the same content. The first
 * hour calibrates how many hours the target needs (the generator's traffic mix may change).
 * The manifest is written last: a folder without one is an interrupted run and is regenerated.
 */
export async function generateDataset(
  dir: string,
  targetRecords: number,
  seed: number,
): Promise<DatasetManifest> {
  await rm(dir, { recursive: true, force: true });
  const started = performance.now();
  let records = 0;
  let flowLogObjects = 0;
  let hours = 1;
  let pods = 0;
  for (let hour = 0; hour < hours; hour++) {
    const generated = await generateScenario({
      outDir: dir,
      seed,
      startHour: hour,
      hours: 1,
      ...BENCH_CLUSTER,
      edges: BENCH_EDGES,
    });
    records += generated.files.records;
    flowLogObjects += generated.files.flowLogs;
    pods = generated.cluster.pods.length;
    if (hour === 0) hours = Math.max(1, Math.round(targetRecords / generated.files.records));
    process.stderr.write(`  generated hour ${hour + 1}/${hours}: ${records.toLocaleString("en")} records\n`);
  }
  const snapshots = (await readdir(join(dir, "inventory/kubernetes"), { recursive: true })).filter((f) =>
    f.endsWith(".json.gz"),
  ).length;
  const manifest: DatasetManifest = {
    targetRecords,
    seed,
    hours,
    ...BENCH_CLUSTER,
    pods,
    edges: BENCH_EDGES.length,
    records,
    flowLogObjects,
    snapshots,
    rawFlowLogBytes: await treeBytes(join(dir, "vpc-flow-logs"), ".gz"),
    generatorHash: await generatorHash(),
    generatedInMs: Math.round(performance.now() - started),
    generation: "generateScenario, one call per hour (see bench/dataset.ts)",
  };
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Total size of the files below `dir` whose names end in `suffix`. */
export async function treeBytes(dir: string, suffix: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith(suffix)) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}
