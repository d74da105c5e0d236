import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BYTES_PER_GB } from "@flowcost/core";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { runCli as cli } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";

interface End {
  kind: string | null;
  namespace: string | null;
  workload: string | null;
  azId: string | null;
}
interface Row {
  category: string;
  source: End;
  destination: End;
  bytes: number;
  listCostUsd: number;
}
const endKey = (e: End) => [e.kind, e.kind === "pod" ? `${e.namespace}/${e.workload}` : "", e.azId].join(":");
const pairBytes = (items: Array<{ category: string; bytes: number; src: End; dst: End }>) => {
  const m = new Map<string, number>();
  for (const i of items) {
    const k = [i.category, endKey(i.src), endKey(i.dst)].join("|");
    m.set(k, (m.get(k) ?? 0) + i.bytes);
  }
  return m;
};
const rowsAsPairs = (rows: Row[]) =>
  pairBytes(
    rows
      .filter((r) => r.category !== "unattributed")
      .map((r) => ({ category: r.category, bytes: r.bytes, src: r.source, dst: r.destination })),
  );

describe("a lake in us-west-2 (finding 1: only two Regions worked)", async () => {
  const folder = await tempDir("cli-usw2");
  const scenario = await generateScenario({ outDir: folder, seed: 11, region: "us-west-2" });
  const run = await cli(["analyze", folder, "--format", "json"]);
  const output = JSON.parse(run.stdout);

  test("exits 0 with exact bytes per pair, AZ IDs of us-west-2, billed to the generator's CUR to the cent", () => {
    expect(run.code).toBe(0);
    expect(rowsAsPairs(output.rows)).toEqual(pairBytes(scenario.truth));
    expect(output.rows.some((r: Row) => r.source.azId?.startsWith("usw2-az"))).toBe(true);
    expect(output.costBasis).toBe("billed");
    const [day] = output.reconciliation;
    expect(day.billedCents).toBe(Math.round((scenario.billedNetworkUsd.get(scenario.day) ?? 0) * 100));
    expect(day.billedCents).toBe(day.allocatedCents + day.unattributedCents);
  });

  test("the prices nobody looked up for us-west-2 are named in a warning, not an exit 3", () => {
    const w = output.warnings.find((x: { code: string }) => x.code === "list-price-placeholder");
    expect(w.message).toContain("us-west-2: no looked-up list price for natGatewayPerHour, natGatewayPerGb");
    expect(w.message).toContain("billed dollars come from the CUR");
  });
});

describe("list-price overrides from flowcost.config.json or --config (no CUR: estimates)", async () => {
  const folder = await tempDir("cli-usw2-config");
  const scenario = await generateScenario({
    outDir: folder,
    seed: 12,
    region: "us-west-2",
    curFormat: "none",
  });
  const crossBytes = scenario.truth.filter((t) => t.category === "cross_az").reduce((s, t) => s + t.bytes, 0);
  // NAT processing rows (a NAT row's cross-AZ leg is priced as inter-AZ transfer); rows carry
  // list dollars to 6 decimals, so their sum is compared to 4.
  type Out = { rows: Array<Row & { subcategory: string | null }> };
  const natRows = (out: Out) =>
    out.rows.filter((r) => r.category === "nat" && r.subcategory !== "cross_az_leg");
  const natList = (out: Out) => natRows(out).reduce((s, r) => s + r.listCostUsd, 0);
  const natGb = (out: Out) => natRows(out).reduce((s, r) => s + r.bytes, 0) / BYTES_PER_GB;

  test("without configuration: cross-AZ at $0.01/GB each way, NAT at the placeholder, the warning says so", async () => {
    const { code, stdout } = await cli(["analyze", folder, "--format", "json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.costBasis).toBe("estimated");
    const cross = out.totals.byCategory.find((c: { category: string }) => c.category === "cross_az");
    expect(Math.round(cross.listCostUsd * 100)).toBe(Math.round((crossBytes / BYTES_PER_GB) * 0.02 * 100));
    expect(natGb(out)).toBeGreaterThan(0);
    expect(natList(out)).toBeCloseTo(natGb(out) * 0.045, 4);
    expect(out.warnings.map((w: { message: string }) => w.message).join("\n")).toContain(
      "so these estimates may be off",
    );
  });

  test("flowcost.config.json in the folder prices NAT bytes at its value and the item is no longer a placeholder", async () => {
    await writeFile(
      join(folder, "flowcost.config.json"),
      JSON.stringify({ prices: { "us-west-2": { natGatewayPerGb: 0.05 } } }),
    );
    const { code, stdout } = await cli(["analyze", folder, "--format", "json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(natList(out)).toBeCloseTo(natGb(out) * 0.05, 4);
    const w = out.warnings.find((x: { code: string }) => x.code === "list-price-placeholder");
    expect(w.message).not.toContain("natGatewayPerGb");
  });

  test("a bad configuration file: exit 1 naming the file and the key", async () => {
    const bad = join(folder, "..", "bad-config.json");
    await writeFile(bad, JSON.stringify({ prices: { "us-west-2": { natPerGb: 0.05 } } }));
    const { code, stderr } = await cli(["analyze", folder, "--config", bad]);
    expect(code).toBe(1);
    expect(stderr).toContain(bad);
    expect(stderr).toContain("natPerGb");
  });

  test("--config naming no file: exit 2 before any work", async () => {
    const { code, stderr } = await cli(["analyze", folder, "--config", join(folder, "nope.json")]);
    expect(code).toBe(2);
    expect(stderr).toContain("nope.json: no such file");
  });
});
