import { readKubernetesInventory } from "@flowcost/functions/adapters/kubernetes-api";
import { type InventoryStore, takeInventorySnapshot } from "@flowcost/functions/jobs/inventory-snapshot";
import { afterEach, describe, expect, test } from "vitest";
import { type FakeKubeApi, type KubeFault, startFakeKubeApi } from "../support/fake-kube-api.ts";

/**
 * The Kubernetes API failing the way API servers do: 5xx (a restarting API server, etcd under
 * load), 429 Too Many Requests (API priority and fairness shedding load, with Retry-After) and
 * requests that never answer. The snapshot's lists retry with backoff and end with the same
 * List as a healthy server gives; past the attempts they fail naming the resource and the
 * status, and the snapshot job then stores nothing for the capture (whole or absent).
 */
const CLUSTER = { pods: 120, nodes: 6, services: 5, externalSnat: true } as const;
// Generous per-request time on a loaded machine; the hung request's case shortens it.
const FAST = { pageSize: 50, retryBaseMs: 5, requestTimeoutMs: 10_000 } as const;
const servers: FakeKubeApi[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const start = async (faults: KubeFault[] = []) => {
  const api = await startFakeKubeApi({ ...CLUSTER, faults });
  servers.push(api);
  return api;
};

let injected = 0;
let survived = 0;

describe("Kubernetes API faults", async () => {
  const healthy = await readKubernetesInventory({ server: (await start()).url, token: "t" }, FAST);

  test.each([
    ["500 Internal Server Error", { status: 500, times: 2 }],
    ["502 Bad Gateway", { status: 502, times: 1 }],
    ["503 Service Unavailable", { status: 503, times: 3 }],
    ["504 Gateway Timeout on the second page", { status: 504, times: 2, page: 2 }],
    ["429 Too Many Requests with Retry-After", { status: 429, times: 2, retryAfter: 0 }],
    ["a request that never answers", { status: "hang", times: 1 }],
  ] as Array<[string, KubeFault]>)(
    "%s: retried with backoff, the same List as a healthy server's",
    async (_, fault) => {
      const api = await start([fault]);
      const { document, stats } = await readKubernetesInventory(
        { server: api.url, token: "t" },
        { ...FAST, requestTimeoutMs: fault.status === "hang" ? 4_000 : FAST.requestTimeoutMs },
      );
      expect(document.text).toBe(healthy.document.text);
      expect(stats.retries.pods).toBe(fault.times);
      injected += fault.times;
      survived += fault.times;
    },
  );

  test("more failures than attempts: the read fails naming the resource and the status", async () => {
    const api = await start([{ status: 503, times: 10, path: "/api/v1/nodes" }]);
    await expect(
      readKubernetesInventory({ server: api.url, token: "t" }, { ...FAST, maxAttempts: 3 }),
    ).rejects.toThrow(/^listing nodes: HTTP 503.*\(after 3 attempts\)$/);
    injected += 3;
  });

  test("401 is not retried (a wrong token does not get better)", async () => {
    const api = await startFakeKubeApi({ ...CLUSTER, token: "right" });
    servers.push(api);
    await expect(readKubernetesInventory({ server: api.url, token: "wrong" }, FAST)).rejects.toThrow(
      /HTTP 401/,
    );
    expect(api.requests).toHaveLength(1);
  });

  test("the snapshot job stores nothing for a capture whose List could not be read (whole or absent)", async () => {
    const api = await start([{ status: 500, times: 10, path: "/apis/discovery.k8s.io/v1/endpointslices" }]);
    const written: string[] = [];
    const store: InventoryStore = {
      async putGzip(key) {
        written.push(key);
      },
    };
    await expect(
      takeInventorySnapshot(
        {
          store,
          sources: {
            readKubernetes: () =>
              readKubernetesInventory({ server: api.url, token: "t" }, { ...FAST, maxAttempts: 2 }),
            // Still pending when the List fails: Promise.all rejects with the List's error.
            readAws: () => new Promise(() => undefined),
          },
        },
        { cluster: "shop-prod", scheduledTime: "2026-11-22T10:15:00Z" },
      ),
    ).rejects.toThrow(/listing endpointslices: HTTP 500/);
    expect(written).toEqual([]);
    injected += 2;
    console.log(
      `kubernetes-faults: ${injected} faults injected, ${survived} survived by retrying, the rest failed visibly`,
    );
  });
});
