import { type AttributedRow, DEFAULT_FORMAT } from "@flowcost/core";
import { buildAnalysis } from "@flowcost/local/cli/output";
import { discoverInputs } from "@flowcost/local/discovery";
import { runPipeline } from "@flowcost/local/pipeline";
import type { TruthRow } from "@flowcost/local/scenario/traffic";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { bytesByKey, rowKey, truthKey } from "../support/scenario-keys.ts";
import { tempDir } from "../support/temp.ts";

/**
 * The same generated cluster written in AWS's default v2 format (14 fields: no pkt-*, az-id,
 * flow-direction or pkt-*-aws-service): stitching each sender's egress record to the receiver's
 * ingress record recovers both true ends, so the attribution is the one the custom format gives.
 */
type RunOptions = {
  flowLogFormat: "custom" | "default" | ReadonlyArray<string>;
  externalSnat?: boolean;
  unlogged?: number;
};
const runs = new Map<string, ReturnType<typeof generateAndRun>>();
/** Each lake is generated and analysed once per file (the describes share them). */
const run = (options: RunOptions) => {
  const key = JSON.stringify(options);
  if (!runs.has(key)) runs.set(key, generateAndRun(options));
  return runs.get(key) as ReturnType<typeof generateAndRun>;
};

async function generateAndRun(options: RunOptions) {
  const lakeDir = await tempDir(
    `fmt-${typeof options.flowLogFormat === "string" ? options.flowLogFormat : "fields"}`,
  );
  const base = { seed: 7, externalSnat: options.externalSnat ?? false };
  // The cluster is a pure function of the seed: the custom lake's names the ENI to leave unlogged.
  const unloggedInterfaces =
    options.unlogged === undefined
      ? undefined
      : [(await run({ flowLogFormat: "custom" })).scenario.cluster.nodes[options.unlogged]?.eniId ?? ""];
  const scenario = await generateScenario({
    ...base,
    outDir: lakeDir,
    flowLogFormat: options.flowLogFormat,
    unloggedInterfaces,
  });
  const result = await runPipeline({ lakeDir });
  const day = result.days[0];
  const rows = (day?.rows ?? []).filter((r) => r.category !== "unattributed");
  const analysis = buildAnalysis(result, { folder: lakeDir, discovery: await discoverInputs(lakeDir) });
  return { scenario, result, day, rows, lakeDir, analysis };
}

const sum = (rows: ReadonlyArray<{ bytes: number }>) => rows.reduce((s, r) => s + r.bytes, 0);

describe.each([
  ["node SNAT (the VPC CNI's default)", false],
  ["external SNAT", true],
])(
  "the default format, %s: exact bytes per category and pair from stitched records",
  async (_, externalSnat) => {
    const { scenario, day, rows } = await run({ flowLogFormat: "default", externalSnat });

    test("every transfer is attributed once, to the right category, ends, AZ IDs and confidence, with exact bytes", () => {
      expect(bytesByKey(rows, rowKey, (r) => r.bytes)).toEqual(
        bytesByKey(scenario.truth, truthKey, (t) => t.bytes),
      );
    });

    test("NAT gateway bytes by destination: S3 and DynamoDB named from ip-ranges.json, the rest internet", () => {
      const nat = rows.filter((r) => r.category === "nat" && r.subcategory !== "cross_az_leg");
      const bySub = (rs: ReadonlyArray<{ subcategory: string | null; bytes: number }>) =>
        Object.fromEntries(
          ["s3", "dynamodb", "internet"].map((s) => [s, sum(rs.filter((r) => r.subcategory === s))]),
        );
      const truth = scenario.truth.filter((t) => t.category === "nat" && t.subcategory !== "cross_az_leg");
      expect(bySub(nat)).toEqual(bySub(truth));
      expect(bySub(nat).s3).toBeGreaterThan(0);
      expect(bySub(nat).dynamodb).toBeGreaterThan(0);
      const behind = new Set(
        nat.map((r) => (r.src_kind === "aws_service" || r.src_kind === "internet" ? r.dst_kind : r.src_kind)),
      );
      expect(behind).toEqual(new Set([externalSnat ? "pod" : "node"]));
    });

    test("the pod that reused a deleted pod's IP is its own CronJob, and load balancer hops keep their Service", () => {
      const reuse = rows.filter(
        (r) => r.src_workload === "nightly-report" || r.dst_workload === "nightly-report",
      );
      expect(reuse.length).toBeGreaterThan(0);
      expect(reuse.every((r) => r.confidence === "exact")).toBe(true);
      const lb = (
        rs: ReadonlyArray<{
          category: string;
          subcategory: string | null;
          service: string | null;
          bytes: number;
        }>,
      ) =>
        rs
          .filter(
            (r) => r.category === "lb" || r.subcategory === "nodeport" || r.subcategory === "nlb_cross_zone",
          )
          .reduce(
            (m, r) =>
              m.set(
                `${r.category}|${r.subcategory}|${r.service}`,
                (m.get(`${r.category}|${r.subcategory}|${r.service}`) ?? 0) + r.bytes,
              ),
            new Map<string, number>(),
          );
      expect(lb(rows)).toEqual(lb(scenario.truth));
      expect(lb(rows).size).toBeGreaterThan(3);
    });

    test("the day still reconciles to the CUR to the cent", () => {
      const billed = Math.round((scenario.billedNetworkUsd.get(scenario.day) ?? 0) * 100);
      const cents = (day?.rows ?? []).reduce((s, r) => s + Math.round((r.billed_cost_usd ?? 0) * 100), 0);
      expect(cents).toBe(billed);
    });
  },
);

