import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  defaultLayoutKey,
  FLOW_FIELDS,
  type FlowField,
  ledgerBalances,
  type RejectReason,
  withinFlowNumberLimits,
} from "@flowcost/core";
import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import { compactFlowLogs } from "@flowcost/local/jobs/compact";
import { findFlowLogFiles } from "@flowcost/local/lake/flow-log-files";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";
import { propertyOptions, RUNS } from "./runs.ts";

/**
 * Parquet flow-log objects (columns named with `_`, typed, any subset in any order, values in and
 * out of range, NULLs) and now and then a file that is not Parquet at all: every object's ledger
 * matches a row-by-row model (read = the footer's rows), a corrupt file fails alone naming
 * itself, and the curated bytes are exactly the used rows' bytes.
 */
const OBJECTS_PER_RUN = 5;
const HOUR = Date.UTC(2026, 10, 22, 10) / 1000;
const SQL_TYPE = { int: "INTEGER", bigint: "BIGINT", string: "VARCHAR" } as const;

const value = (f: FlowField): fc.Arbitrary<string | number | bigint | null> => {
  if (f.type === "string")
    return f.name === "log-status"
      ? fc.constantFrom("OK", "OK", "OK", "NODATA", "SKIPDATA", null, "LATE")
      : fc.constantFrom("eni-0abc", "10.0.1.10", "egress", "S3", null, "'; DROP TABLE x; --", "*");
  const typical =
    f.name === "start" || f.name === "end"
      ? fc.integer({ min: HOUR - 3600, max: HOUR + 7200 })
      : f.name === "srcport" || f.name === "dstport"
        ? fc.integer({ min: 0, max: 65535 })
        : f.name === "protocol"
          ? fc.constantFrom(6, 17)
          : fc.integer({ min: 0, max: 1_000_000 });
  const odd =
    f.type === "int"
      ? fc.constantFrom(-1, 65536, 256, 2 ** 31 - 1, -(2 ** 31), null)
      : fc.constantFrom(-1n, -(10n ** 12n), 10n ** 15n + 1n, 2n ** 63n - 1n, 253402300800n, 0n, null);
  return fc.oneof({ arbitrary: typical, weight: 10 }, { arbitrary: odd, weight: 2 });
};

const objectArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.shuffledSubarray([...FLOW_FIELDS], { minLength: 1, maxLength: 16 }).chain((fields) =>
      fc.record({
        kind: fc.constant("parquet" as const),
        fields: fc.constant(fields),
        rows: fc.array(fc.tuple(...fields.map(value)), { maxLength: 10 }),
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("corrupt" as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
  },
);

interface Expected {
  read: number;
  used: number;
  nodata: number;
  skipdata: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  bytes: bigint;
  failed: boolean;
}

function model(fields: ReadonlyArray<FlowField>, rows: ReadonlyArray<ReadonlyArray<unknown>>): Expected {
  const e: Expected = {
    read: rows.length,
    used: 0,
    nodata: 0,
    skipdata: 0,
    rejectedByReason: {},
    bytes: 0n,
    failed: false,
  };
  for (const row of rows) {
    const get = (name: string) => {
      const i = fields.findIndex((f) => f.name === name);
      return i < 0 ? null : (row[i] as string | number | bigint | null);
    };
    const status = (get("log-status") as string | null) ?? "OK";
    const numeric = (name: string) => {
      const v = get(name);
      return v === null ? null : BigInt(v as number | bigint);
    };
    if (status === "OK" && get("start") !== null && get("bytes") !== null) {
      const inRange = withinFlowNumberLimits({
        bytes: numeric("bytes"),
        packets: numeric("packets"),
        srcport: numeric("srcport"),
        dstport: numeric("dstport"),
        protocol: numeric("protocol"),
        start: numeric("start"),
        end: numeric("end"),
      });
      if (inRange) {
        e.used++;
        e.bytes += numeric("bytes") as bigint;
      } else e.rejectedByReason.number_range = (e.rejectedByReason.number_range ?? 0) + 1;
    } else if (status === "NODATA") e.nodata++;
    else if (status === "SKIPDATA") e.skipdata++;
    else e.rejectedByReason.invalid_record = (e.rejectedByReason.invalid_record ?? 0) + 1;
  }
  return e;
}

const literal = (v: unknown, type: string) =>
  v === null
    ? `CAST(NULL AS ${type})`
    : typeof v === "string"
      ? `'${v.replaceAll("'", "''")}'`
      : `CAST(${String(v)} AS ${type})`;

describe("Parquet flow-log objects: the ledger matches a row-by-row model", () => {
  test(`generated objects (${OBJECTS_PER_RUN} per run)`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(objectArb, { minLength: OBJECTS_PER_RUN, maxLength: OBJECTS_PER_RUN }),
        async (objects) => {
          const lake = await tempDir(`prop-parquet-${++run}`);
          const engine = await DuckDbEngine.open({ lakeDir: join(lake, "work") });
          try {
            const expected = new Map<string, Expected>();
            for (const [i, o] of objects.entries()) {
              const path = join(
                lake,
                defaultLayoutKey({
                  accountId: "123456789012",
                  region: "us-east-1",
                  flowLogId: "fl-0123456789abcdef0",
                  fileTime: HOUR + 300 * i,
                  hash: `0a1b${i}`,
                  encoding: "parquet",
                }),
              );
              await mkdir(dirname(path), { recursive: true });
              if (o.kind === "corrupt") {
                await writeFile(path, Buffer.from(o.bytes));
                expected.set(path, {
                  read: 0,
                  used: 0,
                  nodata: 0,
                  skipdata: 0,
                  rejectedByReason: {},
                  bytes: 0n,
                  failed: true,
                });
                continue;
              }
              const columns = o.fields.map((f) => `"${f.column}"`);
              const select =
                o.rows.length === 0
                  ? `SELECT ${o.fields.map((f) => `CAST(NULL AS ${SQL_TYPE[f.type]}) AS "${f.column}"`).join(", ")} WHERE false`
                  : o.rows
                      .map(
                        (r) =>
                          `SELECT ${r.map((v, j) => `${literal(v, SQL_TYPE[(o.fields[j] as FlowField).type])} AS ${columns[j]}`).join(", ")}`,
                      )
                      .join(" UNION ALL ");
              await engine.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
              expected.set(path, model(o.fields, o.rows));
            }
            const { ledger } = await compactFlowLogs(
              engine,
              join(lake, "work"),
              await findFlowLogFiles(lake),
            );
            expect(ledgerBalances(ledger)).toBe(true);
            let usedBytes = 0n;
            for (const f of ledger.files) {
              const e = expected.get(f.file) as Expected;
              expect(e, f.file).toBeDefined();
              expect(ledgerBalances(f)).toBe(true);
              if (e.failed) {
                expect(f.failure?.reason).toBe("unreadable_object");
                expect(f.failure?.message).toContain(f.file);
                expect(f.used).toBe(0);
                continue;
              }
              expect({
                read: f.read,
                used: f.used,
                nodata: f.nodata,
                skipdata: f.skipdata,
                rejectedByReason: f.rejectedByReason,
              }).toEqual({
                read: e.read,
                used: e.used,
                nodata: e.nodata,
                skipdata: e.skipdata,
                rejectedByReason: e.rejectedByReason,
              });
              usedBytes += e.bytes;
            }
            expect(ledger.compacted).toBe(ledger.used);
            const [row] = await engine.run("SELECT coalesce(sum(bytes), 0)::HUGEINT AS b FROM curated_flows");
            expect(BigInt(row?.b as bigint)).toBe(usedBytes);
          } finally {
            engine.close();
            await rm(lake, { recursive: true, force: true });
          }
        },
      ),
      propertyOptions(Math.max(3, Math.ceil(RUNS / OBJECTS_PER_RUN))),
    );
  });
});
