import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { compactionPasses } from "@flowcost/local/jobs/compact";
import { type PipelineResult, runPipeline } from "@flowcost/local/pipeline";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { copyInputs, flowLogObjects } from "../support/damaged-lake.ts";
import { tempDir } from "../support/temp.ts";

const MiB = 2 ** 20;

describe("how many passes compaction makes: as few as DuckDB's share of the limit holds", () => {
  // DuckDB's share of the raw scans is 0.6 of --memory-limit: 572 MiB at 1GB, 1,144 MiB at 2GB.
  test("an hour of the bench cluster (92 MB of gzip) at 1GB, and the generated demo, in one pass", () => {
    expect(compactionPasses(92_000_000, 572 * MiB)).toBe(1);
    expect(compactionPasses(2_000_000, 572 * MiB)).toBe(1);
  });

  test("the full day (2.2 GB of gzip): 4 passes at 1GB, 2 at 2GB", () => {
    expect(compactionPasses(2_200_327_775, 572 * MiB)).toBe(4);
    expect(compactionPasses(2_200_327_775, 1144 * MiB)).toBe(2);
  });

  test("four hours of it (367 MB), which a 1GB limit compacts in one scan: one pass", () => {
    expect(compactionPasses(366_584_269, 572 * MiB)).toBe(1);
  });

  test("a limit DuckDB parses itself (no share known): one pass, as before", () => {
    expect(compactionPasses(2_200_327_775, undefined)).toBe(1);
  });
});

/** Every curated flow row of a lake, as comparable values, in one order. */
async function curatedRows(lake: string): Promise<string[]> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT * FROM read_parquet('${join(lake, "curated", "flows")}/*/*/*.parquet', hive_partitioning = true, hive_types = {'dt': VARCHAR, 'hour': VARCHAR})`,
    );
    return reader
      .getRowObjectsJson()
      .map((r) => JSON.stringify(r))
      .sort();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/** The run's ledger and attributed rows with the lake's own folder taken out of object paths. */
function answer(result: PipelineResult, lake: string) {
  const local = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(lake, "<lake>"));
  return {
    ledger: local(result.ledger),
    days: result.days.map((d) => local({ day: d.day, rows: d.rows, reconciliation: d.reconciliation })),
  };
}

/**
 * Compaction in several passes gives exactly the one scan's answer: the same curated rows, the
 * same ledger (every object's lines read, used and rejected, each booked once), the same
 * attributed bytes and dollars, on a lake with a truncated object, a garbled line and a line
 * with stray spaces (which compaction re-reads single-spaced, staging every pass again).
 */
describe("compaction in 3 passes gives the one pass's curated rows, ledger and attribution, damaged input included", async () => {
  const root = await tempDir("passes");
  const pristine = join(root, "pristine");
  await generateScenario({ outDir: pristine, seed: 7 });
  const damage = async (lake: string) => {
    const objects = await flowLogObjects(lake);
    const truncated = objects[3] as string;
    const bytes = await readFile(truncated);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const lines = gunzipSync(await readFile(objects[5] as string))
      .toString("utf8")
      .trimEnd()
      .split("\n");
    // A line's bytes garbled (rejected), and a line with a doubled space (read again single-spaced).
    const bytesField = (lines[0] as string).split(" ").indexOf("bytes");
    lines[2] = (lines[2] as string)
      .split(" ")
      .map((v, i) => (i === bytesField ? "12x4" : v))
      .join(" ");
    lines[3] = (lines[3] as string).replace(" ", "  ");
    await writeFile(objects[5] as string, gzipSync(`${lines.join("\n")}\n`));
  };
  const run = async (name: string, passes?: number) => {
    const lake = join(root, name);
    await copyInputs(pristine, lake);
    await damage(lake);
    const steps: string[] = [];
    const notes: string[] = [];
    const result = await runPipeline({
      lakeDir: lake,
      compactionPasses: passes,
      onStep: (s) => steps.push(s),
      onNote: (n) => notes.push(n),
    });
    return { lake, steps, notes, result, curated: await curatedRows(lake) };
  };
  const one = await run("one");
  const three = await run("three", 3);

  test("the small lake is compacted in one pass by default, and in three when forced, each pass told to the user", () => {
    // The stray-space line is re-read: compaction runs again without the truncated object.
    expect(one.steps.filter((s) => s.startsWith("compacting every hour"))).toEqual([
      "compacting every hour",
      "compacting every hour",
    ]);
    expect(three.steps.filter((s) => s.startsWith("compacting every hour"))).toEqual([
      "compacting every hour: pass 1 of 3",
      "compacting every hour: pass 2 of 3",
      "compacting every hour: pass 3 of 3",
      "compacting every hour: pass 1 of 3",
      "compacting every hour: pass 2 of 3",
      "compacting every hour: pass 3 of 3",
    ]);
    expect(one.notes).toEqual([]);
    expect(three.notes).toEqual(three.steps.filter((s) => s.startsWith("compacting every hour")));
  });

  test("the same curated rows, each group once", () => {
    expect(one.curated.length).toBeGreaterThan(1000);
    expect(three.curated).toEqual(one.curated);
  });

  test("the same ledger: the truncated object failed, the garbled line rejected once, the re-spaced line used", () => {
    const ledger = answer(three.result, three.lake).ledger;
    expect(ledger).toEqual(answer(one.result, one.lake).ledger);
    const failed = ledger.files.filter((f: { failure?: unknown }) => f.failure !== undefined);
    expect(failed.map((f: { failure: { reason: string } }) => f.failure.reason)).toEqual(["truncated_gzip"]);
    expect(ledger.rejected - failed[0].read).toBe(1);
    expect(ledger.read).toBe(ledger.used + ledger.nodata + ledger.skipdata + ledger.rejected);
  });

  test("the same attributed rows and reconciliation, byte for byte and cent for cent", () => {
    const days = answer(three.result, three.lake).days;
    expect(days.length).toBe(1);
    expect(days[0].rows.length).toBeGreaterThan(0);
    expect(days).toEqual(answer(one.result, one.lake).days);
  });
});
