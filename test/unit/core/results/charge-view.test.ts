import {
  type AttributedRow,
  buildDaySummary,
  chargeView,
  type DaySummary,
  daySummarySchema,
  reconcileDay,
  trafficView,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { attributedRow, curLine, GB, natRow } from "../../../support/builders.ts";

const line = curLine;
const instances = (node: string) => ({ "node-a": "i-0aaa", "node-b": "i-0bbb" })[node];

const lbRow = attributedRow({
  category: "lb",
  subcategory: "client",
  src_kind: "load_balancer",
  src_namespace: null,
  src_workload_kind: "LoadBalancer",
  src_workload: "k8s-shop-web",
  src_node: null,
  src_resource: "app/k8s-shop-web/1",
  dst_kind: "internet",
  dst_namespace: null,
  dst_workload_kind: null,
  dst_workload: null,
  dst_node: null,
  service: "shop/storefront",
  load_balancer: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/k8s-shop-web/1",
  bytes: GB,
  list_cost_usd: 0,
});

function day(rows: AttributedRow[], lines: ReturnType<typeof curLine>[]): DaySummary {
  return buildDaySummary({ reconciliation: reconcileDay("2026-11-22", rows, lines, instances) });
}

/** [payer, owner, billed cents] per owner of the day, in first-seen order. */
const owned = (d: DaySummary) => {
  const by = new Map<string, [string, string, number]>();
  for (const r of chargeView(d)) {
    const owner = `${r.owner.kind}:${r.owner.workload ?? r.owner.id}`;
    const entry = by.get(`${r.ownedAs}|${owner}`) ?? [r.ownedAs, owner, 0];
    entry[2] += r.billedCents ?? 0;
    by.set(`${r.ownedAs}|${owner}`, entry);
  }
  return [...by.values()];
};

describe("the charge view: every billed cent has exactly one owner", () => {
  test("cross-AZ: InterZone-Out goes to the sender's workload, InterZone-In to the receiver's", () => {
    const d = day(
      [attributedRow({ bytes: 3 * GB, list_cost_usd: 0.06 })],
      [line("inter_az_out", "i-0aaa", 3, 0.03), line("inter_az_in", "i-0bbb", 3, 0.03)],
    );

    expect(owned(d)).toEqual([
      ["source", "pod:frontend", 3],
      ["destination", "pod:catalog", 3],
    ]);
    expect(d.rows[0]?.charges.map((c) => [c.usageClass, c.resourceId, c.bytes])).toEqual([
      ["inter_az_out", "i-0aaa", 3 * GB],
      ["inter_az_in", "i-0bbb", 3 * GB],
    ]);
  });

  test("NAT processing and hours go to the workload behind the NAT, whichever end it is; the leg to a NAT in another AZ too", () => {
    const leg = attributedRow({
      category: "nat",
      subcategory: "cross_az_leg",
      dst_kind: "nat_gateway",
      dst_workload: null,
      dst_namespace: null,
      dst_node: null,
      dst_resource: "nat-1",
      nat_gateway: "nat-1",
      src_workload: "cart",
      bytes: GB,
      list_cost_usd: 0.02,
    });
    const d = day(
      [natRow(), leg],
      [
        line("nat_bytes", "nat-1", 2, 0.09),
        line("nat_hours", "nat-1", 24, 1.08),
        line("inter_az_out", "i-0aaa", 1, 0.01),
        line("inter_az_in", "nat-1", 1, 0.01),
      ],
    );

    // The leg draws nothing from the NAT lines: the s3 row takes all 117 cents.
    expect(owned(d)).toEqual([
      ["destination", "pod:cart", 117],
      ["source", "pod:cart", 2],
    ]);
    // Both billed sides of the leg go to cart; its bytes count once for it.
    expect(d.rows[1]?.charges.map((c) => [c.usageClass, c.resourceId, c.bytes])).toEqual([
      ["inter_az_out", "i-0aaa", GB],
      ["inter_az_in", "nat-1", 0],
    ]);
  });

  test("load balancer hours and LCUs go to the Service behind the load balancer", () => {
    const d = day(
      [lbRow],
      [line("lb_hours", "app/k8s-shop-web/1", 24, 0.54), line("lb_lcu", "app/k8s-shop-web/1", 3, 0.024)],
    );

    const charges = chargeView(d);
    expect(charges.map((c) => c.ownedAs)).toEqual(["service", "service"]);
    expect(charges[0]?.owner).toMatchObject({ kind: "service", namespace: "shop", workload: "storefront" });
    expect(charges.reduce((s, c) => s + (c.billedCents ?? 0), 0)).toBe(56);
  });

  test("what no transfer explains is owned by unattributed, naming the resource; the owners sum to the bill", () => {
    const rows = [attributedRow({ bytes: 3 * GB, list_cost_usd: 0.06 }), natRow(), lbRow];
    const lines = [
      line("inter_az_out", "i-0aaa", 3, 0.03),
      line("inter_az_in", "i-0bbb", 3, 0.03),
      line("inter_az_out", "i-0ccc", 1.5, 0.015),
      line("nat_bytes", "nat-1", 2, 0.09),
      line("lb_hours", "app/k8s-shop-web/1", 24, 0.54),
    ];
    const d = day(rows, lines);

    const cents = chargeView(d).reduce((s, r) => s + (r.billedCents ?? 0), 0);
    expect(d.reconciliation.billedCents).toBe(3 + 3 + 2 + 9 + 54);
    expect(cents).toBe(d.reconciliation.billedCents);
    expect(
      chargeView(d)
        .filter((r) => r.ownedAs === "unattributed")
        .map((r) => [r.owner.id, r.billedCents]),
    ).toEqual([["i-0ccc", 2]]);
    // The traffic view by both ends counts the cross-AZ transfer twice: it is not a bill.
    expect(trafficView(d, "both").reduce((s, r) => s + (r.billedCents ?? 0), 0)).toBe(71 + 6 + 9 + 54);
  });

  test("an estimated day splits list prices the same way, in whole micro-dollars (cross-AZ half out, half in)", () => {
    const d = day([attributedRow({ bytes: GB, list_cost_usd: 0.020_000_3 }), natRow()], []);

    expect(d.costBasis).toBe("estimated");
    expect(chargeView(d).map((r) => [r.ownedAs, r.owner.workload, r.listCostMicros, r.billedCents])).toEqual([
      ["source", "frontend", 10_000, null],
      ["destination", "catalog", 10_000, null],
      ["destination", "cart", 90_000, null],
    ]);
  });

  test("a document whose charges do not add up to its rows or its billed lines is rejected, naming them", () => {
    const d = day(
      [attributedRow({ bytes: 3 * GB, list_cost_usd: 0.06 })],
      [line("inter_az_out", "i-0aaa", 3, 0.03), line("inter_az_in", "i-0bbb", 3, 0.03)],
    );
    const broken = structuredClone(d);
    const charge = broken.rows[0]?.charges[0];
    if (charge) charge.billedCents = 4;

    const parsed = daySummarySchema.safeParse(broken);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path)).toEqual([
      ["rows", 0, "charges"],
      ["lines", 1],
    ]);
  });
});
