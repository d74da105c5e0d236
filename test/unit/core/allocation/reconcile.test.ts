import { readFile } from "node:fs/promises";
import {
  allocateUnits,
  assertReconciled,
  billedResourceKey,
  type CurNetworkLine,
  chargesOf,
  QUERIES,
  ReconciliationError,
  reconcileDay,
  resultRow,
  toCentsPreservingTotal,
} from "@flowcost/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { attributedRow, GB } from "../../../support/builders.ts";

const row = attributedRow;
const line = (
  usage_class: string,
  resource_id: string,
  usage_amount: number,
  cost_usd: number,
): CurNetworkLine => ({
  dt: "2026-11-22",
  usage_class,
  resource_id,
  usage_type: "x",
  usage_amount,
  cost_usd,
});
const instances = (node: string) => ({ "node-a": "i-0aaa", "node-b": "i-0bbb" })[node];

describe("largest remainder: cents always add up", () => {
  test("a dollar over three equal shares is 34 + 33 + 33 cents", () => {
    expect(allocateUnits(100, [1, 1, 1])).toEqual([34, 33, 33]);
  });
  test("the largest fractional remainders get the leftover cents", () => {
    expect(allocateUnits(10, [0.15, 0.25, 0.6])).toEqual([2, 2, 6]);
    expect(allocateUnits(7, [0, 0])).toEqual([0, 0]);
  });
  test("for any weights, the parts sum to the total and never go negative", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.double({ min: 0.001, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (total, weights) => {
          const parts = allocateUnits(total, weights);
          return parts.reduce((s, p) => s + p, 0) === total && parts.every((p) => p >= 0);
        },
      ),
    );
  });
  test("lines in cents add up to the day's total in cents (three half cents make two cents, not three)", () => {
    expect(toCentsPreservingTotal([0.005, 0.005, 0.005])).toEqual([1, 1, 0]);
    expect(toCentsPreservingTotal([1.234, 2.345, 0.011]).reduce((s, c) => s + c, 0)).toBe(359);
  });
});

describe("reconciliation to the CUR", () => {
  test("CUR and inventory name one resource alike (ARNs cut to their id)", () => {
    expect(billedResourceKey("arn:aws:ec2:us-east-1:111122223333:natgateway/nat-0a1")).toBe("nat-0a1");
    expect(billedResourceKey("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/k8s-x/1a2b")).toBe(
      "net/k8s-x/1a2b",
    );
    expect(billedResourceKey("i-0abc")).toBe("i-0abc");
  });

  test("a cross-AZ transfer draws on the sender's Out line and the receiver's In line; a NAT leg on the NAT's", () => {
    expect(chargesOf(row({}), instances).map((c) => `${c.usageClass}:${c.resource}`)).toEqual([
      "inter_az_out:i-0aaa",
      "inter_az_in:i-0bbb",
    ]);
    const leg = row({
      category: "nat",
      subcategory: "cross_az_leg",
      dst_kind: "aws_service",
      dst_node: null,
      dst_resource: "nat-1",
      nat_gateway: "nat-1",
    });
    expect(chargesOf(leg, instances).map((c) => `${c.usageClass}:${c.resource}`)).toEqual([
      "inter_az_out:i-0aaa",
      "inter_az_in:nat-1",
    ]);
  });

  test("billed cost is shared in proportion to bytes; unexplained usage stays unattributed naming the resource", () => {
    const rows = [row({ bytes: GB }), row({ bytes: 3 * GB, dst_workload: "cart" })];
    // Out line: 5 GB billed, 4 GB observed -> 4 of 5 cents split 1:3, 1 unattributed. In line: 4 cents, 1:3.
    const lines = [
      line("inter_az_out", "i-0aaa", 5, 0.05),
      line("inter_az_in", "i-0bbb", 4, 0.04),
      line("inter_az_out", "i-0zzz", 2, 0.02),
    ];
    const r = reconcileDay("2026-11-22", rows, lines, instances);
    expect(r.rows.map((x) => x.billed_cost_usd)).toEqual([0.02, 0.06]);
    expect(r.unattributed.map((u) => [u.src_resource, u.billed_cost_usd])).toEqual([
      ["i-0aaa", 0.01],
      ["i-0zzz", 0.02],
    ]);
    expect(r.billedCents).toBe(11);
    expect(r.allocatedCents + r.unattributedCents).toBe(11);
  });

  test("a day that does not add up fails loudly, naming the day and the gap", () => {
    const lines = [line("inter_az_out", "i-0aaa", 1, 0.01), line("inter_az_in", "i-0bbb", 1, 0.01)];
    const r = reconcileDay("2026-11-22", [row({})], lines, instances);
    const broken = { ...r, rows: r.rows.map((x) => ({ ...x, billed_cost_usd: 0.03 })) };
    expect(() => assertReconciled(broken, lines)).toThrow(ReconciliationError);
    expect(() => assertReconciled(broken, lines)).toThrow(
      "reconciliation failed for 2026-11-22: billed 2 cents",
    );
  });

  test("without CUR lines the rows stay list-price estimates", () => {
    const r = reconcileDay("2026-11-22", [row({})], [], instances);
    expect(r.costBasis).toBe("estimated");
    expect(r.rows[0]?.billed_cost_usd).toBeNull();
  });
});

