import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { BYTES_PER_GB, hiveLayoutKey, parseFlowLogKey } from "@flowcost/core";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { runCli } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";

const run = promisify(execFile);
/** ANSI "erase to end of line", which follows each redrawn progress frame. */
const ERASE_LINE = "\u001b[K";

const cli = runCli;

interface JsonEnd {
  kind: string | null;
  namespace: string | null;
  workload: string | null;
  azId: string | null;
}
interface JsonRow {
  date: string;
  category: string;
  source: JsonEnd;
  destination: JsonEnd;
  bytes: number;
  listCostUsd: number;
  billedCostUsd: number | null;
  costBasis: string;
}

/** A pod end by its workload, any other end by its kind (node, load_balancer, ...), both with the AZ ID. */
const endKey = (e: JsonEnd) =>
  [e.kind, e.kind === "pod" ? `${e.namespace}/${e.workload}` : "", e.azId].join(":");

function bytesByPair(rows: JsonRow[]): Map<string, number> {
  const m = new Map<string, number>();
  // Unattributed rows carry billed dollars no transfer explains, never bytes.
  for (const r of rows.filter((r) => r.category !== "unattributed")) {
    const k = [r.category, endKey(r.source), endKey(r.destination)].join("|");
    m.set(k, (m.get(k) ?? 0) + r.bytes);
  }
  return m;
}

function truthByPair(truth: Awaited<ReturnType<typeof generateScenario>>["truth"]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of truth) {
    const k = [t.category, endKey(t.src), endKey(t.dst)].join("|");
    m.set(k, (m.get(k) ?? 0) + t.bytes);
  }
  return m;
}

const committedSchema = async () =>
  z.fromJSONSchema(
    JSON.parse(await readFile(join(import.meta.dirname, "../../docs/analyze-output.schema.json"), "utf8")),
  );

