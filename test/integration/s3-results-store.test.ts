import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { buildDaySummary, reconcileDay } from "@flowcost/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { S3Lake } from "../../packages/functions/src/adapters/s3-lake.ts";
import { s3ResultsStore } from "../../packages/functions/src/adapters/s3-results-store.ts";
import { attributedRow } from "../support/builders.ts";
import { type LocalS3, startS3rver } from "../support/s3rver.ts";

const BUCKET = "flowcost-results-lake";
let s3: LocalS3;
let store: ReturnType<typeof s3ResultsStore>;

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  store = s3ResultsStore(new S3Lake({ s3: s3.client, bucket: BUCKET }));
});
afterAll(() => s3.stop());

const summary = (dt: string) =>
  buildDaySummary({ reconciliation: reconcileDay(dt, [attributedRow({ dt })], [], () => undefined) });

describe("the results store on a real S3 endpoint (s3rver)", () => {
  test("day documents: one PUT per day at results/summary/dt=/summary.json, gzip on the wire, read back validated", async () => {
    await store.writeDay(summary("2026-11-22"));
    await store.writeDay(summary("2026-11-21"));

    const raw = await s3.client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "results/summary/dt=2026-11-22/summary.json" }),
    );
    expect(raw.ContentEncoding).toBe("gzip");
    expect(raw.ContentType).toBe("application/json");
    expect(await store.listDays()).toEqual(["2026-11-21", "2026-11-22"]);
    expect(await store.readDay("2026-11-22")).toEqual(summary("2026-11-22"));
    expect(await store.readDay("2026-11-23")).toBeUndefined();
  });

  test("documents under reports/ and state/; a plain (not gzip) object someone copied in reads as well", async () => {
    await store.writeDocument("reports/weekly/2026-W48.html", "<h1>week</h1>", "text/html");
    await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "state/regressions/latest.json", Body: '{"plain":true}' }),
    );

    expect(await store.readDocument("reports/weekly/2026-W48.html")).toBe("<h1>week</h1>");
    expect(await store.readDocument("state/regressions/latest.json")).toBe('{"plain":true}');
    expect(await store.listDocuments("reports/")).toEqual(["reports/weekly/2026-W48.html"]);
    await expect(store.readDocument("results/../curated/x")).rejects.toThrow(
      'results key "results/../curated/x"',
    );
  });
});