describe("Athena reads one day: every table scan of the daily statements carries its partition predicate", () => {
  test.each([
    [
      "attribution/attribute_flows.sql",
      /\b(curated_flows|stitched_flows|ip_identity)\b/g,
      /dt = CAST\(\? AS varchar\)/g,
    ],
    [
      "attribution/attribute_flows.athena.sql",
      /\b(curated_flows|stitched_flows|ip_identity)\b/g,
      /dt = CAST\(\? AS varchar\)/g,
    ],
    ["attribution/stitch_flows.sql", /\b(curated_flows|ip_identity)\b/g, /dt = CAST\(\? AS varchar\)/g],
    ["attribution/stitch_summary.sql", /\bstitched_flows\b/g, /dt = CAST\(\? AS varchar\)/g],
    ["cur/cur_network_lines.sql", /\bFROM cur\b/g, /billing_period = CAST\(\? AS varchar\)/g],
  ])("%s", async (file, tables, predicates) => {
    const sql = (await readFile(new URL(`../../../../queries/${file}`, import.meta.url), "utf8")).replace(
      /--.*$/gm,
      "",
    );
    const scans = sql.match(tables)?.length ?? 0;
    expect(scans).toBeGreaterThan(0);
    expect(sql.match(predicates)?.length).toBe(scans);
    const name = file.split("/")[1]?.replace(/(\.athena)?\.sql$/, "");
    expect(QUERIES.find((q) => q.name === name)).toBeDefined();
  });
});

describe("result rows", () => {
  test("a result row is the attributed row with its billing, fields in the same order as a spread", () => {
    const attributed = attributedRow({ src_workload: "frontend", bytes: 3 * GB, list_cost_usd: 0.06 });
    expect(JSON.stringify(resultRow(attributed, 0.05, "billed"))).toBe(
      JSON.stringify({ ...attributed, billed_cost_usd: 0.05, cost_basis: "billed" }),
    );
    expect(
      JSON.stringify(resultRow(attributed, null, "estimated", { account_id: null, region: "eu-west-1" })),
    ).toBe(
      JSON.stringify({
        ...attributed,
        billed_cost_usd: null,
        cost_basis: "estimated",
        account_id: null,
        region: "eu-west-1",
      }),
    );
    const [estimated] = reconcileDay("2026-11-22", [attributed], [], instances).rows;
    expect(estimated).toStrictEqual({ ...attributed, billed_cost_usd: null, cost_basis: "estimated" });
  });
});
