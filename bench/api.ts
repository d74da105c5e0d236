/**
 * `npm run bench:api` (also the last step of `npm run bench`): the HTTP API under load. Builds 30
 * days of results for a cluster of 2,000 workloads (rows made like attribution's and reconciled
 * by the real reconciliation, written as the day documents `flowcost serve` reads), starts
 * `flowcost serve` on it as a user would, then drives GET /v1/costs and GET /v1/flows with
 * autocannon at a fixed 200 requests/s over the 30-day window: p50/p99 latency and throughput,
 * cold (first request) and steady state. Also the API Lambda's bundle size and its cold-start
 * import time. Writes bench/results/<date>-api.json. Not part of `npm test`.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  type AttributedRow,
  BYTES_PER_GB,
  buildDaySummary,
  type CurNetworkLine,
  reconcileDay,
} from "@flowcost/core";
import { lakeResultsStore } from "@flowcost/local/lake/results-files";
import autocannon from "autocannon";
import { build } from "esbuild";
import { median } from "./stats.ts";

const ROOT = new URL("../", import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    workloads: { type: "string", default: "2000" },
    days: { type: "string", default: "30" },
    rate: { type: "string", default: "200" },
    duration: { type: "string", default: "30" },
    out: { type: "string" },
  },
});
const WORKLOADS = Number(values.workloads);
const DAYS = Number(values.days);
const RATE = Number(values.rate);
const DURATION = Number(values.duration);

/** A seeded generator, so every run benchmarks the same documents. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

const ZONES = ["use1-az1", "use1-az4", "use1-az6"];

/** One day of rows: each workload calls 4 others (cross- or same-AZ) and sends some traffic through the NAT gateway. */
function dayRows(dt: string, seed: number): { rows: AttributedRow[]; lines: CurNetworkLine[] } {
  const rnd = random(seed);
  const workloads = Array.from({ length: WORKLOADS }, (_, i) => ({
    namespace: `team-${i % 50}`,
    name: `svc-${i}`,
    zone: ZONES[i % 3] ?? "use1-az1",
    node: `ip-10-0-${i % 3}-${i % 40}.ec2.internal`,
  }));
  const rows: AttributedRow[] = [];
  const out = new Map<string, number>();
  const inn = new Map<string, number>();
  let natBytes = 0;
  const base = (w: (typeof workloads)[number], p: "src" | "dst") => ({
    [`${p}_kind`]: "pod",
    [`${p}_namespace`]: w.namespace,
    [`${p}_workload_kind`]: "Deployment",
    [`${p}_workload`]: w.name,
    [`${p}_ip`]: null,
    [`${p}_az_id`]: w.zone,
    [`${p}_node`]: w.node,
    [`${p}_resource`]: null,
  });
  for (const [i, src] of workloads.entries()) {
    for (let k = 1; k <= 4; k++) {
      const dst = workloads[(i * 7 + k * 131) % WORKLOADS] ?? src;
      const bytes = Math.floor((0.05 + rnd()) * BYTES_PER_GB);
      const cross = src.zone !== dst.zone;
      rows.push({
        dt,
        category: cross ? "cross_az" : "same_az",
        subcategory: null,
        ...base(src, "src"),
        ...base(dst, "dst"),
        service: `${dst.namespace}/${dst.name}`,
        load_balancer: null,
        nat_gateway: null,
        confidence: "exact",
        bytes,
        list_cost_usd: cross ? (bytes / BYTES_PER_GB) * 0.02 : 0,
      } as AttributedRow);
      if (cross) {
        out.set(src.node, (out.get(src.node) ?? 0) + bytes);
        inn.set(dst.node, (inn.get(dst.node) ?? 0) + bytes);
      }
    }
    if (i % 5 === 0) {
      const bytes = Math.floor(rnd() * 0.5 * BYTES_PER_GB);
      natBytes += bytes;
      rows.push({
        dt,
        category: "nat",
        subcategory: "internet",
        ...base(src, "src"),
        dst_kind: "internet",
        dst_namespace: null,
        dst_workload_kind: null,
        dst_workload: null,
        dst_ip: null,
        dst_az_id: null,
        dst_node: null,
        dst_resource: null,
        service: null,
        load_balancer: null,
        nat_gateway: "nat-0bench",
        confidence: "exact",
        bytes,
        list_cost_usd: (bytes / BYTES_PER_GB) * 0.045,
      } as AttributedRow);
    }
  }
  const line = (usage_class: string, resource_id: string, bytes: number, perGb: number): CurNetworkLine => ({
    dt,
    usage_class,
    resource_id,
    usage_type: "USE1-DataTransfer-Regional-Bytes",
    // A little more billed than observed, so every day has an unattributed remainder.
    usage_amount: (bytes / BYTES_PER_GB) * 1.01,
    cost_usd: (bytes / BYTES_PER_GB) * 1.01 * perGb,
  });
  const instance = (node: string) => `i-${node.replace(/\D/g, "").padStart(17, "0")}`;
  const lines = [
    ...[...out].map(([node, b]) => line("inter_az_out", instance(node), b, 0.01)),
    ...[...inn].map(([node, b]) => line("inter_az_in", instance(node), b, 0.01)),
    line("nat_bytes", "nat-0bench", natBytes, 0.045),
  ];
  return { rows, lines };
}

