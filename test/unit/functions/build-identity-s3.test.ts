import { gzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, test } from "vitest";
import { S3Lake } from "../../../packages/functions/src/adapters/s3-lake.ts";
import { s3IdentityLake } from "../../../packages/functions/src/jobs/build-identity.ts";

const BUCKET = "flowcost-prod-lake-111122223333";
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const lake = () => {
  const client = new S3Client({});
  return s3IdentityLake(new S3Lake({ s3: client, bucket: BUCKET }));
};
/** A GetObject body as the SDK hands it over (only the method the adapter calls). */
const body = (bytes: Uint8Array) => ({ transformToByteArray: async () => bytes }) as never;

describe("build-identity's lake on S3", () => {
  test("cluster folders come from CommonPrefixes, one level deep, across pages", async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      CommonPrefixes: [{ Prefix: "inventory/kubernetes/cluster=billing/" }],
      IsTruncated: true,
      NextContinuationToken: "page-2",
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: "page-2" }).resolves({
      CommonPrefixes: [{ Prefix: "inventory/kubernetes/cluster=shop-prod/" }],
      IsTruncated: false,
    });

    const folders = await lake().listFolders("inventory/kubernetes/");

    expect(folders).toEqual(["cluster=billing", "cluster=shop-prod"]);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Prefix: "inventory/kubernetes/", Delimiter: "/", ContinuationToken: undefined },
      { Bucket: BUCKET, Prefix: "inventory/kubernetes/", Delimiter: "/", ContinuationToken: "page-2" },
    ]);
  });

  test("snapshots are read gunzipped when the key ends in .gz and as they are otherwise", async () => {
    const list = { apiVersion: "v1", kind: "List", items: [] };
    s3.on(GetObjectCommand, { Key: "a.json.gz" }).resolves({ Body: body(gzipSync(JSON.stringify(list))) });
    s3.on(GetObjectCommand, { Key: "b.json" }).resolves({ Body: body(Buffer.from(JSON.stringify(list))) });

    expect(await lake().getJson("a.json.gz")).toEqual(list);
    expect(await lake().getJson("b.json")).toEqual(list);
  });

  test("an object that is not gzip JSON fails naming its key", async () => {
    const key = "inventory/kubernetes/cluster=shop-prod/dt=2026-11-22/20261122T102000Z.json.gz";
    s3.on(GetObjectCommand, { Key: key }).resolves({ Body: body(Buffer.from("{not gzip")) });

    await expect(lake().getJson(key)).rejects.toThrow(`${key}: not gzip JSON`);
  });

  test("staged rows are one plain PUT of the gzip bytes at the staging key (no Content-Encoding: the object is the .gz file itself)", async () => {
    s3.on(PutObjectCommand).resolves({});
    const bytes = gzipSync('{"ip":"10.0.1.20"}\n');

    await lake().putGzip("staging/ip_identity/dt=2026-11-22/run=20261122t102000z/part-0.json.gz", bytes);

    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input?.Bucket).toBe(BUCKET);
    expect(input?.Key).toBe("staging/ip_identity/dt=2026-11-22/run=20261122t102000z/part-0.json.gz");
    expect(input?.ContentEncoding).toBeUndefined();
    expect(input?.Body).toBe(bytes);
  });
});