describe("flowcost analyze over a folder of raw flow logs and kubectl snapshots (default S3 key layout)", async () => {
  const folder = await tempDir("cli-default");
  const scenario = await generateScenario({ outDir: folder, seed: 7 });
  const json = await cli(["analyze", folder, "--format", "json"]);
  const output = JSON.parse(json.stdout);

  test("exits 0 and attributes every generated transfer once, to the right workloads and AZ IDs, with exact bytes", () => {
    expect(json.code).toBe(0);
    expect(output.window.days).toEqual([scenario.day]);
    expect(bytesByPair(output.rows)).toEqual(truthByPair(scenario.truth));
  });

  test("cross-AZ list dollars are the truth's bytes at $0.02/GB; with the CUR in the folder dollars are billed", () => {
    const crossBytes = scenario.truth
      .filter((t) => t.category === "cross_az")
      .reduce((s, t) => s + t.bytes, 0);
    const cross = output.totals.byCategory.find((c: { category: string }) => c.category === "cross_az");
    expect(cross.bytes).toBe(crossBytes);
    expect(Math.round(cross.listCostUsd * 100)).toBe(Math.round((crossBytes / BYTES_PER_GB) * 0.02 * 100));
    expect(output.costBasis).toBe("billed");
    expect(output.rows.every((r: JsonRow) => r.costBasis === "billed")).toBe(true);
  });

  test("every day reconciles: billed = allocated + unattributed, and the rows' billed dollars add up to it", () => {
    expect(output.reconciliation).toHaveLength(1);
    for (const day of output.reconciliation) {
      expect(day.billedCents).toBe(day.allocatedCents + day.unattributedCents);
      const rowsBilled = output.rows
        .filter((r: JsonRow) => r.date === day.date)
        .reduce((s: number, r: JsonRow) => s + (r.billedCostUsd ?? 0), 0);
      expect(Math.round(rowsBilled * 100)).toBe(day.billedCents);
    }
    const unattributedCents = output.unattributed.reduce(
      (s: number, r: JsonRow) => s + Math.round((r.billedCostUsd ?? 0) * 100),
      0,
    );
    expect(unattributedCents).toBe(output.reconciliation[0].unattributedCents);
  });

  test("money in the JSON is rounded: billed dollars to the cent, list dollars to 6 decimals, never 9.159999999999984", () => {
    const decimals = (n: number) => (String(n).split(".")[1] ?? "").length;
    const billed = [
      output.totals.billedCostUsd,
      ...output.totals.byCategory.map((c: { billedCostUsd: number }) => c.billedCostUsd),
      ...output.rows.map((r: JsonRow) => r.billedCostUsd),
    ];
    for (const b of billed) expect(decimals(b)).toBeLessThanOrEqual(2);
    const list = [output.totals.listCostUsd, ...output.rows.map((r: JsonRow) => r.listCostUsd)];
    for (const l of list) expect(decimals(l)).toBeLessThanOrEqual(6);
    expect(output.totals.billedCostUsd * 100).toBeCloseTo(output.reconciliation[0].billedCents, 6);
  });

  test("the flow-log ledger accounts for every record read: used + NODATA + SKIPDATA + rejected", () => {
    const l = output.ledger;
    expect(l.read).toBe(l.used + l.nodata + l.skipdata + l.rejected);
    expect(l.used).toBe(scenario.files.records);
    expect(l.nodata).toBe(scenario.files.flowLogs);
    expect(l.rejected).toBe(0);
  });

  test("the JSON output validates against the committed docs/analyze-output.schema.json", async () => {
    const schema = await committedSchema();
    expect(schema.safeParse(output).success).toBe(true);
    expect(output.schemaVersion).toBe(2);
    // The committed schema is strict: it catches a renamed field or a wrong value.
    expect(schema.safeParse({ ...output, renamed: 1 }).success).toBe(false);
    const negative = structuredClone(output);
    negative.rows[0].bytes = -1;
    expect(schema.safeParse(negative).success).toBe(false);
  });

  test("discovery reports what it found: flow logs, CUR, snapshots and every describe call", () => {
    expect(output.inputs.flowLogs).toMatchObject({
      objects: scenario.files.flowLogs,
      text: scenario.files.flowLogs,
      parquet: 0,
      layouts: ["default"],
      accounts: [scenario.cluster.accountId],
      regions: [scenario.cluster.region],
      days: [scenario.day],
    });
    expect(output.inputs.cur.billingPeriods).toEqual([scenario.day.slice(0, 7)]);
    expect(output.inputs.kubernetes.clusters).toEqual([
      expect.objectContaining({ name: scenario.cluster.clusterName, snapshots: scenario.files.snapshots }),
    ]);
    for (const n of Object.values(output.inputs.aws.calls)) expect(n).toBeGreaterThan(0);
    expect(output.inputs.missing).toEqual([]);
  });

  test("top pairs and workloads rank by cost; the top pair is the truth's most expensive cross-AZ pair", () => {
    // Pairs are per workload pair, over all AZ combinations: the truth's bytes summed the same way.
    const byWorkloadPair = new Map<string, number>();
    for (const t of scenario.truth.filter((t) => t.category === "cross_az")) {
      const k = `${t.srcNamespace}/${t.srcWorkload} -> ${t.dstNamespace}/${t.dstWorkload}`;
      byWorkloadPair.set(k, (byWorkloadPair.get(k) ?? 0) + t.bytes);
    }
    const [costliest, bytes] = [...byWorkloadPair].sort((a, b) => b[1] - a[1])[0] ?? [];
    expect(`${output.topPairs[0].source} -> ${output.topPairs[0].destination}`).toBe(costliest);
    expect(output.topPairs[0]).toMatchObject({ category: "cross_az", bytes });
    const costs = output.topWorkloads.map((w: { costUsd: number }) => w.costUsd);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    // The generator's unknown addresses (outside every inventory) are the only unresolved bytes.
    const unknownBytes = scenario.truth
      .filter((t) => t.category !== "unattributed" && (t.src.kind === "unknown" || t.dst.kind === "unknown"))
      .reduce((s, t) => s + t.bytes, 0);
    expect(output.coverage.bytes - output.coverage.resolvedBytes).toBe(unknownBytes);
  });

  test("the table names the inputs, the category totals, the top workloads and the cost basis", async () => {
    const table = await cli(["analyze", folder]);
    expect(table.code).toBe(0);
    for (const heading of ["Inputs in", "Totals by category", "Top workloads", "Top pairs", "Coverage:"])
      expect(table.stdout).toContain(heading);
    expect(table.stdout).toContain("reconciled to the CUR (billed)");
    expect(table.stdout).toMatch(/billed \$\d+\.\d\d = allocated \$\d+\.\d\d \+ unattributed \$\d+\.\d\d/);
    expect(table.stdout).toContain(`used ${scenario.files.records} + NODATA ${scenario.files.flowLogs}`);
  });

  test("--format csv prints one line per daily result row whose bytes add up to the truth", async () => {
    const csv = await cli(["analyze", folder, "--format", "csv"]);
    expect(csv.code).toBe(0);
    const [header, ...lines] = csv.stdout.trimEnd().split("\r\n");
    const columns = header?.split(",") ?? [];
    expect(columns.slice(0, 3)).toEqual(["date", "category", "subcategory"]);
    expect(lines).toHaveLength(output.rows.length);
    const bytesAt = columns.indexOf("bytes");
    const total = lines.reduce((s, l) => s + Number(l.split(",")[bytesAt]), 0);
    expect(total).toBe(scenario.truth.reduce((s, t) => s + t.bytes, 0));
  });

  test("--out writes the result rows as JSON and CSV and the whole analysis", async () => {
    const out = join(folder, "..", `${relative(dirname(folder), folder)}-out`);
    const result = await cli(["analyze", folder, "--out", out, "--format", "json"]);
    expect(result.code).toBe(0);
    const files = (await readdir(out)).sort();
    expect(files).toEqual(expect.arrayContaining(["analysis.json", "rows.csv", "rows.json"]));
    expect(JSON.parse(await readFile(join(out, "rows.json"), "utf8"))).toEqual(output.rows);
    expect(await readFile(join(out, "rows.csv"), "utf8")).toBe(
      (await cli(["analyze", folder, "--format", "csv"])).stdout,
    );
    await rm(out, { recursive: true, force: true });
  });
});

