import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { type AnalyzeJson, copyInputs, figures } from "../support/damaged-lake.ts";
import { tempDir } from "../support/temp.ts";

/**
 * `flowcost analyze` killed (SIGKILL: no cleanup runs) at random points of its run, then run
 * again: the second run's answer equals an uninterrupted run's, and once it is done the lake
 * holds no staging, trash or temp files. KILL_RUNS sets how many kills (`npm test` a few).
 */
const KILL_RUNS = Number(process.env.KILL_RUNS ?? 3);
const BIN = join(import.meta.dirname, "../../packages/local/bin/flowcost.mjs");

function analyze(
  lake: string,
  killAfterMs?: number,
): Promise<{ code: number | null; stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, "analyze", lake, "--format", "json"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, ms: Date.now() - started });
    });
  });
}

/** Files and folders no finished run may leave: staging, trash, temp files beside results. */
async function leftovers(lake: string): Promise<string[]> {
  const all = await readdir(lake, { recursive: true });
  return all.filter((p) => /(^|\/)\.(staging|trash)(\/|$)|(^|\/)\.[^/]+\.(tmp|\d+)$/.test(p)).sort();
}

/** What a user compares: the figures and every result row. */
const answer = (json: string) => {
  const output = JSON.parse(json) as AnalyzeJson & { folder: string };
  return { figures: figures(output), rows: output.rows };
};

describe("a run killed at random points: the next run gives a clean run's answer and leaves nothing behind", async () => {
  const root = await tempDir("kill");
  const pristine = join(root, "pristine");
  await generateScenario({ outDir: pristine, seed: 11 });

  test(
    `${KILL_RUNS} kills`,
    async () => {
      const cleanLake = join(root, "clean");
      await copyInputs(pristine, cleanLake);
      const clean = await analyze(cleanLake);
      expect(clean.code).toBe(0);
      expect(await leftovers(cleanLake)).toEqual([]);
      const lake = join(root, "killed");
      await copyInputs(pristine, lake);
      let interrupted = 0;
      for (let i = 0; i < KILL_RUNS; i++) {
        // Anywhere from process start to the end of a whole run (a kill after the end is a no-op).
        const at = Math.floor(Math.random() * clean.ms);
        const killed = await analyze(lake, at);
        if (killed.code !== 0) interrupted++;
        const next = await analyze(lake);
        expect(next.code, `rerun after a kill at ${at} ms`).toBe(0);
        expect(answer(next.stdout)).toEqual(answer(clean.stdout));
        expect(await leftovers(lake)).toEqual([]);
      }
      console.log(
        `kill-pipeline: ${interrupted} of ${KILL_RUNS} runs interrupted, every rerun equal to the clean run`,
      );
      // Each kill is followed by a whole run; the default integration timeout fits a few.
    },
    60_000 + KILL_RUNS * 40_000,
  );
});
