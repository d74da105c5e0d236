import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CUR_COLUMNS, defineCurView, usableCurFiles } from "@flowcost/local/engine/cur";
import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import { parseCurKey } from "@flowcost/local/lake/cur-files";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";
import { propertyOptions } from "./runs.ts";

/**
 * CUR 2.0 files (CSV, gzip CSV, Parquet) with generated lines, columns left out and values that
 * are not of their column's type: each file is either used (the `cur` view reads every line of
 * it) or left out with a reason naming it and its billing period; the view never fails.
 */
const COLUMNS = Object.keys(CUR_COLUMNS);
const value = (type: string): fc.Arbitrary<string> => {
  const good =
    type === "TIMESTAMP"
      ? fc
          .integer({ min: Date.UTC(2026, 10, 1), max: Date.UTC(2026, 10, 30) })
          .map((ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"))
      : type === "DOUBLE"
        ? fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String)
        : fc.constantFrom(
            "Usage",
            "AWSDataTransfer",
            "USE1-DataTransfer-Regional-Bytes",
            "i-0abc",
            "us-east-1",
          );
  const bad = fc.constantFrom("n/a", "yesterday", "1,5", "--", "'; DROP TABLE cur; --", "*", "");
  return fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });
};
const line = fc.tuple(...Object.values(CUR_COLUMNS).map(value));
const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

describe("CUR 2.0 files: used whole or left out by name", async () => {
  const lake = await tempDir("prop-cur");
  const engine = await DuckDbEngine.open({ lakeDir: lake });
  afterAll(() => engine.close());
  let n = 0;

  test("generated CSV, gzip CSV and Parquet files with odd values and missing columns", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 20 }),
        fc.subarray(COLUMNS, { minLength: COLUMNS.length - 2 }),
        fc.constantFrom("csv", "csv.gz", "parquet"),
        fc.constantFrom("plain", "a*b", "q?[1]", "it's"),
        async (lines, columns, format, stem) => {
          const dir = join(lake, `cur${++n}`, "export", "data", "BILLING_PERIOD=2026-11");
          await mkdir(dir, { recursive: true });
          const keep = columns.map((c) => COLUMNS.indexOf(c));
          const csv = `${[columns.join(","), ...lines.map((l) => keep.map((i) => csvField(l[i] ?? "")).join(","))].join("\n")}\n`;
          const path = join(dir, `${stem}.${format}`);
          if (format === "csv") await writeFile(path, csv);
          else if (format === "csv.gz") await writeFile(path, gzipSync(csv));
          else {
            const source = join(dir, "source.csv");
            await writeFile(source, csv);
            await engine.run(
              `COPY (SELECT * FROM read_csv('${source.replaceAll("'", "''")}', header = true, all_varchar = true)) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`,
            );
            await rm(source);
          }
          const key = parseCurKey(path.slice(lake.length + 1));
          expect(key).toBeDefined();
          const file = { ...(key as NonNullable<typeof key>), path };
          const { usable, skipped } = await usableCurFiles(engine, [file]);
          expect(usable.length + skipped.length).toBe(1);
          for (const s of skipped) {
            expect(s.path).toBe(path);
            expect(s.reason).toContain("BILLING_PERIOD=2026-11");
          }
          await defineCurView(engine, usable);
          const [row] = await engine.run(
            "SELECT count(*) AS n, sum(line_item_unblended_cost) AS cost FROM cur",
          );
          expect(Number(row?.n)).toBe(usable.length === 1 ? lines.length : 0);
          const complete = columns.length === COLUMNS.length;
          if (!complete) expect(usable).toEqual([]);
        },
      ),
      propertyOptions(),
    );
  });
});