describe("without a CUR export", async () => {
  const folder = await tempDir("cli-no-cur");
  const scenario = await generateScenario({ outDir: folder, seed: 7 });
  for (const entry of await readdir(folder, { recursive: true })) {
    if (
      entry.endsWith("/data") &&
      (await readdir(join(folder, entry))).some((d) => d.startsWith("BILLING_PERIOD="))
    )
      await rm(join(folder, dirname(entry)), { recursive: true, force: true });
  }
  const json = await cli(["analyze", folder, "--format", "json"]);
  const output = JSON.parse(json.stdout);

  test("dollars are list-price estimates, labelled so on every row, with no reconciliation", () => {
    expect(json.code).toBe(0);
    expect(output.costBasis).toBe("estimated");
    expect(output.rows.every((r: JsonRow) => r.costBasis === "estimated" && r.billedCostUsd === null)).toBe(
      true,
    );
    expect(output.totals.billedCostUsd).toBeNull();
    const crossBytes = scenario.truth
      .filter((t) => t.category === "cross_az")
      .reduce((s, t) => s + t.bytes, 0);
    const cross = output.totals.byCategory.find((c: { category: string }) => c.category === "cross_az");
    expect(Math.round(cross.listCostUsd * 100)).toBe(Math.round((crossBytes / BYTES_PER_GB) * 0.02 * 100));
  });

  test("discovery names the missing CUR with its consequence, in the JSON and the table", async () => {
    expect(output.inputs.missing).toEqual([
      {
        input: "cur",
        consequence: "no CUR export: dollars are list-price estimates, not reconciled to the bill",
      },
    ]);
    const table = await cli(["analyze", folder]);
    expect(table.stdout).toContain("list-price estimates (cross-AZ: $0.01/GB out at the sender");
    expect(table.stdout).toContain(
      "no CUR export: dollars are list-price estimates, not reconciled to the bill",
    );
  });
});

describe("flowcost analyze over Hive-compatible flow-log keys", async () => {
  const folder = await tempDir("cli-hive");
  const scenario = await generateScenario({ outDir: folder, seed: 11 });
  for (const file of await readdir(scenario.flowLogRoot, { recursive: true })) {
    const key = parseFlowLogKey(file);
    const hash = /_([0-9a-f]+)\.log\.gz$/.exec(file)?.[1];
    if (!key?.flowLogId || key.fileTime === undefined || !hash) continue;
    const target = join(
      scenario.flowLogRoot,
      hiveLayoutKey({ ...key, flowLogId: key.flowLogId, fileTime: key.fileTime, hash }),
    );
    await mkdir(dirname(target), { recursive: true });
    await rename(join(scenario.flowLogRoot, file), target);
  }
  await rm(join(scenario.flowLogRoot, "AWSLogs", scenario.cluster.accountId), {
    recursive: true,
    force: true,
  });
  const result = await cli(["analyze", folder, "--format", "json"]);
  const output = JSON.parse(result.stdout);

  test("finds every object under the Hive layout and gives the same exact bytes per pair", () => {
    expect(result.code).toBe(0);
    expect(output.inputs.flowLogs.layouts).toEqual(["hive"]);
    expect(output.inputs.flowLogs.objects).toBe(scenario.files.flowLogs);
    expect(bytesByPair(output.rows)).toEqual(truthByPair(scenario.truth));
  });
});

