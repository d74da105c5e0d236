import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { S3Lake } from "../../packages/functions/src/adapters/s3-lake.ts";
import { s3RequestSettings } from "../../packages/functions/src/shared/s3-client.ts";
import { type Fault, type FaultyProxy, startFaultyProxy } from "../support/faulty-proxy.ts";
import { type LocalS3, localS3Client, startS3rver } from "../support/s3rver.ts";

/**
 * The S3 lake adapter against s3rver behind a proxy that fails requests: 500 InternalError,
 * 503 SlowDown (throttling) and answers slower than the client waits. A few faults in a row are
 * retried by the SDK's standard retry (3 attempts, backoff) and the data arrives intact; more
 * than it retries make the operation fail visibly, and a replaced prefix is then the old one,
 * whole: never a mix.
 */
const BUCKET = "flowcost-fault-lake";
const Doc = z.object({ n: z.number(), items: z.array(z.string()) });
let s3: LocalS3;
let proxy: FaultyProxy;
/** The faults the next requests get, in order (one per request); then requests pass. */
let queue: Fault[] = [];
/** Fails every PUT whose key contains this text (a persistent fault), while set. */
let failPutsMatching: string | undefined;
let runs = 0;
/** Requests the proxy has seen. */
let requests = 0;

const clientFor = (endpoint: string) =>
  localS3Client(endpoint, {
    maxAttempts: 3,
    // The Lambdas' request settings, the timeout shortened: a response slower than this is
    // abandoned and retried (the SDK's TimeoutError is transient). Generous still, so a healthy
    // answer on a loaded machine (s3rver, the proxy and the client share one test process) is
    // never taken for the slow fault and does not use up an attempt.
    ...s3RequestSettings(2_000),
  });

let lake: S3Lake;
beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  proxy = await startFaultyProxy(s3.endpoint, (req) => {
    requests++;
    if (
      failPutsMatching &&
      req.method === "PUT" &&
      decodeURIComponent(req.url ?? "").includes(failPutsMatching)
    )
      return "internal-error";
    return queue.shift();
  });
  lake = new S3Lake({ s3: clientFor(proxy.endpoint), bucket: BUCKET, runId: () => `f${++runs}` });
});
afterAll(async () => {
  await proxy.close();
  await s3.stop();
});

describe("S3 faults: retried with backoff, or a visible failure that leaves each prefix whole", () => {
  test.each([
    ["two 500 InternalError answers", ["internal-error", "internal-error"]],
    ["two 503 SlowDown (throttling) answers", ["slow-down", "slow-down"]],
    ["a response slower than the client waits", [{ delayMs: 6_000 }]],
  ] as Array<[string, Fault[]]>)(
    "%s before a PUT and before a GET: both succeed with the data intact",
    async (_, faults) => {
      const key = `results/summary/dt=2026-11-22/${runs}-summary.json.gz`;
      const value = { n: 42, items: ["a", "b*", "c'd"] };
      // Each fault costs one attempt: the faulty answers (or the one abandoned) and one that passes.
      queue = [...faults];
      let before = requests;
      await lake.putJson(key, value);
      expect(queue).toEqual([]);
      expect(requests - before).toBe(faults.length + 1);
      queue = [...faults];
      before = requests;
      expect(await lake.getJson(key, Doc)).toEqual(value);
      expect(queue).toEqual([]);
      expect(requests - before).toBe(faults.length + 1);
    },
  );

  test("three 500s in a row (more than the retries): the GET fails with the S3 error, not a wrong answer", async () => {
    const key = "results/summary/dt=2026-11-23/summary.json.gz";
    await lake.putJson(key, { n: 1, items: [] });
    queue = ["internal-error", "internal-error", "internal-error"];
    await expect(lake.getJson(key, Doc)).rejects.toThrow(/internal error/i);
    queue = [];
  });

  test("a prefix replaced while every staged PUT fails: the replace fails visibly and the old objects stay, whole", async () => {
    const prefix = "curated/ip_identity/dt=2026-11-22/";
    await lake.replacePrefix(prefix, [
      { name: "part-0.json.gz", value: { n: 0, items: ["old"] } },
      { name: "part-1.json.gz", value: { n: 1, items: ["old"] } },
    ]);
    failPutsMatching = "_run=";
    await expect(
      lake.replacePrefix(prefix, [
        { name: "part-0.json.gz", value: { n: 0, items: ["new"] } },
        { name: "part-9.json.gz", value: { n: 9, items: ["new"] } },
      ]),
    ).rejects.toThrow();
    failPutsMatching = undefined;
    expect(await lake.list(prefix)).toEqual([`${prefix}part-0.json.gz`, `${prefix}part-1.json.gz`]);
    expect(await lake.getJson(`${prefix}part-0.json.gz`, Doc)).toEqual({ n: 0, items: ["old"] });
    expect(await lake.list("curated/ip_identity/dt=2026-11-22_run=")).toEqual([]);
  });

  test("faults injected and survived are counted", () => {
    const total = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
    console.log(`s3-faults: injected ${JSON.stringify(proxy.injected)} (${total} faults)`);
    expect(proxy.injected["internal-error"]).toBeGreaterThanOrEqual(7);
    expect(proxy.injected["slow-down"]).toBe(4);
    expect(proxy.injected.slow).toBe(2);
  });
});
