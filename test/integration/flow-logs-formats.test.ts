import { join } from "node:path";
import { DEFAULT_FORMAT, ledgerBalances, type RunLedger } from "@flowcost/core";
import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import { compactFlowLogs } from "@flowcost/local/jobs/compact";
import { findFlowLogFiles } from "@flowcost/local/lake/flow-log-files";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { writeFlowLogObject } from "../fixtures/flow-logs/objects.ts";
import { ALL_FIELDS, HOUR_START, line, TRUTH } from "../fixtures/flow-logs/records.ts";
import { tempDir } from "../support/temp.ts";

type Row = Record<string, unknown>;
const FILE_TIME = HOUR_START + 1200;
const open: DuckDbEngine[] = [];
afterAll(() => {
  for (const e of open) e.close();
});

/** Writes objects into a fresh lake, runs the reading and compaction step, returns what it made. */
async function compactLake(
  write: (root: string) => Promise<unknown>,
): Promise<{ engine: DuckDbEngine; ledger: RunLedger; curated: Row[]; lakeDir: string }> {
  const lakeDir = await tempDir("flow-formats");
  await write(join(lakeDir, "vpc-flow-logs"));
  const engine = await DuckDbEngine.open({ lakeDir });
  open.push(engine);
  const { ledger } = await compactFlowLogs(engine, lakeDir, await findFlowLogFiles(lakeDir));
  const curated = await engine.run(
    "SELECT * EXCLUDE (dt, hour) FROM curated_flows ORDER BY interface_id, first_start, srcaddr, dstaddr",
  );
  return { engine, ledger, curated, lakeDir };
}

const textObject =
  (fields: ReadonlyArray<string>, header = true) =>
  (root: string) =>
    writeFlowLogObject(root, {
      fileTime: FILE_TIME,
      lines: [...(header ? [fields.join(" ")] : []), ...TRUTH.map((r) => line(r, fields))],
    });

const traffic = TRUTH.filter((r) => r["log-status"] === "OK");
const directionTruth = traffic
  .map((r) => [r["interface-id"], r.srcaddr, r.dstaddr, r["flow-direction"]])
  .sort((a, b) => String(a).localeCompare(String(b)));
const directions = (rows: Row[]) =>
  rows
    .map((r) => [r.interface_id, r.srcaddr, r.dstaddr, r.flow_direction])
    .sort((a, b) => String(a).localeCompare(String(b)));

describe("header-driven text layouts", () => {
  test("a custom layout with every v2-v11 field: values as written, direction as logged", async () => {
    const { curated, ledger } = await compactLake(textObject(ALL_FIELDS));
    expect(ledger).toMatchObject({ read: 9, used: 7, nodata: 1, skipdata: 1, rejected: 0, compacted: 7 });
    expect(directions(curated)).toEqual(directionTruth);
    expect(curated.every((r) => r.direction_inferred === false)).toBe(true);
    const s3 = curated.filter((r) => r.pkt_dst_aws_service === "S3");
    expect(s3.map((r) => [r.interface_id, r.traffic_path, r.service_port, r.bytes])).toEqual([
      // Curated bytes are BIGINT, as the declared and Athena schemas say (a 64-bit integer, never a double).
      ["eni-0aaaaaaaaaaaaaaa1", 1, 443, 300n],
      ["eni-0ccccccccccccccc3", 8, 443, 300n],
      ["eni-0ccccccccccccccc3", null, 443, 300n],
    ]);
  });

  test.each([
    ["the default v2 format with its header line", DEFAULT_FORMAT, true],
    ["the default v2 format without a header line", DEFAULT_FORMAT, false],
  ])(
    "%s: direction inferred per ENI and hour, equal to what v5 would have logged",
    async (_, fields, header) => {
      const { curated, ledger } = await compactLake(textObject(fields, header));
      expect(ledger).toMatchObject({ read: 9, used: 7, nodata: 1, skipdata: 1, rejected: 0, compacted: 7 });
      expect(directions(curated)).toEqual(directionTruth);
      expect(curated.every((r) => r.direction_inferred === true)).toBe(true);
      // Region is not a v2 field: it comes from the S3 key.
      expect(new Set(curated.map((r) => r.region))).toEqual(new Set(["us-east-1"]));
    },
  );

  test("shuffled subsets of v2-v11 fields give the same bytes per ENI, direction and addresses", async () => {
    const needed = ["interface-id", "srcaddr", "dstaddr", "start", "bytes", "log-status"];
    const optional = ALL_FIELDS.filter((f) => !needed.includes(f));
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(optional),
        fc.array(fc.nat(), { minLength: ALL_FIELDS.length, maxLength: ALL_FIELDS.length }),
        async (extra, keys) => {
          const fields = [...needed, ...extra]
            .map((f, i) => [f, keys[i] ?? 0] as const)
            .sort((a, b) => a[1] - b[1])
            .map(([f]) => f);
          const { curated, ledger } = await compactLake(textObject(fields));
          expect(ledger).toMatchObject({
            read: 9,
            used: 7,
            nodata: 1,
            skipdata: 1,
            rejected: 0,
            compacted: 7,
          });
          expect(directions(curated)).toEqual(directionTruth);
          const bytes = curated.reduce((s, r) => s + Number(r.bytes), 0);
          expect(bytes).toBe(traffic.reduce((s, r) => s + Number(r.bytes), 0));
          for (const r of curated) {
            expect(r.direction_inferred).toBe(!fields.includes("flow-direction"));
            if (fields.includes("pkt-srcaddr")) expect(r.pkt_srcaddr).not.toBeNull();
            else expect(r.pkt_srcaddr).toBeNull();
          }
        },
      ),
      { numRuns: 8, seed: 20261122 },
    );
  });
});

