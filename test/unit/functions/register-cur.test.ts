import { AthenaClient, GetTableMetadataCommand } from "@aws-sdk/client-athena";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, test } from "vitest";
import {
  type CurObject,
  type CurStatus,
  curTableLocation,
  parseS3Location,
  periodsToCheck,
  type RegisterCurDeps,
  registerCur,
  s3CurLister,
} from "../../../packages/functions/src/jobs/register-cur.ts";

const LOCATION = "s3://acme-billing/exports/cur2/data/";
const DATA = "exports/cur2/data/";

/** The CUR bucket as Data Exports leaves it: Parquet parts per period, a folder marker, metadata/ beside data/. */
function fakeBucket(): Map<string, CurObject> {
  const objects: CurObject[] = [
    { key: `${DATA}BILLING_PERIOD=2026-10/`, size: 0, lastModified: "2026-10-01T00:00:00.000Z" },
    {
      key: `${DATA}BILLING_PERIOD=2026-10/cur2-00001.snappy.parquet`,
      size: 5_000_000,
      lastModified: "2026-11-01T07:12:00.000Z",
    },
    {
      key: `${DATA}BILLING_PERIOD=2026-10/cur2-00002.snappy.parquet`,
      size: 1_200_000,
      lastModified: "2026-11-01T07:13:00.000Z",
    },
    {
      key: "exports/cur2/metadata/BILLING_PERIOD=2026-11/cur2-Manifest.json",
      size: 900,
      lastModified: "2026-11-22T05:00:00.000Z",
    },
  ];
  return new Map(objects.map((o) => [o.key, o]));
}

function fakeDeps(
  bucket: Map<string, CurObject>,
  initial?: CurStatus,
): RegisterCurDeps & { stored: CurStatus[]; listed: string[] } {
  const stored: CurStatus[] = initial ? [initial] : [];
  const listed: string[] = [];
  return {
    stored,
    listed,
    list: async (name, prefix) => {
      listed.push(`s3://${name}/${prefix}`);
      return [...bucket.values()].filter((o) => name === "acme-billing" && o.key.startsWith(prefix));
    },
    readStatus: async () => structuredClone(stored[stored.length - 1]),
    writeStatus: async (status) => {
      stored.push(structuredClone(status));
    },
  };
}

describe("register-cur: which billing periods the CUR export has written, and when", () => {
  test("early in November: October's export is present (2 objects, last refreshed Nov 1 07:13), November's not yet", async () => {
    const deps = fakeDeps(fakeBucket());

    const status = await registerCur(deps, LOCATION, "2026-11-02T06:00:00Z");

    expect(deps.listed).toEqual([
      "s3://acme-billing/exports/cur2/data/BILLING_PERIOD=2026-10/",
      "s3://acme-billing/exports/cur2/data/BILLING_PERIOD=2026-11/",
    ]);
    expect(status).toEqual({
      location: LOCATION,
      updatedBy: "2026-11-02T06:00:00Z",
      periods: [
        {
          billingPeriod: "2026-11",
          present: false,
          objects: 0,
          bytes: 0,
          lastModified: null,
          checkedBy: "2026-11-02T06:00:00Z",
        },
        {
          billingPeriod: "2026-10",
          present: true,
          objects: 2,
          bytes: 6_200_000,
          lastModified: "2026-11-01T07:13:00.000Z",
          checkedBy: "2026-11-02T06:00:00Z",
        },
      ],
    });
    expect(deps.stored).toEqual([status]);
  });

  test("the manifest under metadata/ is not data: a period with only a manifest is not present", async () => {
    const deps = fakeDeps(fakeBucket());

    const status = await registerCur(deps, LOCATION, "2026-11-22T06:00:00Z");

    expect(status.periods.find((p) => p.billingPeriod === "2026-11")?.present).toBe(false);
  });

  test("once the export writes November, the next run records it and when it changed", async () => {
    const bucket = fakeBucket();
    const deps = fakeDeps(bucket);
    await registerCur(deps, LOCATION, "2026-11-02T06:00:00Z");
    bucket.set(`${DATA}BILLING_PERIOD=2026-11/cur2-00001.snappy.parquet`, {
      key: `${DATA}BILLING_PERIOD=2026-11/cur2-00001.snappy.parquet`,
      size: 300_000,
      lastModified: "2026-11-02T19:40:00.000Z",
    });

    const status = await registerCur(deps, LOCATION, "2026-11-03T06:00:00Z");

    expect(status.periods.map((p) => [p.billingPeriod, p.present, p.objects, p.lastModified])).toEqual([
      ["2026-11", true, 1, "2026-11-02T19:40:00.000Z"],
      ["2026-10", true, 2, "2026-11-01T07:13:00.000Z"],
    ]);
  });

  test("a retry of the same run writes the same status; periods no longer checked keep their last entry", async () => {
    const deps = fakeDeps(fakeBucket());
    const september = {
      billingPeriod: "2026-09",
      present: true,
      objects: 3,
      bytes: 9_000_000,
      lastModified: "2026-10-04T07:00:00.000Z",
      checkedBy: "2026-10-05T06:00:00Z",
    };
    deps.stored.push({ location: LOCATION, updatedBy: "2026-10-05T06:00:00Z", periods: [september] });

    const first = await registerCur(deps, LOCATION, "2026-11-02T06:00:00Z");
    const retry = await registerCur(deps, LOCATION, "2026-11-02T06:00:00Z");

    expect(retry).toEqual(first);
    expect(first.periods.map((p) => p.billingPeriod)).toEqual(["2026-11", "2026-10", "2026-09"]);
    expect(first.periods[2]).toEqual(september);
  });

  test("a status left by another export location is replaced, not merged", async () => {
    const deps = fakeDeps(fakeBucket());
    deps.stored.push({
      location: "s3://old-billing/cur/data/",
      updatedBy: "2026-10-05T06:00:00Z",
      periods: [
        {
          billingPeriod: "2026-09",
          present: true,
          objects: 1,
          bytes: 1,
          lastModified: "2026-10-01T00:00:00.000Z",
          checkedBy: "2026-10-05T06:00:00Z",
        },
      ],
    });

    const status = await registerCur(deps, LOCATION, "2026-11-02T06:00:00Z");

    expect(status.periods.map((p) => p.billingPeriod)).toEqual(["2026-11", "2026-10"]);
  });

  test("billing periods come from the event's UTC time, across a year boundary", () => {
    expect(periodsToCheck("2027-01-01T06:00:00Z")).toEqual(["2026-12", "2027-01"]);
    expect(periodsToCheck("2026-03-31T23:59:59Z")).toEqual(["2026-02", "2026-03"]);
    expect(() => periodsToCheck("yesterday")).toThrow(/not a time: yesterday/);
  });

  test("the table LOCATION parses into bucket and prefix; anything else fails naming it", () => {
    expect(parseS3Location("s3://acme-billing/exports/cur2/data/")).toEqual({
      bucket: "acme-billing",
      prefix: "exports/cur2/data/",
    });
    expect(parseS3Location("s3://acme-billing/cur2/data")).toEqual({
      bucket: "acme-billing",
      prefix: "cur2/data/",
    });
    expect(() => parseS3Location("https://acme-billing.s3.amazonaws.com/data/")).toThrow(
      'cur table LOCATION is not an s3:// URL: "https://acme-billing.s3.amazonaws.com/data/"',
    );
  });
});

