import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
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
 * Text flow-log objects with generated headers (any subset of fields, in any order) and lines
 * (values in and out of range, garbage numbers, dropped and extra fields, stray spaces), several
 * objects per run, some with odd names. For every object the ledger matches an independent model
 * of each line (used, NODATA, SKIPDATA, or rejected with its reason), its equation holds, and
 * the curated bytes are exactly the used lines' bytes: nothing crashes, nothing is lost.
 */
const OBJECTS_PER_RUN = 6;
const HOUR = Date.UTC(2026, 10, 22, 10) / 1000;
const INT_MAX = 2 ** 31 - 1;
const BIGINT_MAX = 2n ** 63n - 1n;

const numberToken = (f: FlowField): fc.Arbitrary<string> => {
  const typical =
    f.name === "start" || f.name === "end"
      ? fc.integer({ min: HOUR - 3600, max: HOUR + 7200 })
      : f.name === "srcport" || f.name === "dstport"
        ? fc.integer({ min: 0, max: 65535 })
        : f.name === "protocol"
          ? fc.constantFrom(1, 6, 17)
          : fc.integer({ min: 0, max: 10_000_000 });
  return fc.oneof(
    { arbitrary: typical.map(String), weight: 20 },
    { arbitrary: fc.constant("-"), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        "-1",
        "-1000000000000",
        "65536",
        "256",
        "1000000000000001",
        "253402300800",
        "0",
        String(INT_MAX),
        String(INT_MAX + 1),
        String(BIGINT_MAX),
        String(BIGINT_MAX + 1n),
        "12x",
        "abc",
      ),
      weight: 3,
    },
  );
};
const stringToken = (f: FlowField): fc.Arbitrary<string> =>
  f.name === "log-status"
    ? fc.constantFrom("OK", "OK", "OK", "OK", "NODATA", "SKIPDATA", "-", "LATE")
    : fc.oneof(
        {
          arbitrary: fc.constantFrom("eni-0abc", "10.0.1.10", "S3", "egress", "ACCEPT", "use1-az1"),
          weight: 8,
        },
        { arbitrary: fc.constantFrom("-", "*", "'", '"', "x?[y]", "a;DROP"), weight: 1 },
      );
const token = (f: FlowField) => (f.type === "string" ? stringToken(f) : numberToken(f));

type LineShape = { tokens: string[]; mutation: "none" | "drop" | "extra" | "spaces" };

const objectArb = fc.shuffledSubarray([...FLOW_FIELDS], { minLength: 1, maxLength: 20 }).chain((fields) =>
  fc.record({
    fields: fc.constant(fields),
    badHeader: fc.boolean().map((b) => b && fields.length % 7 === 0),
    name: fc.constantFrom("0a1b2c3d", "*", "x?[0]"),
    lines: fc.array(
      fc.record({
        tokens: fc.tuple(...fields.map(token)),
        mutation: fc.constantFrom("none", "none", "none", "none", "none", "drop", "extra", "spaces"),
      }) as fc.Arbitrary<LineShape>,
      { maxLength: 12 },
    ),
  }),
);

const render = (l: LineShape) =>
  l.mutation === "drop"
    ? l.tokens.slice(1).join(" ")
    : l.mutation === "extra"
      ? `${l.tokens.join(" ")} extra`
      : l.mutation === "spaces"
        ? ` ${l.tokens.join("  ")} `
        : l.tokens.join(" ");

interface Expected {
  read: number;
  used: number;
  nodata: number;
  skipdata: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  bytes: bigint;
}

