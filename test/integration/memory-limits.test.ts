import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { memoryLimitTooLow } from "@flowcost/local/cli/commands/analyze";
import { MemoryShares } from "@flowcost/local/engine/memory-share";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { analyzeJson, copyInputs, figures, flowLogObjects } from "../support/damaged-lake.ts";
import { tempDir } from "../support/temp.ts";

/**
 * Under a small --memory-limit the run reads the raw objects with smaller read_csv buffers and
 * attributes on fewer threads (engine/memory-share.ts): the answer must not move by a byte or a
 * cent, nor the ledger by a line, including the lines it rejects.
 */
describe("a small memory limit gives the answer of the default one", async () => {
  const root = await tempDir("memory-limits");
  const pristine = join(root, "pristine");
  await generateScenario({ outDir: pristine, seed: 7 });
  const lake = join(root, "damaged");
  await copyInputs(pristine, lake);
  // Lines the parser rejects, so both runs must reject exactly the same ones: a garbled number,
  // a line with a field too few, a line with a field too many.
  const objects = await flowLogObjects(lake);
  for (const [n, path] of [objects[2], objects[5]].entries()) {
    const lines = gunzipSync(await readFile(path as string))
      .toString("utf8")
      .trimEnd()
      .split("\n");
    const bytesAt = (lines[0] as string).split(" ").indexOf("bytes");
    const garble = (line: string) =>
      line
        .split(" ")
        .map((v, i) => (i === bytesAt ? `${v}x` : v))
        .join(" ");
    lines[10 + n] = garble(lines[10 + n] as string);
    lines[20 + n] = (lines[20 + n] as string).split(" ").slice(0, -1).join(" ");
    lines[30 + n] = `${lines[30 + n]} 7`;
    await writeFile(path as string, gzipSync(`${lines.join("\n")}\n`));
  }
  const atDefault = await analyzeJson(lake);
  const at256 = await analyzeJson(lake, ["--memory-limit", "256MB"]);

  test("256MB: the same bytes, dollars and ledger (rejected lines included) as the default 1GB", () => {
    // Rejected lines are reported (exit 4: not every input was used), the same way at both limits.
    expect(atDefault.code).toBe(4);
    expect(atDefault.output.ledger.rejected).toBe(6);
    expect(at256.code).toBe(4);
    expect(figures(at256.output)).toEqual(figures(atDefault.output));
    expect(at256.output.ledger).toEqual(atDefault.output.ledger);
    expect(at256.output.rows).toEqual(atDefault.output.rows);
  });

  test("below 256MB, the least that works, the run is refused before any work: exit 2 naming the minimum, nothing written", async () => {
    const before = (await readdir(lake, { recursive: true })).sort();
    const below = await analyzeJson(lake, ["--memory-limit", "255MB"]);
    expect(below.code).toBe(2);
    expect(below.stderr).toContain(
      "--memory-limit 255MB is too small: give at least 256MB, the least that works",
    );
    expect(below.output).toEqual({});
    // The earlier runs' results stand, untouched; no staging folder was made.
    expect((await readdir(lake, { recursive: true })).sort()).toEqual(before);
  });
});

describe("DuckDB running out of memory above the minimum", () => {
  test("is reported as the limit being too low for this input, naming it and twice it, exit 1 (not an internal error)", async () => {
    // A real DuckDB out-of-memory error: a 16MB limit and an aggregate that cannot spill.
    const instance = await DuckDBInstance.create(":memory:", { memory_limit: "16MB", threads: "1" });
    const connection = await instance.connect();
    const error = await connection.run("SELECT list(i) FROM range(50000000) t(i)").then(
      () => undefined,
      (e: unknown) => e,
    );
    connection.closeSync();
    instance.closeSync();
    const reported = memoryLimitTooLow(error, "256MB");
    expect(reported?.name).toBe("InvalidInputError");
    expect(reported?.message).toMatch(
      /^--memory-limit 256MB is too low for this input: DuckDB ran out of memory \(Out of Memory Error: .+\)\. Run again with twice the limit or more \(--memory-limit 512MB\)\. What a run needs grows with the flow-log records in the folder, which every run reads whole whatever --from\/--to say$/,
    );
    expect(memoryLimitTooLow(error, undefined)?.message).toContain("(--memory-limit 2GB)");
    expect(memoryLimitTooLow(error, "384MiB")?.message).toContain("(--memory-limit 806MB)");
    expect(memoryLimitTooLow(new Error("Binder Error: no such column"), "256MB")).toBeUndefined();
  });
});

describe("work that runs out of memory on two threads", () => {
  test("runs again, whole, on one thread, and the engine's settings are restored after", async () => {
    const instance = await DuckDBInstance.create(":memory:", { memory_limit: "1GB", threads: "2" });
    const connection = await instance.connect();
    const setting = async (name: string) =>
      String((await (await connection.run(`SELECT current_setting('${name}') AS v`)).getRowObjects())[0]?.v);
    const shares = new MemoryShares(connection, "1GB", 2);
    // Work whose aggregate cannot spill runs out of its 16 MiB on two threads; on one it has less to do.
    const threadsSeen: string[] = [];
    const work = async () => {
      const threads = await setting("threads");
      threadsSeen.push(threads);
      if (threads !== "1") await connection.run("SELECT list(i) FROM range(50000000) t(i)");
      return "done";
    };
    await expect(shares.withShare(0.016, work)).rejects.toThrow(/Out of Memory Error/);
    expect(threadsSeen).toEqual(["2"]);
    threadsSeen.length = 0;
    expect(await shares.withShare(0.016, work, { oneThreadRetry: true })).toBe("done");
    expect(threadsSeen).toEqual(["2", "1"]);
    expect(await setting("threads")).toBe("2");
    expect(await setting("memory_limit")).toBe("953.6 MiB");
    connection.closeSync();
    instance.closeSync();
  });
});