describe("the default-format lake and the custom-format lake of one cluster give the same rows", async () => {
  const custom = await run({ flowLogFormat: "custom" });
  const plain = await run({ flowLogFormat: "default" });
  const pairKey = (r: AttributedRow) =>
    [r.category, r.subcategory, r.src_namespace, r.src_workload, r.dst_namespace, r.dst_workload].join("|");

  test("bytes per category and pair are equal, except the one record whose peer no ENI logs, which the default format can name only at node level (and says so)", () => {
    const a = bytesByKey(custom.rows, pairKey, (r) => r.bytes);
    const b = bytesByKey(plain.rows, pairKey, (r) => r.bytes);
    const differ = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
    // The peered database's record: custom names the ledger pod, the default format its node.
    const ledgerNode = plain.scenario.cluster.pods.find((p) => p.workload.name === "ledger")?.node.name;
    expect(differ.sort()).toEqual([`unknown|||${ledgerNode}||`, "unknown||payments|ledger||"].sort());
    const unknownRows = plain.rows.filter((r) => r.category === "unknown");
    expect(unknownRows.every((r) => r.src_kind === "node" && r.confidence === "ambiguous")).toBe(true);
    expect(sum(unknownRows)).toBe(sum(custom.rows.filter((r) => r.category === "unknown")));
    // Within 0.5% per category (here: to the byte).
    for (const category of new Set(custom.rows.map((r) => r.category)))
      expect(sum(plain.rows.filter((r) => r.category === category))).toBe(
        sum(custom.rows.filter((r) => r.category === category)),
      );
  });

  test("the analysis says which format it read and what that cost in precision, measured", () => {
    const [format] = plain.analysis.inputs.flowLogs.formats;
    expect(plain.analysis.inputs.flowLogs.formats).toHaveLength(1);
    expect(format).toMatchObject({
      name: "default",
      version: 2,
      encoding: "text",
      endpoints: "stitched",
      direction: "inferred",
      azId: "inventory",
      awsService: "ip-ranges",
      objects: plain.scenario.files.flowLogs,
    });
    expect(format?.fields).toEqual(DEFAULT_FORMAT);
    const stitching = plain.analysis.inputs.flowLogs.stitching;
    // Every byte counted once: the stitched bytes are all the traffic there is (one format).
    expect(stitching?.bytes).toBe(sum(plain.rows.filter((r) => r.subcategory !== "cross_az_leg")));
    // Only the peered database's record has no peer ENI; nothing is ambiguous.
    expect(stitching?.unpairedBytes).toBe(sum(plain.rows.filter((r) => r.category === "unknown")));
    expect(stitching?.ambiguousBytes).toBe(0);
    const warning = plain.analysis.warnings.find((w) => w.code === "flow-log-format");
    expect(warning?.message).toContain("no pkt-srcaddr/pkt-dstaddr");
    expect(warning?.message).toMatch(
      /This run: 99\.9\d% of those bytes with both ends exact, 0\.0\d% at node level \(peer ENI not logged\), 0\.00% ambiguous/,
    );
    expect(plain.analysis.inputs.aws.ipRanges).toBe(true);
    expect(plain.analysis.warnings.some((w) => w.code === "missing-ip-ranges")).toBe(false);
    // The custom format loses nothing and says nothing.
    expect(custom.analysis.inputs.flowLogs.formats.map((f) => [f.name, f.endpoints, f.precision])).toEqual([
      ["custom", "packet", []],
    ]);
    expect(custom.analysis.inputs.flowLogs.stitching).toBeNull();
    expect(custom.analysis.warnings.some((w) => w.code === "flow-log-format")).toBe(false);
  });

  test("list dollars per category are the custom format's", () => {
    for (const category of new Set(custom.rows.map((r) => r.category))) {
      const usd = (rs: ReadonlyArray<AttributedRow>) =>
        rs.filter((r) => r.category === category).reduce((s, r) => s + r.list_cost_usd, 0);
      expect(usd(plain.rows)).toBeCloseTo(usd(custom.rows), 9);
    }
  });
});