/** What one line is, by the documented rules, computed apart from the engine. */
function model(
  fields: ReadonlyArray<FlowField>,
  lines: ReadonlyArray<LineShape>,
  badHeader: boolean,
): Expected {
  const e: Expected = { read: 0, used: 0, nodata: 0, skipdata: 0, rejectedByReason: {}, bytes: 0n };
  const reject = (r: RejectReason) => {
    e.rejectedByReason[r] = (e.rejectedByReason[r] ?? 0) + 1;
  };
  for (const l of lines) {
    const text = render(l);
    if (text.trim() === "") continue;
    e.read++;
    if (badHeader) {
      reject("unknown_field");
      continue;
    }
    const tokens = text.trim().split(/\s+/);
    if (tokens.length !== fields.length) {
      reject("field_count");
      continue;
    }
    const values = new Map<string, bigint | string | null>();
    let bad = false;
    fields.forEach((f, i) => {
      const t = tokens[i] as string;
      if (t === "-") values.set(f.name, null);
      else if (f.type === "string") values.set(f.name, t);
      else if (!/^-?\d+$/.test(t)) bad = true;
      else {
        const n = BigInt(t);
        const max = f.type === "int" ? BigInt(INT_MAX) : BIGINT_MAX;
        if (n > max || n < -max - 1n) bad = true;
        else values.set(f.name, n);
      }
    });
    if (bad) {
      reject("number_format");
      continue;
    }
    const status = (values.get("log-status") as string | null | undefined) ?? "OK";
    const start = values.get("start") ?? null;
    const bytes = values.get("bytes") ?? null;
    if (status === "OK" && start !== null && bytes !== null) {
      const numeric = (name: string) => values.get(name) as bigint | null | undefined;
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
        e.bytes += bytes as bigint;
      } else reject("number_range");
    } else if (status === "NODATA") e.nodata++;
    else if (status === "SKIPDATA") e.skipdata++;
    else reject("invalid_record");
  }
  return e;
}

describe("text flow-log objects: the ledger matches a line-by-line model", () => {
  test(`generated objects (${OBJECTS_PER_RUN} per run)`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(objectArb, { minLength: OBJECTS_PER_RUN, maxLength: OBJECTS_PER_RUN }),
        async (objects) => {
          const lake = await tempDir(`prop-text-${++run}`);
          const expected = new Map<string, Expected>();
          for (const [i, o] of objects.entries()) {
            const key = defaultLayoutKey({
              accountId: "123456789012",
              region: "us-east-1",
              flowLogId: "fl-0123456789abcdef0",
              fileTime: HOUR + 300 * i,
              hash: `${o.name}${i}`,
            });
            const path = join(lake, key);
            const header = o.badHeader
              ? ["not-a-field", ...o.fields.map((f) => f.name)]
              : o.fields.map((f) => f.name);
            await mkdir(dirname(path), { recursive: true });
            await writeFile(path, gzipSync(`${[header.join(" "), ...o.lines.map(render)].join("\n")}\n`));
            expected.set(path, model(o.fields, o.lines, o.badHeader));
          }
          const engine = await DuckDbEngine.open({ lakeDir: lake });
          try {
            const files = await findFlowLogFiles(lake);
            expect(files.map((f) => f.path).sort()).toEqual([...expected.keys()].sort());
            const { ledger } = await compactFlowLogs(engine, lake, files);
            expect(ledgerBalances(ledger)).toBe(true);
            let usedBytes = 0n;
            for (const f of ledger.files) {
              const e = expected.get(f.file);
              expect(e, f.file).toBeDefined();
              expect(ledgerBalances(f)).toBe(true);
              expect({
                file: f.file,
                read: f.read,
                used: f.used,
                nodata: f.nodata,
                skipdata: f.skipdata,
                rejectedByReason: f.rejectedByReason,
              }).toEqual({
                file: f.file,
                read: e?.read,
                used: e?.used,
                nodata: e?.nodata,
                skipdata: e?.skipdata,
                rejectedByReason: e?.rejectedByReason,
              });
              if (f.failure) expect(f.failure.message).toContain(f.file);
              usedBytes += e?.bytes ?? 0n;
            }
            expect(ledger.compacted).toBe(ledger.used);
            const [row] = await engine.run(
              "SELECT coalesce(sum(bytes), 0)::HUGEINT AS b, count(*) FILTER (WHERE bytes < 0) AS neg FROM curated_flows",
            );
            expect(BigInt(row?.b as bigint)).toBe(usedBytes);
            expect(Number(row?.neg)).toBe(0);
          } finally {
            engine.close();
          }
        },
      ),
      propertyOptions(Math.max(3, Math.ceil(RUNS / OBJECTS_PER_RUN))),
    );
  });
});