describe("Parquet delivery", () => {
  test("the same records as Parquet (columns with `_`, typed, another order, some missing) compact to the same rows as text", async () => {
    const fields = ALL_FIELDS.filter((f) => !f.startsWith("ecs-"));
    const text = await compactLake(textObject(fields));
    const sourceDir = await tempDir("flow-parquet-source");
    const parquet = await compactLake(async (root) => {
      const source = await writeFlowLogObject(sourceDir, {
        fileTime: FILE_TIME,
        lines: [fields.join(" "), ...TRUTH.map((r) => line(r, fields))],
      });
      const target = await writeFlowLogObject(root, { fileTime: FILE_TIME, bytes: Buffer.alloc(0) });
      const parquetPath = target.replace(/\.log\.gz$/, ".parquet");
      const { rm } = await import("node:fs/promises");
      await rm(target);
      const engine = await DuckDbEngine.open({ lakeDir: sourceDir });
      try {
        const types: Record<string, string> = {};
        for (const f of fields) types[f] = "VARCHAR";
        // Reverse the column order: Parquet columns are matched by name, not position.
        const select = [...fields]
          .reverse()
          .map((f) => {
            const spec = ALL_FIELDS.indexOf(f);
            const typed = [
              "srcport",
              "dstport",
              "protocol",
              "tcp-flags",
              "traffic-path",
              "version",
              "encryption-status",
            ].includes(f)
              ? "INTEGER"
              : ["packets", "bytes", "start", "end"].includes(f)
                ? "BIGINT"
                : "VARCHAR";
            return spec >= 0 ? `CAST("${f}" AS ${typed}) AS "${f.replaceAll("-", "_")}"` : "";
          })
          .join(", ");
        await engine.run(
          `COPY (SELECT ${select} FROM read_csv('${source}', delim = ' ', header = true, nullstr = '-', quote = '', auto_detect = false, columns = ${JSON.stringify(types).replaceAll('"', "'")})) TO '${parquetPath}' (FORMAT parquet)`,
        );
      } finally {
        engine.close();
      }
    });
    expect(parquet.ledger).toMatchObject({
      read: 9,
      used: 7,
      nodata: 1,
      skipdata: 1,
      rejected: 0,
      compacted: 7,
    });
    expect(parquet.curated).toEqual(text.curated);
  });
});

describe("S3 key layouts", () => {
  test("default and Hive-compatible keys, daily and hourly folders, the organisation segment: account, region and day from the key", async () => {
    const layouts = [
      { accountId: "111111111111", region: "us-east-1", layout: "default" as const },
      { accountId: "222222222222", region: "eu-west-1", layout: "default" as const, hourly: true },
      { accountId: "333333333333", region: "us-west-2", layout: "hive" as const },
      { accountId: "444444444444", region: "ap-south-1", layout: "hive" as const, hourly: true },
      {
        accountId: "555555555555",
        region: "eu-central-1",
        layout: "default" as const,
        organizationId: "o-abc123def4",
      },
      {
        accountId: "666666666666",
        region: "sa-east-1",
        layout: "hive" as const,
        hourly: true,
        organizationId: "o-abc123def4",
      },
    ];
    // The default v2 format carries neither region nor (here) the delivering account's id.
    const fields = DEFAULT_FORMAT.filter((f) => f !== "account-id");
    const { curated, ledger } = await compactLake(async (root) => {
      for (const l of layouts) {
        await writeFlowLogObject(root, {
          ...l,
          fileTime: FILE_TIME,
          lines: [fields.join(" "), ...TRUTH.map((r) => line(r, fields))],
        });
      }
    });
    expect(ledger.files).toHaveLength(layouts.length);
    expect(ledger).toMatchObject({ read: 54, used: 42, nodata: 6, skipdata: 6, rejected: 0, compacted: 42 });
    const perAccount = new Map<string, Set<string>>();
    for (const r of curated) {
      const key = String(r.account_id);
      perAccount.set(key, (perAccount.get(key) ?? new Set()).add(String(r.region)));
    }
    expect(perAccount).toEqual(new Map(layouts.map((l) => [l.accountId, new Set([l.region])])));
  });
});

