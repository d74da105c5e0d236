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
 * a service mesh do, over the generator's default four connections per conversation: about
 * 6.6 million flow records an hour, so 20 million is about three hours.
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

/** The calibration window and the step of a dataset's length: one 5-minute flow-log object. */
const STEP_MINUTES = 5;

/**
 * Generates about `targetRecords` flow records in one generateScenario call (it streams each
 * 5-minute object to disk, so memory stays flat), starting at midnight so a day-sized target
 * fits one UTC day. A first 5-minute call measures the records per 5 minutes of the generator's
 * current traffic mix, which sets the length in whole 5-minute steps (the cluster stays the
 * same at every scale; only the time it covers grows). The manifest is written last: a folder
 * without one is an interrupted run and is regenerated.
 */
export async function generateDataset(
  dir: string,
  targetRecords: number,
  seed: number,
): Promise<DatasetManifest> {
  const started = performance.now();
  const generate = (minutes: number) => {
    process.stderr.write(`  generating ${minutes} min of the ${BENCH_CLUSTER.replicaFactor}x cluster\n`);
    return generateScenario({
      outDir: dir,
      seed,
      startHour: 0,
      hours: minutes / 60,
      ...BENCH_CLUSTER,
      edges: BENCH_EDGES,
    });
  };
  await rm(dir, { recursive: true, force: true });
  let generated = await generate(STEP_MINUTES);
  const steps = Math.max(1, Math.round(targetRecords / generated.files.records));
  if (steps > 1) {
    await rm(dir, { recursive: true, force: true });
    generated = await generate(steps * STEP_MINUTES);
  }
  const hours = (steps * STEP_MINUTES) / 60;
  const snapshots = (await readdir(join(dir, "inventory/kubernetes"), { recursive: true })).filter((f) =>
    f.endsWith(".json.gz"),
  ).length;
  const manifest: DatasetManifest = {
    targetRecords,
    seed,
    hours,
    ...BENCH_CLUSTER,
    pods: generated.cluster.pods.length,
    edges: BENCH_EDGES.length,
    records: generated.files.records,
    flowLogObjects: generated.files.flowLogs,
    snapshots,
    rawFlowLogBytes: await treeBytes(join(dir, "vpc-flow-logs"), ".gz"),
    generatorHash: await generatorHash(),
    generatedInMs: Math.round(performance.now() - started),
    generation: "one generateScenario call from 00:00 UTC, after a 5-minute calibration call",
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
