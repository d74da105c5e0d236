import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli as cli } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";

describe("each command has its own help", () => {
  test("flowcost analyze --help: analyze's options only, exit 0 on stdout", async () => {
    const { code, stdout, stderr } = await cli(["analyze", "--help"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("flowcost analyze <folder> [options]");
    for (const flag of ["--from", "--to", "--cluster", "--memory-limit", "--format", "--out"])
      expect(stdout).toContain(flag);
    expect(stdout).not.toContain("--force");
    expect(stdout).not.toContain("flowcost demo");
  });

  test("flowcost demo --help: demo's options only (--force, no --cluster)", async () => {
    const { code, stdout } = await cli(["demo", "-h"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--force");
    expect(stdout).not.toContain("--cluster");
  });

  test("flowcost --help lists every command; flowcost help analyze is analyze's help", async () => {
    const top = await cli(["--help"]);
    expect(top.code).toBe(0);
    for (const c of ["analyze", "demo", "schema"]) expect(top.stdout).toContain(`flowcost ${c}`);
    const one = await cli(["help", "analyze"]);
    expect(one.stdout).toBe((await cli(["analyze", "--help"])).stdout);
  });
});

describe("usage errors are checked before any work and exit 2, naming the option and what it allows", () => {
  test("an unknown option is reported in flowcost's words with the command's options", async () => {
    const { code, stderr, stdout } = await cli(["analyze", "x", "--fromm", "2026-11-22"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("unknown option --fromm for flowcost analyze (did you mean --from?)");
    expect(stderr).toContain("its options are --from, --to, --cluster, --memory-limit, --format, --out");
    expect(stderr).not.toMatch(/ERR_PARSE_ARGS|To specify a positional argument/);
  });

  test("an option without its value names the option and the value it takes", async () => {
    const { code, stderr } = await cli(["analyze", "x", "--format"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--format needs a value: --format table|json|csv");
  });

  test("--memory-limit below 256MB, the least that works: exit 2 naming the flag and the minimum", async () => {
    for (const limit of ["1KB", "64MB", "255MB", "244MiB"]) {
      const { code, stderr } = await cli(["analyze", "x", "--memory-limit", limit]);
      expect(code).toBe(2);
      expect(stderr).toContain(
        `--memory-limit ${limit} is too small: give at least 256MB, the least that works (Node and DuckDB take about 200 MB before reading any input)`,
      );
    }
  });

  test("--memory-limit above the machine's memory: exit 2 naming the flag and the machine's memory", async () => {
    const { code, stderr } = await cli(["analyze", "x", "--memory-limit", "999TB"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--memory-limit 999TB is more than this machine's memory");
  });

  test("--out naming an existing file: exit 2 before discovery or the pipeline start", async () => {
    const dir = await tempDir("cli-out-file");
    const file = join(dir, "results.json");
    await writeFile(file, "{}");
    const { code, stderr } = await cli(["analyze", dir, "--out", file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--out ${file}: is an existing file; give a folder`);
    expect(stderr).not.toContain("discovering inputs");
  });

  test("a command flowcost does not have: exit 2 with the list of commands", async () => {
    const { code, stderr } = await cli(["analyse", "x"]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "analyse"');
    expect(stderr).toContain("flowcost analyze <folder> [options]");
  });
});

describe("flowcost demo --out never generates into someone else's files", () => {
  test("a non-empty folder that is not a previous demo: exit 2 naming --force, nothing written", async () => {
    const dir = await tempDir("cli-demo-busy");
    await writeFile(join(dir, "notes.txt"), "mine\n");
    const { code, stderr } = await cli(["demo", "--out", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `--out ${dir}: the folder is not empty and is not a previous demo folder; give a new or empty folder, or add --force`,
    );
    expect(await readdir(dir)).toEqual(["notes.txt"]);
  });

  test("--force generates into a non-empty folder; that folder is then a previous demo, accepted without it", async () => {
    const dir = await tempDir("cli-demo-again");
    await writeFile(join(dir, "notes.txt"), "mine\n");
    const first = await cli(["demo", "--out", dir, "--force", "--format", "json"]);
    expect(first.code).toBe(0);
    const again = await cli(["demo", "--out", dir, "--format", "json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).totals).toEqual(JSON.parse(first.stdout).totals);
    // Where the results are, and the planted trap's warning explained as expected.
    expect(again.stderr).toContain(`The demo's lake is ${dir}:`);
    expect(again.stderr).toContain("results/summary/dt=<day>/summary.json");
    expect(again.stderr).toContain(
      "Expected warnings (the demo plants them):\n  - identity-overlap: planted:",
    );
    expect(existsSync(join(dir, "notes.txt"))).toBe(true);
  });
});