describe("a peer ENI that is not logged: the one record left names one end exactly, the other at node level", async () => {
  // Node 4 hosts a cart pod and the ledger (which calls DynamoDB through the NAT gateway); its
  // ENI logs nothing.
  const { scenario, rows } = await run({ flowLogFormat: "default", unlogged: 4 });
  const hidden = scenario.cluster.nodes[4];
  const onHidden = new Set(
    scenario.cluster.pods
      .filter((p) => p.node === hidden)
      .map((p) => `${p.workload.namespace}/${p.workload.name}@${p.node.zone.id}`),
  );
  const hiddenEnd = (e: TruthRow["src"]) =>
    e.kind === "pod" && onHidden.has(`${e.namespace}/${e.workload}@${e.azId}`);
  // The truth sums pods per workload and AZ, so a node end is compared per AZ, not per node.
  const collapse = (key: string) => key.replace(/node:[^@|]+@/g, "node:*@");
  const podPairs = scenario.truth.filter(
    (t) => t.src.kind === "pod" && t.dst.kind === "pod" && t.service === null,
  );
  const expected = new Map<string, number>();
  for (const t of podPairs) {
    const toHidden = hiddenEnd(t.dst);
    const fromHidden = hiddenEnd(t.src);
    if (toHidden === fromHidden) continue;
    const nodeOf = (e: TruthRow["src"]) => ({
      ...e,
      kind: "node",
      namespace: null,
      workload: "*",
      resource: null,
    });
    const row = {
      ...t,
      confidence: "node" as const,
      src: toHidden ? nodeOf(t.src) : t.src,
      dst: fromHidden ? nodeOf(t.dst) : t.dst,
    };
    const k = collapse(truthKey(row));
    expected.set(k, (expected.get(k) ?? 0) + t.bytes);
  }
  const got = bytesByKey(
    rows,
    (r) => collapse(rowKey(r)),
    (r) => r.bytes,
  );

  test("transfers to and from the hidden node's pods: the hidden pod exactly (the logged record names it), the logged side at its node, labelled node", () => {
    expect(expected.size).toBeGreaterThan(4);
    for (const [k, bytes] of expected) expect([k, got.get(k)]).toEqual([k, bytes]);
  });

  test("no pod pair is invented: exact pod-to-pod rows never name a hidden pod, and carry the generator's bytes", () => {
    const truth = bytesByKey(scenario.truth, truthKey, (t) => t.bytes);
    const exactPods = rows.filter(
      (r) => r.confidence === "exact" && r.src_kind === "pod" && r.dst_kind === "pod",
    );
    expect(exactPods.length).toBeGreaterThan(10);
    const exact = bytesByKey(exactPods, rowKey, (r) => r.bytes);
    for (const r of exactPods) {
      expect(onHidden.has(`${r.src_namespace}/${r.src_workload}@${r.src_az_id}`)).toBe(false);
      expect(onHidden.has(`${r.dst_namespace}/${r.dst_workload}@${r.dst_az_id}`)).toBe(false);
    }
    for (const [k, bytes] of exact) expect([k, bytes]).toEqual([k, truth.get(k)]);
  });

  test("the NAT gateway's bytes stay whole and by destination: its own records pair its inside and outside legs", () => {
    const bySub = (rs: ReadonlyArray<{ category: string; subcategory: string | null; bytes: number }>) =>
      bytesByKey(
        rs.filter((r) => r.category === "nat"),
        (r) => String(r.subcategory),
        (r) => r.bytes,
      );
    expect(bySub(rows)).toEqual(bySub(scenario.truth));
    const dynamo = rows.filter((r) => r.category === "nat" && r.subcategory === "dynamodb");
    expect(dynamo.length).toBeGreaterThan(0);
    expect(dynamo.every((r) => r.src_workload === hidden?.name || r.dst_workload === hidden?.name)).toBe(
      true,
    );
  });
});

const V2 = DEFAULT_FORMAT;
describe.each([
  [
    "v3 with pkt-srcaddr/pkt-dstaddr, without flow-direction, az-id or the AWS-service fields",
    [...V2, "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr"],
    { endpoints: "packet", direction: "inferred", azId: "inventory", awsService: "ip-ranges" },
  ],
  [
    "v4 with az-id and region, without pkt-* (stitched)",
    [...V2, "vpc-id", "subnet-id", "region", "az-id"],
    { endpoints: "stitched", direction: "inferred", azId: "logged", awsService: "ip-ranges" },
  ],
  [
    "v5 with flow-direction and the AWS-service fields, without pkt-* (stitched, direction logged)",
    [...V2, "flow-direction", "traffic-path", "pkt-src-aws-service", "pkt-dst-aws-service"],
    { endpoints: "stitched", direction: "logged", azId: "inventory", awsService: "logged" },
  ],
] as const)("a custom format, %s: the best path its fields allow, exact bytes", async (_, fields, path) => {
  const { scenario, rows, analysis } = await run({ flowLogFormat: fields });

  test("every transfer attributed once with the generator's category, ends and confidence", () => {
    expect(bytesByKey(rows, rowKey, (r) => r.bytes)).toEqual(
      bytesByKey(scenario.truth, truthKey, (t) => t.bytes),
    );
  });

  test("the analysis names the format and the path it took", () => {
    expect(analysis.inputs.flowLogs.formats.map((f) => ({ ...f, precision: undefined }))).toEqual([
      expect.objectContaining({ name: "custom", fields: [...fields], ...path }),
    ]);
  });
});