describe("--from and --to select UTC days", async () => {
  const folder = await tempDir("cli-window");
  const first = await generateScenario({ outDir: folder, seed: 7, day: "2026-11-22" });
  // Another seed: new pod UIDs, as on a real next day (the same UIDs would be the same pods).
  const second = await generateScenario({ outDir: folder, seed: 8, day: "2026-11-23" });

  test("without a window both days are attributed, each to its own exact truth", async () => {
    const { code, stdout } = await cli(["analyze", folder, "--format", "json"]);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.window.days).toEqual(["2026-11-22", "2026-11-23"]);
    const day = (d: string) => output.rows.filter((r: JsonRow) => r.date === d);
    expect(bytesByPair(day("2026-11-22"))).toEqual(truthByPair(first.truth));
    expect(bytesByPair(day("2026-11-23"))).toEqual(truthByPair(second.truth));
  });

  test("--from 2026-11-23 --to 2026-11-23 (a date is the whole day) gives that day alone", async () => {
    const { code, stdout } = await cli([
      "analyze",
      folder,
      "--format",
      "json",
      "--from",
      "2026-11-23",
      "--to",
      "2026-11-23",
    ]);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.window).toMatchObject({
      from: "2026-11-23T00:00:00Z",
      to: "2026-11-24T00:00:00Z",
      days: ["2026-11-23"],
    });
    expect(bytesByPair(output.rows)).toEqual(truthByPair(second.truth));
  });

  test("--to an instant is exclusive: a window ending at the first day's midnight keeps only that day", async () => {
    const { code, stdout } = await cli([
      "analyze",
      folder,
      "--format",
      "json",
      "--to",
      "2026-11-23T00:00:00Z",
    ]);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.window.days).toEqual(["2026-11-22"]);
    expect(bytesByPair(output.rows)).toEqual(truthByPair(first.truth));
  });
});

