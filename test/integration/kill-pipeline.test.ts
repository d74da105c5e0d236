import { spawn } from "node:child_process";
import { cp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { claimLake } from "@flowcost/local/lake/run-lock";
import { hasDecidedRun } from "@flowcost/local/lake/run-transaction";
import { runPipeline } from "@flowcost/local/pipeline";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { runCli } from "../support/cli.ts";
import { type AnalyzeJson, copyInputs, figures } from "../support/damaged-lake.ts";
import { lakeBytes, lakeContent } from "../support/lake-state.ts";
import { tempDir } from "../support/temp.ts";

/**
 * A run publishes its effect on the lake folder whole or not at all. The lake starts as an
 * earlier run left it (one limited to the day's first hour), then `flowcost analyze` over the
 * whole day is killed (SIGKILL: no cleanup runs) at random points, or stopped between two
 * renames while it publishes, or fails with an error part-way:
 * - killed before publishing, the published lake is byte for byte the earlier one;
 * - after the next run's start has dealt with the leftovers, the lake is either the earlier one
 *   or the killed run's whole result, never a mix (a run stopped while publishing is finished);
 * - a failed run leaves every partition and document byte-identical;
 * - the next run's answer equals an uninterrupted run's, and it leaves nothing behind.
 * KILL_RUNS sets how many kills of each kind (`npm test` a few).
 */
const KILL_RUNS = Number(process.env.KILL_RUNS ?? 3);
const BIN = join(import.meta.dirname, "../../packages/local/bin/flowcost.mjs");
const CHILD = join(import.meta.dirname, "../support/pipeline-child.ts");
/** The earlier run: the scenario day's first hour only (its second hour absent, its day estimated). */
const FIRST_HOUR = ["--from", "2026-11-22T09:00:00Z", "--to", "2026-11-22T10:00:00Z"];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  ms: number;
}

function spawnRun(args: string[], killAfterMs?: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, ms: Date.now() - started });
    });
  });
}

const analyze = (lake: string, killAfterMs?: number, extra: string[] = []) =>
  spawnRun([BIN, "analyze", lake, "--format", "json", ...extra], killAfterMs);

/** Files and folders no finished run may leave: staging, trash, temp files beside results. */
async function leftovers(lake: string): Promise<string[]> {
  const all = await readdir(lake, { recursive: true });
  return all.filter((p) => /(^|\/)\.(staging|trash)(\/|$)|(^|\/)\.[^/]+\.(tmp|\d+)$/.test(p)).sort();
}

/** What the next run does first: finish a run killed while publishing, remove every leftover. */
async function startOfNextRun(lake: string): Promise<void> {
  const claim = await claimLake(lake);
  await claim.release();
}

/** What a user compares: the figures and every result row. */
const answer = (json: string) => {
  const output = JSON.parse(json) as AnalyzeJson & { folder: string };
  return { figures: figures(output), rows: output.rows };
};

