/**
 * Measures one inventory snapshot of a large cluster against the local API server: the Kubernetes
 * read through @kubernetes/client-node (paged, 500 a page) plus gzip JSON serialisation, as the
 * job does it. Run in its own process so peak RSS is this work's alone:
 *   npx tsx test/support/bench-inventory-snapshot.ts [pods] [nodes]
 * Prints one JSON line; the benchmark harness can call `measureInventorySnapshot` instead.
 */
import { gzipSync } from "node:zlib";
import { readKubernetesInventory } from "../../packages/functions/src/adapters/kubernetes-api.ts";
import { startFakeKubeApi } from "./fake-kube-api.ts";

export interface InventorySnapshotMeasure {
  readonly pods: number;
  readonly nodes: number;
  readonly items: number;
  readonly pages: number;
  readonly seconds: number;
  readonly gzipBytes: number;
  /** Peak resident set of this process, MB (includes the in-process API server). */
  readonly peakRssMb: number;
}

export async function measureInventorySnapshot(
  pods = 10_000,
  nodes = 1_000,
): Promise<InventorySnapshotMeasure> {
  const api = await startFakeKubeApi({ pods, nodes, services: 200, token: "bench", externalSnat: false });
  try {
    const started = process.hrtime.bigint();
    const { document, stats } = await readKubernetesInventory(
      { server: api.url, token: "bench" },
      { pageSize: 500 },
    );
    const gzipped = gzipSync(document.text);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      pods,
      nodes,
      items: Object.values(document.counts).reduce((a, b) => a + b, 0),
      pages: Object.values(stats.pages).reduce((a, b) => a + b, 0),
      seconds: Math.round(seconds * 1000) / 1000,
      gzipBytes: gzipped.length,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await api.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [pods, nodes] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await measureInventorySnapshot(pods || undefined, nodes || undefined)));
}