describe("bad input and usage errors name the problem and exit 1 or 2", async () => {
  const folder = await tempDir("cli-errors");
  await generateScenario({ outDir: folder, seed: 3 });

  test("a folder that does not exist: exit 1, naming the folder", async () => {
    const missing = join(folder, "no-such-folder");
    const { code, stderr } = await cli(["analyze", missing]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${missing}: no such folder`);
  });

  test("a folder with nothing analysable: exit 1, saying what was expected", async () => {
    const empty = join(folder, "..", `${relative(dirname(folder), folder)}-empty`);
    await mkdir(join(empty, "inventory"), { recursive: true });
    const { code, stderr } = await cli(["analyze", empty]);
    await rm(empty, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toContain("nothing to analyse: no VPC flow-log objects found");
  });

  test("an unreadable kubectl snapshot: skipped, named in the warnings, exit 4 (completed with an input skipped)", async () => {
    const broken = join(folder, "inventory/kubernetes/cluster=other/dt=2026-11-22/20261122T093000Z.json");
    await mkdir(dirname(broken), { recursive: true });
    await writeFile(broken, '{"apiVersion": "v1", "kind": "List", "items": [');
    const { code, stdout } = await cli(["analyze", folder]);
    await rm(join(folder, "inventory/kubernetes/cluster=other"), { recursive: true, force: true });
    expect(code).toBe(4);
    // The table wraps long warnings; the path and the reason are each on it whole.
    expect(stdout).toContain(broken);
    expect(stdout).toContain("not valid JSON");
  });

  test("an unknown --cluster: a usage error (exit 2) before the pipeline runs, listing the clusters found", async () => {
    const { code, stderr } = await cli(["analyze", folder, "--cluster", "prod"]);
    expect(code).toBe(2);
    expect(stderr).not.toContain("compacting");
    expect(stderr).toContain("--cluster prod: no kubectl snapshots for it");
    expect(stderr).toContain("found: demo");
  });

  test("without describe outputs or kubectl snapshots, each missing input is named with what it costs", async () => {
    const bare = join(folder, "..", `${relative(dirname(folder), folder)}-bare`);
    await mkdir(bare, { recursive: true });
    await rename(join(folder, "vpc-flow-logs"), join(bare, "vpc-flow-logs"));
    const { code, stdout } = await cli(["analyze", bare, "--format", "json"]);
    await rename(join(bare, "vpc-flow-logs"), join(folder, "vpc-flow-logs"));
    await rm(bare, { recursive: true, force: true });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).inputs.missing).toEqual([
      {
        input: "cur",
        consequence: "no CUR export: dollars are list-price estimates, not reconciled to the bill",
      },
      { input: "kubectl", consequence: "no kubectl snapshots: addresses cannot be resolved to workloads" },
      {
        input: "describe-network-interfaces",
        consequence: "no describe-network-interfaces: NAT gateways and load balancers are not recognised",
      },
      {
        input: "describe-availability-zones",
        consequence:
          "no describe-availability-zones: nodes without the topology.k8s.aws/zone-id label have no AZ ID",
      },
      {
        input: "describe-nat-gateways",
        consequence: "no describe-nat-gateways: NAT gateway traffic is not tied to its gateway",
      },
      {
        input: "describe-load-balancers",
        consequence:
          "no describe-load-balancers: load balancers are not named or tied to their Kubernetes Service",
      },
      {
        input: "describe-target-groups",
        consequence:
          "no describe-target-groups: target types are unknown, so instance-mode NodePort hops are not recognised",
      },
      {
        input: "describe-load-balancer-attributes",
        consequence:
          "no describe-load-balancer-attributes: whether NLB cross-zone is on is unknown, so the nlb_cross_zone_off recommendation declines",
      },
      {
        input: "describe-target-group-attributes",
        consequence:
          "no describe-target-group-attributes: target-group cross-zone overrides are unknown (the load balancer's setting is used)",
      },
      {
        input: "describe-vpc-endpoints",
        consequence:
          "no describe-vpc-endpoints: existing VPC endpoints are unknown, so the endpoint recommendations decline",
      },
      {
        input: "describe-route-tables",
        consequence:
          "no describe-route-tables: the route tables to change are unknown, so gateway endpoint and NAT-per-AZ recommendations decline",
      },
      {
        input: "describe-subnets",
        consequence:
          "no describe-subnets: public subnets per AZ are unknown, so the NAT-per-AZ recommendation declines",
      },
    ]);
  });

  test.each([
    [["analyze", "--from", "2026-02-30", "x"], '--from "2026-02-30" is not a UTC date'],
    [["analyze", "x", "--to", "yesterday"], '--to "yesterday" is not a UTC date'],
    [
      ["analyze", "x", "--from", "2026-11-23", "--to", "2026-11-22"],
      "--from (2026-11-23) must be before --to (2026-11-22)",
    ],
    [["analyze", "x", "--format", "xml"], '--format must be table, json, csv or focus, not "xml"'],
    [
      ["analyze", "x", "--memory-limit", "lots"],
      '--memory-limit must be a size such as 512MB or 4GB, not "lots"',
    ],
    [["analyze"], "analyze needs exactly one folder"],
    [["analyze", "x", "--colour"], "--colour"],
    [["analyse", "x"], 'unknown command "analyse"'],
  ])("usage error %j: exit 2 with the flag named and the usage", async (args, message) => {
    const { code, stderr, stdout } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain("Usage:");
    expect(stdout).toBe("");
  });
});

describe("progress on stderr", async () => {
  const folder = await tempDir("cli-progress");
  await generateScenario({ outDir: folder, seed: 5 });

  test("on a terminal: one line redrawn in place with a bar, ending in a newline", async () => {
    const { code, stderr } = await cli(["analyze", folder, "--format", "json"], true);
    expect(code).toBe(0);
    expect(stderr).toContain("\rcompacting  [");
    expect(stderr).toContain(ERASE_LINE);
    // The last frame of a step is a full bar, N/N, and closes the line.
    const frames = stderr.replaceAll(ERASE_LINE, "<EL>");
    expect(frames).toMatch(/\rcompacting {2}\[#{24}\] (\d+)\/\1 2026-11-22 10:00<EL>\n/);
    expect(frames).toMatch(/\rattributing \[#{24}\] 1\/1 2026-11-22<EL>\n/);
  });

  test("not on a terminal: plain lines only, no carriage returns or escape codes", async () => {
    const { code, stderr } = await cli(["analyze", folder, "--format", "json"]);
    expect(code).toBe(0);
    expect(stderr).not.toContain("\r");
    expect(stderr).not.toContain("\u001b");
    expect(stderr).toMatch(/^· compacting {2}(\d+)\/\1 2026-11-22 10:00$/m);
  });

  test.skipIf(!existsSync("/usr/bin/script"))(
    "the real binary under a pseudo-terminal draws the bar; JSON on stdout stays clean when piped",
    async () => {
      const bin = join(import.meta.dirname, "../../packages/local/bin/flowcost.mjs");
      const tty = await run("script", ["-qfec", `node ${bin} analyze ${folder} --format csv`, "/dev/null"]);
      expect(tty.stdout.replaceAll(ERASE_LINE, "<EL>")).toMatch(
        /\rcompacting {2}\[[#.]{24}\] 1\/\d+ 2026-11-22 \d\d:00<EL>/,
      );
      const piped = await run("node", [bin, "analyze", folder, "--format", "json"]);
      expect(JSON.parse(piped.stdout).schemaVersion).toBe(2);
      expect(piped.stderr).not.toContain("\r");
    },
  );
});