async function writeLake(dir: string): Promise<{ rows: number; bytes: number }> {
  const store = lakeResultsStore(dir);
  let rows = 0;
  let bytes = 0;
  for (let d = 0; d < DAYS; d++) {
    const dt = new Date(Date.UTC(2026, 9, 24 + d)).toISOString().slice(0, 10);
    const { rows: attributed, lines } = dayRows(dt, 1000 + d);
    const reconciliation = reconcileDay(
      dt,
      attributed,
      lines,
      (node) => `i-${node.replace(/\D/g, "").padStart(17, "0")}`,
    );
    const summary = buildDaySummary({ reconciliation });
    await store.writeDay(summary);
    rows += summary.rows.length;
    bytes += Buffer.byteLength(JSON.stringify(summary));
  }
  return { rows, bytes };
}

async function startServe(lake: string, token: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "packages/local/bin/flowcost.mjs"), "serve", lake, "--port", "0"],
    {
      env: { ...process.env, FLOWCOST_TOKEN: token },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  // Keep draining its request log so the pipe never blocks the server.
  child.stderr.resume();
  return { url, stop: () => child.kill("SIGTERM") };
}

async function load(url: string, path: string, token: string) {
  const result = await autocannon({
    url: `${url}${path}`,
    headers: { authorization: `Bearer ${token}`, "accept-encoding": "gzip" },
    connections: 10,
    overallRate: RATE,
    duration: DURATION,
  });
  return {
    path,
    rate: RATE,
    durationSeconds: DURATION,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    throughputRequestsPerSecond: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
}

async function coldRequest(url: string, path: string, token: string) {
  const started = performance.now();
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  return { path, status: response.status, ms: performance.now() - started, bodyBytes: body.length };
}

async function lambdaBundle(dir: string) {
  const outfile = join(dir, "api-bundle.mjs");
  const result = await build({
    entryPoints: [join(ROOT, "packages/functions/src/api/handler.ts")],
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outfile,
    metafile: true,
    logLevel: "silent",
    // As SST bundles for Lambda: CommonJS dependencies need require in ESM output.
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  });
  const bytes = Object.values(result.metafile.outputs).reduce((s, o) => s + o.bytes, 0);
  // Cold start: a fresh Node process importing the bundle (module evaluation, SDK client construction).
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ms = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`,
      ],
      { env: { ...process.env, FLOWCOST_LAKE_BUCKET: "bench-lake", AWS_REGION: "us-east-1" } },
    )
      .toString()
      .trim();
    runs.push(Number(ms));
  }
  return { bundleBytes: bytes, importMsRuns: runs, importMsMedian: median(runs) };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "flowcost-bench-api-"));
  const token = "bench-token-0123456789abcdef";
  try {
    console.log(`writing ${DAYS} days of ${WORKLOADS} workloads into ${dir}`);
    const lake = await writeLake(dir);
    console.log(`  ${lake.rows} rows, ${(lake.bytes / 1e6).toFixed(1)} MB of day documents`);
    const serve = await startServe(dir, token);
    const costs = "/v1/costs?groupBy=namespace,workload&limit=100";
    const flows = "/v1/flows?limit=100";
    try {
      const cold = [await coldRequest(serve.url, costs, token), await coldRequest(serve.url, flows, token)];
      console.log(`cold: ${cold.map((c) => `${c.path} ${c.status} ${c.ms.toFixed(0)} ms`).join("; ")}`);
      const steady = [];
      for (const path of [costs, flows]) {
        const r = await load(serve.url, path, token);
        console.log(
          `${path}: ${r.requests} requests at ${RATE}/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, non-2xx ${r.non2xx}`,
        );
        steady.push(r);
      }
      const bundle = await lambdaBundle(dir);
      console.log(
        `API Lambda bundle: ${(bundle.bundleBytes / 1024).toFixed(0)} KiB; cold import median ${bundle.importMsMedian.toFixed(0)} ms`,
      );
      const results = {
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), node: process.version },
        dataset: { workloads: WORKLOADS, days: DAYS, ...lake },
        cold,
        steady,
        lambda: bundle,
      };
      const out = values.out ?? join(ROOT, `bench/results/${results.date.slice(0, 10)}-api.json`);
      await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
      console.log(`wrote ${out}`);
    } finally {
      serve.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
