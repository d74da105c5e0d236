import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { claimLake } from "@flowcost/local/lake/run-lock";
import { RunTransaction } from "@flowcost/local/lake/run-transaction";
import { describe, expect, test } from "vitest";
import { tempDir } from "../../support/temp.ts";

/** A lake holding one published document and one partition folder. */
async function lakeWithResults(root: string, name: string): Promise<string> {
  const lake = join(root, name);
  await mkdir(join(lake, "results/summary/dt=2026-11-22"), { recursive: true });
  await writeFile(join(lake, "results/summary/dt=2026-11-22/summary.json"), "old summary\n");
  await mkdir(join(lake, "curated/flows/dt=2026-11-22/hour=09"), { recursive: true });
  await writeFile(join(lake, "curated/flows/dt=2026-11-22/hour=09/data_0.parquet"), "old hour 09");
  return lake;
}

/** A run killed after deciding to publish: its journal and marker written, nothing renamed yet. */
async function killedWhilePublishing(lake: string, entries: unknown[]): Promise<string> {
  const run = join(lake, ".staging", `run-${randomUUID()}`);
  await mkdir(join(run, "new/results/summary/dt=2026-11-22"), { recursive: true });
  await writeFile(join(run, "new/results/summary/dt=2026-11-22/summary.json"), "new summary\n");
  await writeFile(join(run, "journal.json"), JSON.stringify({ run, entries }));
  await writeFile(join(run, "committing"), "");
  return run;
}

describe("a run's transaction on real files", async () => {
  const root = await tempDir("run-transaction");

  test("documents the run writes are read back from staging and reach the lake only at commit", async () => {
    const lake = await lakeWithResults(root, "commit");
    const run = await RunTransaction.begin(lake);
    const docs = run.documents();
    await docs.put("results/summary/dt=2026-11-22/summary.json", "new summary\n", "application/json");
    await docs.putParts?.("results/ledger/dt=2026-11-22/ledger.json", ["led", "ger\n"], "application/json");
    expect(await docs.get("results/summary/dt=2026-11-22/summary.json")).toBe("new summary\n");
    expect((await docs.list("results/")).sort()).toEqual([
      "results/ledger/dt=2026-11-22/ledger.json",
      "results/summary/dt=2026-11-22/summary.json",
    ]);
    // Nothing published yet.
    expect(await readFile(join(lake, "results/summary/dt=2026-11-22/summary.json"), "utf8")).toBe(
      "old summary\n",
    );
    await expect(readFile(join(lake, "results/ledger/dt=2026-11-22/ledger.json"), "utf8")).rejects.toThrow();
    const stats = await run.commit();
    expect(stats).toMatchObject({ entries: 2, renames: 2 });
    expect(await readFile(join(lake, "results/summary/dt=2026-11-22/summary.json"), "utf8")).toBe(
      "new summary\n",
    );
    expect(await readFile(join(lake, "results/ledger/dt=2026-11-22/ledger.json"), "utf8")).toBe("ledger\n");
    expect(await readdir(join(lake, ".staging"))).toEqual([]);
  });

  test("an aborted run leaves the lake as it was and nothing behind", async () => {
    const lake = await lakeWithResults(root, "abort");
    const run = await RunTransaction.begin(lake);
    await run.documents().put("results/summary/dt=2026-11-22/summary.json", "new\n", "application/json");
    await run.abort();
    expect(await readFile(join(lake, "results/summary/dt=2026-11-22/summary.json"), "utf8")).toBe(
      "old summary\n",
    );
    expect(await readdir(join(lake, ".staging"))).toEqual([]);
  });

  test("the next run's start finishes a journal: the document replaced, the removed partition gone", async () => {
    const lake = await lakeWithResults(root, "recover");
    await killedWhilePublishing(lake, [
      { path: "results/summary/dt=2026-11-22/summary.json", action: "replace" },
      { path: "curated/flows/dt=2026-11-22/hour=09", action: "remove" },
    ]);
    const claim = await claimLake(lake);
    await claim.release();
    expect(claim.finished).toHaveLength(1);
    expect(await readFile(join(lake, "results/summary/dt=2026-11-22/summary.json"), "utf8")).toBe(
      "new summary\n",
    );
    expect(await readdir(join(lake, "curated/flows/dt=2026-11-22"))).toEqual([]);
    await expect(readdir(join(lake, ".staging"))).rejects.toThrow();
  });

  test("a journal naming a path outside the lake's results is refused, naming the journal, and nothing moves", async () => {
    const lake = await lakeWithResults(root, "refuse");
    const run = await killedWhilePublishing(lake, [
      { path: "results/summary/dt=2026-11-22/summary.json", action: "replace" },
      { path: "../outside", action: "remove" },
    ]);
    await expect(claimLake(lake)).rejects.toThrow(`${join(run, "journal.json")}: entry`);
    expect(await readFile(join(lake, "results/summary/dt=2026-11-22/summary.json"), "utf8")).toBe(
      "old summary\n",
    );
    // The lock is free again and the journal kept.
    expect((await readdir(join(lake, ".staging"))).sort()).toEqual([run.split("/").at(-1)]);
  });
});