describe("damaged objects", () => {
  test("a truncated gzip fails that object by name; the other objects compact in full", async () => {
    const fields = ALL_FIELDS;
    const many = Array.from({ length: 2000 }, (_, i) =>
      line(
        { ...TRUTH[0], srcport: String(10000 + i), bytes: String(1000 + i) } as Record<string, string>,
        fields,
      ),
    );
    let truncated = "";
    const { ledger, engine } = await compactLake(async (root) => {
      await textObject(fields)(root);
      const { gzipSync } = await import("node:zlib");
      const whole = gzipSync(`${[fields.join(" "), ...many].join("\n")}\n`);
      truncated = await writeFlowLogObject(root, {
        fileTime: FILE_TIME + 300,
        bytes: whole.subarray(0, Math.floor(whole.length / 2)),
      });
      await textObject(fields)(root);
    });
    expect(ledger.failedObjects).toEqual([
      { file: truncated, reason: "truncated_gzip", message: expect.stringContaining(truncated) },
    ]);
    const failed = ledger.files.find((f) => f.file === truncated);
    expect(failed?.used).toBe(0);
    expect(failed?.rejected).toBe(failed?.read);
    expect(failed?.read).toBeGreaterThan(0);
    expect(ledger).toMatchObject({ used: 14, nodata: 2, skipdata: 2, compacted: 14 });
    const [left] = await engine.run(
      `SELECT count(*) AS n FROM raw_flow_logs WHERE source_file = '${truncated}'`,
    );
    expect(left?.n).toBe(0n);
  });

  test.each([
    ["every field (direction logged: one scan counts the ledger)", ALL_FIELDS],
    ["the default v2 format (direction inferred: the ledger's own scan)", DEFAULT_FORMAT],
  ])("impossible numbers (%s) are rejected as number_range and never reach a total", async (_, fields) => {
    const good = TRUTH[0] as Record<string, string>;
    const changes: Array<Record<string, string>> = [
      { bytes: "-1000000000000" },
      { bytes: "9223372036854775807" },
      { bytes: "1000000000000001" },
      { packets: "-5" },
      { srcport: "-1" },
      { dstport: "65536" },
      { protocol: "256" },
      { start: "-60", end: "-1" },
      { start: "253402300800", end: "253402300859" },
    ];
    const impossible = changes.map((change) => ({ ...good, ...change }));
    const { ledger, curated } = await compactLake((root) =>
      writeFlowLogObject(root, {
        fileTime: FILE_TIME,
        lines: [
          fields.join(" "),
          ...TRUTH.map((r) => line(r, fields)),
          ...impossible.map((r) => line(r, fields)),
        ],
      }),
    );
    expect(ledger).toMatchObject({
      read: TRUTH.length + impossible.length,
      used: traffic.length,
      rejected: impossible.length,
      rejectedByReason: { number_range: impossible.length },
      compacted: traffic.length,
    });
    expect(ledgerBalances(ledger)).toBe(true);
    const bytes = curated.reduce((s, r) => s + (r.bytes as bigint), 0n);
    expect(bytes).toBe(traffic.reduce((s, r) => s + BigInt(r.bytes as string), 0n));
    expect(curated.every((r) => (r.bytes as bigint) >= 0n && (r.packets as bigint) >= 0n)).toBe(true);
  });

  test("mutated lines (dropped or extra fields, garbage numbers, stray spaces) never crash and every line is booked", async () => {
    const fields = ALL_FIELDS;
    const good = TRUTH.map((r) => line(r, fields));
    const mutation = fc.oneof(
      fc.constant((l: string) => l),
      fc.nat().map((i) => (l: string) => {
        const parts = l.split(" ");
        parts.splice(i % parts.length, 1);
        return parts.join(" ");
      }),
      fc.constant((l: string) => `${l} extra`),
      fc.nat().map((i) => (l: string) => {
        const parts = l.split(" ");
        parts[ALL_FIELDS.indexOf(["bytes", "start", "srcport", "packets"][i % 4] as string)] = "12x";
        return parts.join(" ");
      }),
      fc.nat().map((i) => (l: string) => {
        const parts = l.split(" ");
        const at = i % parts.length;
        parts[at] = `${parts[at]} `;
        return i % 3 === 0 ? ` ${parts.join(" ")}` : parts.join(" ");
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), mutation), { minLength: 1, maxLength: 30 }),
        async (picks) => {
          const lines = picks.map(([i, mutate]) => mutate(good[i] as string));
          const { ledger } = await compactLake((root) =>
            writeFlowLogObject(root, { fileTime: FILE_TIME, lines: [fields.join(" "), ...lines] }),
          );
          expect(ledger.read).toBe(lines.length);
          // A line whose fields survive (stray spaces only) is booked as read; any other is rejected.
          const intact = lines.filter((l) => good.includes(l.trim().split(/\s+/).join(" "))).length;
          expect(ledger.used + ledger.nodata + ledger.skipdata).toBe(intact);
          expect(ledger.rejected).toBe(lines.length - intact);
          expect(ledgerBalances(ledger)).toBe(true);
          expect(ledger.rejectedByReason.unaccounted).toBeUndefined();
          expect(ledger.compacted).toBe(ledger.used);
        },
      ),
      { numRuns: 12, seed: 7 },
    );
  });
});
