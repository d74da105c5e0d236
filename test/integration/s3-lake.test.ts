import { gunzipSync } from "node:zlib";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { LakeObjectError, S3Lake } from "../../packages/functions/src/adapters/s3-lake.ts";
import { type LocalS3, startS3rver } from "../support/s3rver.ts";

const BUCKET = "flowcost-test-lake";
let s3: LocalS3;
let runs = 0;
let lake: S3Lake;

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  lake = new S3Lake({ s3: s3.client, bucket: BUCKET, runId: () => `r${++runs}` });
});
afterAll(() => s3.stop());

const Snapshot = z.object({ kind: z.literal("List"), items: z.array(z.object({ name: z.string() })) });

describe("S3Lake on a real S3 endpoint (s3rver)", () => {
  test("gzip JSON round-trips, and the stored bytes are gzip a user can read with zcat", async () => {
    const value = { kind: "List" as const, items: [{ name: "checkout-7d9f" }, { name: "ünïcode-pod" }] };
    await lake.putJson("inventory/kubernetes/cluster=prod/dt=2026-11-22/20261122T070500Z.json.gz", value);

    const back = await lake.getJson(
      "inventory/kubernetes/cluster=prod/dt=2026-11-22/20261122T070500Z.json.gz",
      Snapshot,
    );
    const raw = await s3.client.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: "inventory/kubernetes/cluster=prod/dt=2026-11-22/20261122T070500Z.json.gz",
      }),
    );
    const bytes = await raw.Body?.transformToByteArray();

    expect(back).toEqual(value);
    expect(JSON.parse(gunzipSync(bytes ?? new Uint8Array()).toString("utf8"))).toEqual(value);
  });

  test("a missing key reads as undefined; a non-gzip or mis-shaped object fails naming the key", async () => {
    await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "state/broken.json", Body: "{not gzip" }),
    );
    await lake.putJson("state/wrong-shape.json", { kind: "Pod" });

    expect(await lake.getJson("state/absent.json", Snapshot)).toBeUndefined();
    await expect(lake.getJson("state/broken.json", Snapshot)).rejects.toThrow(
      new LakeObjectError("state/broken.json", "not gzip JSON"),
    );
    await expect(lake.getJson("state/wrong-shape.json", Snapshot)).rejects.toThrow(
      /^state\/wrong-shape\.json: /,
    );
  });

  test("listing follows continuation tokens past 1000 keys and returns every key once, in order", async () => {
    const keys = Array.from(
      { length: 1203 },
      (_, i) => `results/daily/dt=2026-11-22/part-${String(i).padStart(5, "0")}.json`,
    );
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => lake.putJson(key, { i })));
    }

    const listed = await lake.list("results/daily/dt=2026-11-22/");

    expect(listed).toHaveLength(1203);
    expect(listed).toEqual(keys);
  });

  test("replacing a prefix leaves exactly the new objects and no staging or old ones", async () => {
    const prefix = "results/recommendations/dt=2026-11-22/";
    await lake.replacePrefix(prefix, [
      { name: "a.json", value: { v: 1 } },
      { name: "b.json", value: { v: 1 } },
      { name: "c.json", value: { v: 1 } },
    ]);

    await lake.replacePrefix(prefix, [
      { name: "b.json", value: { v: 2 } },
      { name: "d.json", value: { v: 2 } },
    ]);

    expect(await lake.list("results/recommendations/")).toEqual([`${prefix}b.json`, `${prefix}d.json`]);
    expect(await lake.getJson(`${prefix}b.json`, z.object({ v: z.number() }))).toEqual({ v: 2 });
  });

  test("the compact-flows watermark round-trips under state/compact-flows/<source>.json", async () => {
    await lake.writeWatermark({
      source: "acme-flow-logs",
      completedThrough: 1_795_334_400,
      updatedBy: "2026-11-22T07:15:00Z",
    });

    expect(await lake.readWatermark("acme-flow-logs")).toEqual({
      source: "acme-flow-logs",
      completedThrough: 1_795_334_400,
      updatedBy: "2026-11-22T07:15:00Z",
    });
    expect(await lake.list("state/compact-flows/")).toEqual(["state/compact-flows/acme-flow-logs.json"]);
    expect(await lake.readWatermark("never-ran")).toBeUndefined();
  });
});