describe("register-cur on AWS", () => {
  const athena = mockClient(AthenaClient);
  const s3 = mockClient(S3Client);
  afterEach(() => {
    athena.reset();
    s3.reset();
  });

  test("the export's location is the cur table's LOCATION as Athena reports it", async () => {
    athena.on(GetTableMetadataCommand).resolves({
      TableMetadata: {
        Name: "cur",
        TableType: "EXTERNAL_TABLE",
        Parameters: {
          EXTERNAL: "TRUE",
          location: LOCATION,
          "projection.enabled": "true",
          "storage.location.template": `${LOCATION}BILLING_PERIOD=\${billing_period}/`,
        },
      },
    });

    expect(await curTableLocation(new AthenaClient({}), "flowcost_prod")).toBe(LOCATION);
    expect(athena.commandCalls(GetTableMetadataCommand)[0]?.args[0].input).toEqual({
      CatalogName: "AwsDataCatalog",
      DatabaseName: "flowcost_prod",
      TableName: "cur",
    });
  });

  test("a table without a location fails naming the table", async () => {
    athena.on(GetTableMetadataCommand).resolves({ TableMetadata: { Name: "cur", Parameters: {} } });

    await expect(curTableLocation(new AthenaClient({}), "flowcost_prod")).rejects.toThrow(
      "table flowcost_prod.cur has no location in the catalog",
    );
  });

  test("listing follows continuation tokens and keeps size and LastModified", async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined })
      .resolves({
        IsTruncated: true,
        NextContinuationToken: "page-2",
        Contents: [
          {
            Key: `${DATA}BILLING_PERIOD=2026-11/a.parquet`,
            Size: 10,
            LastModified: new Date("2026-11-02T19:40:00Z"),
          },
        ],
      })
      .on(ListObjectsV2Command, { ContinuationToken: "page-2" })
      .resolves({
        IsTruncated: false,
        Contents: [
          {
            Key: `${DATA}BILLING_PERIOD=2026-11/b.parquet`,
            Size: 20,
            LastModified: new Date("2026-11-02T19:41:00Z"),
          },
        ],
      });

    const objects = await s3CurLister(new S3Client({}))("acme-billing", `${DATA}BILLING_PERIOD=2026-11/`);

    expect(objects).toEqual([
      { key: `${DATA}BILLING_PERIOD=2026-11/a.parquet`, size: 10, lastModified: "2026-11-02T19:40:00.000Z" },
      { key: `${DATA}BILLING_PERIOD=2026-11/b.parquet`, size: 20, lastModified: "2026-11-02T19:41:00.000Z" },
    ]);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Bucket)).toEqual([
      "acme-billing",
      "acme-billing",
    ]);
  });
});
