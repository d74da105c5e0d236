import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildDaySummary, reconcileDay } from "@flowcost/core";
import { lakeResultsStore } from "@flowcost/local/lake/results-files";
import { describe, expect, test } from "vitest";
import { attributedRow } from "../../support/builders.ts";
import { tempDir } from "../../support/temp.ts";

const summary = (dt: string) =>
  buildDaySummary({ reconciliation: reconcileDay(dt, [attributedRow({ dt })], [], () => undefined) });

describe("the results store over a lake folder", async () => {
  const lake = await tempDir("results-store");
  const store = lakeResultsStore(lake);

  test("a day document is written whole at its key and read back validated; days list in order", async () => {
    await store.writeDay(summary("2026-11-23"));
    await store.writeDay(summary("2026-11-22"));

    expect(await store.listDays()).toEqual(["2026-11-22", "2026-11-23"]);
    expect(await store.readDay("2026-11-22")).toEqual(summary("2026-11-22"));
    expect(await store.readDay("2026-11-21")).toBeUndefined();
    // No temp file is left beside the document.
    expect(await readdir(join(lake, "results/summary/dt=2026-11-22"))).toEqual(["summary.json"]);
    const text = await readFile(join(lake, "results/summary/dt=2026-11-22/summary.json"), "utf8");
    expect(JSON.parse(text).rows[0].listCostMicros).toBe(20_000);
  });

  test("small documents under results/, reports/ and state/ by literal key; listings skip temp (dot) files", async () => {
    await store.writeDocument("reports/weekly/2026-W48.md", "# week 48\n", "text/markdown");
    await store.writeDocument("state/regressions/latest.json", "{}");

    expect(await store.readDocument("reports/weekly/2026-W48.md")).toBe("# week 48\n");
    expect(await store.readDocument("reports/weekly/2026-W47.md")).toBeUndefined();
    expect(await store.listDocuments("reports/weekly/")).toEqual(["reports/weekly/2026-W48.md"]);
    expect(await store.listDocuments("state/nothing/")).toEqual([]);
  });

  test.each([
    "../etc/passwd",
    "results/../../etc/passwd",
    "/etc/passwd",
    "results/./x.json",
    "results/.hidden.json",
    "curated/flows/x.parquet",
    "results",
    "results//x.json",
  ])("the key %s is refused, naming it", async (key) => {
    await expect(store.readDocument(key)).rejects.toThrow(`results key "${key}"`);
    await expect(store.writeDocument(key, "x")).rejects.toThrow(`results key "${key}"`);
  });

  test("a day that is not a calendar day is refused", async () => {
    await expect(store.readDay("2026-02-30")).rejects.toThrow('day "2026-02-30"');
    await expect(store.readDay("../../x")).rejects.toThrow("not a UTC day");
  });

  test("a stored document that does not validate fails naming its key, not its content", async () => {
    await store.writeDocument("results/summary/dt=2026-11-20/summary.json", '{"schemaVersion": 1}');
    await expect(store.readDay("2026-11-20")).rejects.toThrow("results/summary/dt=2026-11-20/summary.json:");
  });

  test("a day document that fails validation partway is not written, and the day's previous document stays", async () => {
    const many = buildDaySummary({
      reconciliation: reconcileDay(
        "2026-11-24",
        Array.from({ length: 3_000 }, (_, i) => attributedRow({ dt: "2026-11-24", src_workload: `w-${i}` })),
        [],
        () => undefined,
      ),
    });
    await store.writeDay(many);
    const before = await readFile(join(lake, "results/summary/dt=2026-11-24/summary.json"), "utf8");
    // Row 2,500 is invalid: 2,000 rows' text has been written to the temp file when it is found.
    const bad = { ...many, rows: many.rows.map((r, i) => (i === 2_500 ? { ...r, bytes: -1 } : r)) };
    await expect(store.writeDay(bad)).rejects.toThrow("rows");
    expect(await readdir(join(lake, "results/summary/dt=2026-11-24"))).toEqual(["summary.json"]);
    expect(await readFile(join(lake, "results/summary/dt=2026-11-24/summary.json"), "utf8")).toBe(before);
    expect((await store.readDay("2026-11-24"))?.rows).toHaveLength(3_000);
  });
});
