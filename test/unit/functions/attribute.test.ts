import { gunzipSync } from "node:zlib";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type AttributedRow, type CurNetworkLine, type ResultRow, reconcileDay } from "@flowcost/core";
import { CURATED_TABLES } from "@flowcost/local/engine/tables";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, test } from "vitest";
import { S3Lake } from "../../../packages/functions/src/adapters/s3-lake.ts";
import {
  AttributeEvent,
  attributionDay,
  RESULTS_DAILY_COLUMNS,
  type ResultsDailyStore,
  s3ResultsDailyStore,
  writeResultsDaily,
} from "../../../packages/functions/src/jobs/attribute.ts";
import { attributedRow, GB } from "../../support/builders.ts";

const crossAz = (over: Partial<AttributedRow> = {}) =>
  attributedRow({ bytes: 3 * GB, list_cost_usd: 0.06, ...over });

const line = (usage_class: string, resource_id: string, gb: number, cost_usd: number): CurNetworkLine => ({
  dt: "2026-11-22",
  usage_class,
  resource_id,
  usage_type:
    usage_class === "inter_az_out" ? "USE1-DataTransfer-xAZ-Out-Bytes" : "USE1-DataTransfer-xAZ-In-Bytes",
  usage_amount: gb,
  cost_usd,
});

/** A day that reconciles to the CUR with one line no transfer explains: billed rows and an unattributed row. */
function reconciledRows(): ResultRow[] {
  const instances: Record<string, string> = { "node-a": "i-0aaa", "node-b": "i-0bbb" };
  const r = reconcileDay(
    "2026-11-22",
    [crossAz()],
    [
      line("inter_az_out", "i-0aaa", 3, 0.03),
      line("inter_az_in", "i-0bbb", 3, 0.03),
      line("inter_az_out", "i-0ccc", 1.5, 0.015),
    ],
    (node) => instances[node],
  );
  return [...r.rows, ...r.unattributed];
}

function fakeStore(initial: string[] = []): ResultsDailyStore & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>(initial.map((k) => [k, new Uint8Array()]));
  return {
    objects,
    list: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(),
    delete: async (keys) => {
      for (const k of keys) objects.delete(k);
    },
    put: async (key, body) => {
      objects.set(key, body);
    },
  };
}

function ndjsonLines(body: Uint8Array | undefined): string[] {
  return gunzipSync(body ?? new Uint8Array())
    .toString("utf8")
    .split("\n");
}

describe("attribute Lambda: results/daily as the results_daily table reads it", () => {
  test("the column list is the results_daily table's, in order, without the dt partition", () => {
    const table = CURATED_TABLES.results_daily;
    expect([...RESULTS_DAILY_COLUMNS]).toEqual(
      Object.keys(table.columns).filter((c) => !(table.partitions as readonly string[]).includes(c)),
    );
  });

  test("a day is one gzip JSON-lines object: one object per row, keys = the table's columns, nulls kept", async () => {
    const store = fakeStore();
    const rows = reconciledRows();

    const written = await writeResultsDaily(store, "2026-11-22", rows);

    expect(written).toBe(2);
    expect([...store.objects.keys()]).toEqual(["results/daily/dt=2026-11-22/rows.json.gz"]);
    const lines = ndjsonLines(store.objects.get("results/daily/dt=2026-11-22/rows.json.gz"));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    const objects = lines.slice(0, 2).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const o of objects) expect(Object.keys(o)).toEqual([...RESULTS_DAILY_COLUMNS]);
    expect(objects[0]).toMatchObject({
      category: "cross_az",
      src_workload: "frontend",
      dst_workload: "catalog",
      src_ip: null,
      bytes: 3 * GB,
      list_cost_usd: 0.06,
      billed_cost_usd: 0.06,
      cost_basis: "billed",
    });
    // The half-cent line of an instance no flow explains stays visible, naming the instance.
    expect(objects[1]).toMatchObject({
      category: "unattributed",
      subcategory: "cross_az:inter_az_out",
      src_resource: "i-0ccc",
      bytes: 0,
      billed_cost_usd: 0.02,
    });
  });

  test("a day without CUR writes estimated rows with billed_cost_usd null", async () => {
    const store = fakeStore();
    const rows = reconcileDay("2026-11-22", [crossAz()], [], () => undefined).rows;

    await writeResultsDaily(store, "2026-11-22", rows);

    const [first] = ndjsonLines(store.objects.get("results/daily/dt=2026-11-22/rows.json.gz"));
    expect(JSON.parse(first ?? "")).toMatchObject({ billed_cost_usd: null, cost_basis: "estimated" });
  });

  test("a re-run replaces the day: same single object, stale keys of the day removed, other days untouched", async () => {
    const store = fakeStore([
      "results/daily/dt=2026-11-22/rows.json.gz",
      "results/daily/dt=2026-11-22/part-00000.parquet",
      "results/daily/dt=2026-11-21/rows.json.gz",
    ]);
    const rows = reconciledRows();

    await writeResultsDaily(store, "2026-11-22", rows);
    const first = store.objects.get("results/daily/dt=2026-11-22/rows.json.gz");
    await writeResultsDaily(store, "2026-11-22", rows);

    expect([...store.objects.keys()].sort()).toEqual([
      "results/daily/dt=2026-11-21/rows.json.gz",
      "results/daily/dt=2026-11-22/rows.json.gz",
    ]);
    expect(ndjsonLines(store.objects.get("results/daily/dt=2026-11-22/rows.json.gz"))).toEqual(
      ndjsonLines(first),
    );
  });

  test("a day with no rows is an empty object, so the day reads as zero rows rather than missing", async () => {
    const store = fakeStore(["results/daily/dt=2026-11-22/rows.json.gz"]);

    expect(await writeResultsDaily(store, "2026-11-22", [])).toBe(0);

    expect(
      gunzipSync(store.objects.get("results/daily/dt=2026-11-22/rows.json.gz") ?? new Uint8Array()),
    ).toHaveLength(0);
  });

  test("on S3 the object is a plain PUT of the gzip bytes into the lake bucket, without Content-Encoding", async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({});
    const lake = new S3Lake({ s3: new S3Client({}), bucket: "flowcost-prod-lake" });

    await writeResultsDaily(s3ResultsDailyStore(lake), "2026-11-22", reconciledRows());

    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.Bucket).toBe("flowcost-prod-lake");
    expect(input?.Key).toBe("results/daily/dt=2026-11-22/rows.json.gz");
    expect(input?.ContentEncoding).toBeUndefined();
    expect(ndjsonLines(input?.Body as Uint8Array)).toHaveLength(3);
    s3.restore();
  });

  test("schedules: daily closes yesterday, the hourly (provisional) run redoes today with the hour just closed", () => {
    expect(AttributeEvent.parse({ time: "2026-11-23T03:30:00Z", mode: "daily" }).mode).toBe("daily");
    expect(AttributeEvent.parse({ time: "2026-11-23T03:30:00Z", mode: "provisional" }).mode).toBe("hourly");
    expect(AttributeEvent.parse({ time: "2026-11-23T03:30:00Z" }).mode).toBe("daily");
    expect(attributionDay("2026-11-23T03:30:00Z", "daily").dt).toBe("2026-11-22");
    expect(attributionDay("2026-11-23T03:40:00Z", "hourly").dt).toBe("2026-11-23");
    // 00:40 attributes the previous day's last hour, not an empty new day.
    expect(attributionDay("2026-11-23T00:40:00Z", "hourly").dt).toBe("2026-11-22");
  });
});
