import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BYTES_PER_GB, isoWeekOf } from "@flowcost/core";
import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import { generateOrganizationScenario } from "@flowcost/local/scenario/organization";
import { generateScenario } from "@flowcost/local/scenario/write";
import { startServer } from "@flowcost/local/serve/server";
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

describe("an Organization's lake: two accounts in two Regions (finding 2)", async () => {
  const folder = await tempDir("cli-org");
  const org = await generateOrganizationScenario({ outDir: folder, seed: 13 });
  const run = await cli(["analyze", folder, "--format", "json"]);
  const output = JSON.parse(run.stdout);
  type OrgRow = Row & { account: string; region: string; billedCostUsd: number | null };

  test("exit 0; every generated transfer of both accounts once, with exact bytes, each row naming its account and Region", () => {
    expect(run.code).toBe(0);
    expect(rowsAsPairs(output.rows)).toEqual(pairBytes(org.truth));
    for (const [i, member] of org.members.entries()) {
      const rows = output.rows.filter((r: OrgRow) => r.region === member.cluster.region);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r: OrgRow) => r.account === member.cluster.accountId)).toBe(true);
      expect(rowsAsPairs(rows)).toEqual(pairBytes(org.members[i]?.truth ?? []));
    }
  });

  test("each Region's billed dollars are its own account's CUR lines, to the cent; the day reconciles", () => {
    for (const member of org.members) {
      const billed = output.rows
        .filter((r: OrgRow) => r.region === member.cluster.region)
        .reduce((s: number, r: OrgRow) => s + Math.round((r.billedCostUsd ?? 0) * 100), 0);
      expect(billed).toBe(Math.round((member.billedNetworkUsd.get(member.day) ?? 0) * 100));
    }
    const [day] = output.reconciliation;
    expect(day.billedCents).toBe(day.allocatedCents + day.unattributedCents);
  });

  test("each Region's cross-AZ list dollars use its own prices ($0.02/GB both sides in both Regions)", () => {
    for (const member of org.members) {
      const crossBytes = member.truth
        .filter((t) => t.category === "cross_az")
        .reduce((s, t) => s + t.bytes, 0);
      const list = output.rows
        .filter((r: OrgRow) => r.region === member.cluster.region && r.category === "cross_az")
        .reduce((s: number, r: OrgRow) => s + r.listCostUsd, 0);
      expect(list).toBeCloseTo((crossBytes / BYTES_PER_GB) * 0.02, 3);
    }
  });

  test("results/daily Parquet carries account_id and region: each Region's bytes and billed cents are its account's", async () => {
    const engine = await DuckDbEngine.open({ lakeDir: folder });
    try {
      const sums = await engine.run(
        "SELECT account_id, region, sum(bytes) AS bytes, sum(billed_cost_usd * 100) AS cents FROM results_daily GROUP BY account_id, region ORDER BY region",
      );
      expect(sums.map((r) => [r.account_id, r.region])).toEqual(
        [...org.members]
          .sort((a, b) => a.cluster.region.localeCompare(b.cluster.region))
          .map((m) => [m.cluster.accountId, m.cluster.region]),
      );
      for (const member of org.members) {
        const sum = sums.find((r) => r.region === member.cluster.region);
        const bytes = output.rows
          .filter((r: OrgRow) => r.region === member.cluster.region)
          .reduce((s: number, r: OrgRow) => s + r.bytes, 0);
        expect(Number(sum?.bytes)).toBe(bytes);
        expect(Number(sum?.cents)).toBe(Math.round((member.billedNetworkUsd.get(member.day) ?? 0) * 100));
      }
    } finally {
      engine.close();
    }
  });

  test("a results/daily partition written before the account_id and region columns still reads, with both NULL", async () => {
    const lake = await tempDir("cli-org-old-results");
    const dayDir = join(lake, "results/daily/dt=2026-11-01");
    await mkdir(dayDir, { recursive: true });
    const [newDay] = output.reconciliation;
    await cp(join(folder, "results/daily"), join(lake, "results/daily"), { recursive: true });
    const engine = await DuckDbEngine.open({ lakeDir: lake });
    try {
      // The old layout: every column up to cost_basis, nothing after it.
      await engine.run(
        `COPY (SELECT category, subcategory, src_kind, src_namespace, src_workload_kind, src_workload, src_ip, src_az_id, src_node, src_resource, dst_kind, dst_namespace, dst_workload_kind, dst_workload, dst_ip, dst_az_id, dst_node, dst_resource, service, load_balancer, nat_gateway, confidence, bytes, list_cost_usd, billed_cost_usd, cost_basis FROM results_daily) TO '${join(dayDir, "data_0.parquet")}' (FORMAT parquet)`,
      );
      await engine.curated.refresh();
      const days = await engine.run(
        "SELECT dt, count(*) AS n, count(account_id) AS with_account, count(region) AS with_region, sum(billed_cost_usd * 100) AS cents FROM results_daily GROUP BY dt ORDER BY dt",
      );
      const n = Number(days[1]?.n);
      expect(days.map((d) => [d.dt, Number(d.with_account), Number(d.with_region)])).toEqual([
        ["2026-11-01", 0, 0],
        [org.members[0]?.day, n, n],
      ]);
      expect(Number(days[0]?.n)).toBe(n);
      expect(Number(days[0]?.cents)).toBe(newDay.billedCents);
    } finally {
      engine.close();
    }
  });

  test("the API groups and filters by account and Region: each place's charge-view dollars are its account's CUR", async () => {
    const server = await startServer({ lakeDir: folder, token: "org-api-token-0123456789", cacheTtlMs: 0 });
    try {
      const get = async (query: string) => {
        const response = await fetch(`${server.url}/v1/costs?${query}`, {
          headers: { authorization: "Bearer org-api-token-0123456789" },
        });
        expect(response.status).toBe(200);
        return (await response.json()) as {
          groups: Array<{ key: Record<string, string | null>; billedCostUsd: number | null }>;
          totals: { billedCostUsd: number | null };
        };
      };
      const byPlace = await get("groupBy=account,region");
      const cents = (usd: number | null) => Math.round((usd ?? 0) * 100);
      expect(
        Object.fromEntries(
          byPlace.groups.map((g) => [`${g.key.account}/${g.key.region}`, cents(g.billedCostUsd)]),
        ),
      ).toEqual(
        Object.fromEntries(
          org.members.map((m) => [
            `${m.cluster.accountId}/${m.cluster.region}`,
            Math.round((m.billedNetworkUsd.get(m.day) ?? 0) * 100),
          ]),
        ),
      );
      for (const m of org.members) {
        const one = await get(`groupBy=category&region=${m.cluster.region}&account=${m.cluster.accountId}`);
        expect(cents(one.totals.billedCostUsd)).toBe(Math.round((m.billedNetworkUsd.get(m.day) ?? 0) * 100));
      }
      const bad = await fetch(`${server.url}/v1/costs?region=Mars`, {
        headers: { authorization: "Bearer org-api-token-0123456789" },
      });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain("region must be an AWS Region code");
    } finally {
      await server.close();
    }
  });

  test("the weekly report has a table by account and Region, each place's dollars its account's CUR", async () => {
    const day = org.members[0]?.day ?? "";
    const week = isoWeekOf(day).id;
    const report = await cli(["report", folder, "--week", week, "--format", "csv"]);
    expect(report.code).toBe(0);
    const places = report.stdout
      .split("\n")
      .filter((l) => l.startsWith("account_region,"))
      .map((l) => l.split(","));
    expect(Object.fromEntries(places.map((f) => [f[2], f[5]]))).toEqual(
      Object.fromEntries(
        org.members.map((m) => [
          `${m.cluster.accountId}/${m.cluster.region}`,
          (m.billedNetworkUsd.get(m.day) ?? 0).toFixed(2),
        ]),
      ),
    );
    const md = await cli(["report", folder, "--week", week, "--format", "md"]);
    expect(md.stdout).toContain("## By account and Region (who pays)");
  });

  test("describe outputs under inventory/aws/account=<id>/region=<region>/ are found and used", () => {
    expect(output.inputs.aws.calls["describe-nat-gateways"]).toBeGreaterThan(0);
    // NAT traffic resolves to each account's own NAT gateway only through its own describe outputs.
    expect(output.rows.some((r: OrgRow) => r.category === "nat" && r.region === "us-west-2")).toBe(true);
  });
});
