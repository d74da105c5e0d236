import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { runCli as cli } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";

interface Warning {
  code: string;
  message: string;
}

describe("a window that cuts a UTC day is not reconciled to that day's bill (finding 3)", async () => {
  const folder = await tempDir("cli-partial");
  const scenario = await generateScenario({ outDir: folder, seed: 21 });
  const from = `${scenario.day}T10:00:00Z`;
  const json = await cli(["analyze", folder, "--from", from, "--format", "json"]);
  const output = JSON.parse(json.stdout);

  test("the day's dollars are list-price estimates, with a warning naming the day and why", () => {
    expect(json.code).toBe(0);
    expect(output.costBasis).toBe("estimated");
    expect(output.reconciliation).toEqual([
      { date: scenario.day, costBasis: "estimated", billedCents: 0, allocatedCents: 0, unattributedCents: 0 },
    ]);
    const w = output.warnings.find((x: Warning) => x.code === "window-cuts-day");
    expect(w.message).toBe(
      `${scenario.day}: the window covers only part of this UTC day; the CUR bills whole days, so its dollars are list-price estimates, not reconciled (give --from/--to as whole days to reconcile)`,
    );
  });

  test("the table puts the warning before the numbers and prints no reconciliation line", async () => {
    const table = await cli(["analyze", folder, "--from", from]);
    const warningAt = table.stdout.indexOf("covers only part of this UTC day");
    expect(warningAt).toBeGreaterThan(0);
    expect(warningAt).toBeLessThan(table.stdout.indexOf("Totals by category"));
    expect(table.stdout).not.toContain("Reconciliation to the CUR");
  });

  test("whole days still reconcile: --from the day's date bills it", async () => {
    const whole = JSON.parse(
      (await cli(["analyze", folder, "--from", scenario.day, "--format", "json"])).stdout,
    );
    expect(whole.costBasis).toBe("billed");
    expect(whole.warnings.map((w: Warning) => w.code)).not.toContain("window-cuts-day");
  });
});

describe("quiet results are said out loud (finding 4)", async () => {
  const folder = await tempDir("cli-quiet");
  const scenario = await generateScenario({ outDir: folder, seed: 22 });

  test("a window with no data: exit 1 naming the window and the days the folder has", async () => {
    const { code, stderr, stdout } = await cli([
      "analyze",
      folder,
      "--from",
      "2026-12-01",
      "--to",
      "2026-12-02",
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      "no flow-log records in the window 2026-12-01T00:00:00Z to 2026-12-03T00:00:00Z",
    );
    expect(stderr).toContain(`(days ${scenario.day})`);
  });

  test("flow logs without any inventory: a warning that $0.00 means unknown, first in the table; no reconciliation", async () => {
    const bare = await tempDir("cli-quiet-bare");
    await mkdir(bare, { recursive: true });
    await rename(join(folder, "vpc-flow-logs"), join(bare, "vpc-flow-logs"));
    const json = await cli(["analyze", bare, "--format", "json"]);
    const table = await cli(["analyze", bare]);
    await rename(join(bare, "vpc-flow-logs"), join(folder, "vpc-flow-logs"));
    expect(json.code).toBe(0);
    const w = JSON.parse(json.stdout).warnings.find((x: Warning) => x.code === "nothing-resolved");
    expect(w.message).toContain("$0.00 here means unknown, not free");
    expect(w.message).toContain("kubectl");
    expect(table.stdout.indexOf("$0.00 here means unknown")).toBeLessThan(
      table.stdout.indexOf("Totals by category"),
    );
    expect(table.stdout).not.toContain("Reconciliation to the CUR");
  });
});

describe("output a user can read (finding 7)", async () => {
  const folder = await tempDir("cli-output");
  await generateScenario({ outDir: folder, seed: 23 });

  test("the table fits a 100-column terminal", async () => {
    const { code, stdout } = await cli(["analyze", folder]);
    expect(code).toBe(0);
    // Only a line holding one unbreakable token (a long path) may be wider.
    const long = stdout.split("\n").filter((l) => l.length > 100 && !l.split(" ").some((w) => w.length > 40));
    expect(long).toEqual([]);
    expect(stdout).toContain("…");
  });

  test("CSV rows that share category, workloads and AZs are told apart by node or IP", async () => {
    const { stdout } = await cli(["analyze", folder, "--format", "csv"]);
    const [header = "", ...lines] = stdout.trimEnd().split("\r\n");
    const columns = header.split(",");
    const at = (name: string) => columns.indexOf(name);
    expect(at("src_node")).toBeGreaterThan(0);
    expect(at("dst_ip")).toBeGreaterThan(0);
    // Everything but the measures: no two rows may be the same.
    const measures = new Set(["bytes", "list_cost_usd", "billed_cost_usd"].map(at));
    const keys = lines.map((l) =>
      l
        .split(",")
        .filter((_, i) => !measures.has(i))
        .join(","),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});