describe("a run's effect on the lake appears whole or not at all", async () => {
  const root = await tempDir("kill");
  const pristine = join(root, "pristine");
  await generateScenario({ outDir: pristine, seed: 11 });
  // Every run works at the same path (ledgers name the objects by path); `before` is kept aside.
  const lake = join(root, "lake");
  const before = join(root, "before");
  const restore = async () => {
    await rm(lake, { recursive: true, force: true });
    await cp(before, lake, { recursive: true });
  };
  await copyInputs(pristine, lake);
  const earlier = await analyze(lake, undefined, FIRST_HOUR);
  if (earlier.code !== 0) throw new Error(`the earlier run failed (exit ${earlier.code})`);
  await cp(lake, before, { recursive: true });
  const oldBytes = await lakeBytes(before);
  const oldContent = await lakeContent(before);
  // The uninterrupted run over the whole day, from the earlier lake.
  const clean = await analyze(lake);
  if (clean.code !== 0) throw new Error(`the clean run failed (exit ${clean.code})`);
  const newContent = await lakeContent(lake);
  const cleanLeftovers = await leftovers(lake);
  const whole = join(root, "whole");
  await cp(lake, whole, { recursive: true });

  test("the earlier lake and the whole run's lake differ (so old and new can be told apart)", () => {
    expect(cleanLeftovers).toEqual([]);
    expect(newContent).not.toEqual(oldContent);
    // The whole run adds the day's second hour, which the earlier run left out.
    expect(Object.keys(oldContent).some((k) => k.includes("hour=10"))).toBe(false);
    expect(Object.keys(newContent).some((k) => k.includes("hour=10"))).toBe(true);
  });

  test(
    `${KILL_RUNS} kills at random times: the lake is the earlier one or the whole run's, the next run a clean run's`,
    async () => {
      const outcome = {
        old: 0,
        new: 0,
        beforePublishing: 0,
        whilePublishing: 0,
        afterPublishing: 0,
        completed: 0,
      };
      for (let i = 0; i < KILL_RUNS; i++) {
        await restore();
        // Anywhere from process start to the end of a whole run (a kill after the end is a no-op).
        const at = Math.floor(Math.random() * clean.ms);
        const killed = await analyze(lake, at);
        const decided = await hasDecidedRun(lake);
        if (killed.code === 0) outcome.completed++;
        else if (decided) outcome.whilePublishing++;
        else if (JSON.stringify(await lakeBytes(lake)) === JSON.stringify(oldBytes)) {
          // Until it publishes, a run changes nothing a reader sees: byte for byte.
          outcome.beforePublishing++;
        } else {
          // With no journal left, a changed lake means the run had published all of it and was
          // killed before it exited (printing its answer): the whole run's lake, never a part.
          outcome.afterPublishing++;
          expect(await lakeContent(lake), `published lake after a kill at ${at} ms`).toEqual(newContent);
        }
        await startOfNextRun(lake);
        const state = await lakeContent(lake);
        if (JSON.stringify(state) === JSON.stringify(oldContent)) {
          outcome.old++;
          expect(await lakeBytes(lake)).toEqual(oldBytes);
        } else {
          outcome.new++;
          expect(state, `lake after a kill at ${at} ms: neither the earlier nor the whole run's`).toEqual(
            newContent,
          );
        }
        expect(await leftovers(lake)).toEqual([]);
        const next = await analyze(lake);
        expect(next.code, `rerun after a kill at ${at} ms`).toBe(0);
        expect(answer(next.stdout)).toEqual(answer(clean.stdout));
        expect(await lakeContent(lake)).toEqual(newContent);
        expect(await leftovers(lake)).toEqual([]);
      }
      console.log(`kill-pipeline (random times): ${KILL_RUNS} kills ${JSON.stringify(outcome)}`);
      expect(outcome.old + outcome.new).toBe(KILL_RUNS);
    },
    60_000 + KILL_RUNS * 40_000,
  );

  test(
    `${KILL_RUNS} kills between two renames while publishing: the next run's start finishes the run`,
    async () => {
      await restore();
      const reference = await spawnRun(["--import", "tsx", CHILD, lake]);
      expect(reference.code).toBe(0);
      const total = (JSON.parse(reference.stdout) as { published: { renames: number } }).published.renames;
      expect(await lakeContent(lake)).toEqual(newContent);
      // The first and the last rename, and random ones between.
      const stops = [
        1,
        total,
        ...Array.from(
          { length: Math.max(0, KILL_RUNS - 2) },
          () => 2 + Math.floor(Math.random() * Math.max(1, total - 2)),
        ),
      ];
      const outcome = { old: 0, new: 0 };
      for (const stop of stops) {
        await restore();
        const killed = await spawnRun(["--import", "tsx", CHILD, lake, "--stop-after-rename", String(stop)]);
        expect(killed.signal, `stopped after rename ${stop} of ${total}`).toBe("SIGKILL");
        expect(killed.stdout).toContain(`"killedAtRename":${stop}`);
        expect(await hasDecidedRun(lake)).toBe(true);
        await startOfNextRun(lake);
        const state = await lakeContent(lake);
        if (JSON.stringify(state) === JSON.stringify(oldContent)) outcome.old++;
        else outcome.new++;
        expect(state, `lake after a stop after rename ${stop} of ${total}`).toEqual(newContent);
        expect(await leftovers(lake)).toEqual([]);
        const next = await analyze(lake);
        expect(next.code).toBe(0);
        expect(answer(next.stdout)).toEqual(answer(clean.stdout));
        expect(await lakeContent(lake)).toEqual(newContent);
        expect(await leftovers(lake)).toEqual([]);
      }
      console.log(
        `kill-pipeline (while publishing, ${total} renames): stops after renames ${stops.join(", ")} ${JSON.stringify(outcome)}`,
      );
    },
    60_000 + KILL_RUNS * 40_000,
  );

  test("a reader (flowcost report) started after a kill while publishing reads the killed run's whole result", async () => {
    await restore();
    const killed = await spawnRun(["--import", "tsx", CHILD, lake, "--stop-after-rename", "1"]);
    expect(killed.signal).toBe("SIGKILL");
    expect(await hasDecidedRun(lake)).toBe(true);
    const report = await runCli(["report", lake, "--week", "2026-W47", "--format", "csv"]);
    expect(report.code, report.stderr).toBe(0);
    expect(await lakeContent(lake)).toEqual(newContent);
    expect(await leftovers(lake)).toEqual([]);
  });

  test(
    "a first-hour run over the whole run's lake, stopped while publishing: finished with the second hour removed",
    async () => {
      const window = [
        "--from",
        String(Date.parse(FIRST_HOUR[1] ?? "") / 1000),
        "--to",
        String(Date.parse(FIRST_HOUR[3] ?? "") / 1000),
      ];
      const fromWhole = async () => {
        await rm(lake, { recursive: true, force: true });
        await cp(whole, lake, { recursive: true });
      };
      await fromWhole();
      const reference = await spawnRun(["--import", "tsx", CHILD, lake, ...window]);
      expect(reference.code).toBe(0);
      const total = (JSON.parse(reference.stdout) as { published: { renames: number } }).published.renames;
      // The run's result does not depend on what the lake held: the earlier lake again.
      expect(await lakeContent(lake)).toEqual(oldContent);
      for (const stop of [1, 2 + Math.floor(Math.random() * Math.max(1, total - 2))]) {
        await fromWhole();
        const killed = await spawnRun([
          "--import",
          "tsx",
          CHILD,
          lake,
          ...window,
          "--stop-after-rename",
          String(stop),
        ]);
        expect(killed.signal, `stopped after rename ${stop} of ${total}`).toBe("SIGKILL");
        await startOfNextRun(lake);
        expect(await lakeContent(lake), `stopped after rename ${stop} of ${total}`).toEqual(oldContent);
        expect(await leftovers(lake)).toEqual([]);
      }
    },
    60_000 + KILL_RUNS * 40_000,
  );

  test("a run failing part-way, at any of its steps, leaves every partition and document byte-identical", async () => {
    await restore();
    const steps: string[] = [];
    await runPipeline({ lakeDir: lake, onStep: (s) => steps.push(s) });
    // Every step up to the last one before publishing (a failure there is the latest there is).
    expect(steps.at(-1)).toBe("publishing the results");
    for (const step of steps) {
      await restore();
      const failed = runPipeline({
        lakeDir: lake,
        onStep: (s) => {
          if (s === step) throw new Error(`injected failure at "${step}"`);
        },
      });
      await expect(failed).rejects.toThrow(`injected failure at "${step}"`);
      expect(await lakeBytes(lake), `lake after a failure at "${step}"`).toEqual(oldBytes);
      expect(await leftovers(lake)).toEqual([]);
    }
    console.log(`kill-pipeline (failures): ${steps.length} steps, each left the lake byte-identical`);
  });
});
