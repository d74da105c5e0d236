import { allocateUnits } from "../allocation/largest-remainder.ts";
import { billedResourceKey, type RowLineCents, type UsageClass } from "../allocation/reconcile.ts";
import type { Charge, DayRow, End, Payer } from "./day-summary.ts";

/**
 * The payer rule (architecture.md, "Who pays: the charge view"): which end of a row pays each
 * billed line class. Traffic has two ends; a bill has one payer per dollar.
 *
 * - InterZone-Out to the sender, InterZone-In to the receiver (the CUR bills them to the
 *   sender's and the receiver's instance). A side that is a NAT gateway, a VPC endpoint, an AWS
 *   service or the internet passes its part to the workload on the other side (the workload behind
 *   the NAT pays the leg to it); a load balancer side passes it to the Service behind it.
 * - NAT gateway processing and hours: the workload behind the NAT (the row's end inside the VPC).
 * - Load balancer hours and LCUs: the Service behind the load balancer.
 * - Interface endpoint bytes and hours: the workload calling the endpoint.
 * - `unattributed` rows: `unattributed`.
 *
 * List prices (estimated days) follow the same rule: a cross-AZ row's list price is half out, half
 * in; every other row's goes to the payer of its main line.
 */
const PASS_THROUGH: ReadonlySet<string> = new Set([
  "nat_gateway",
  "vpc_endpoint",
  "aws_service",
  "internet",
  "load_balancer",
]);

type Ends = Pick<DayRow, "category" | "subcategory" | "service" | "source" | "destination">;

const inside = (e: End) => !PASS_THROUGH.has(e.kind);

/** The end inside the VPC: the workload behind a NAT gateway, the caller of an endpoint. */
function insideSide(row: Ends): Payer {
  if (inside(row.source)) return "source";
  if (inside(row.destination)) return "destination";
  return "source";
}

function sideOf(row: Ends, side: "source" | "destination"): Payer {
  const end = row[side];
  if (end.kind === "load_balancer" && row.service) return "service";
  if (inside(end)) return side;
  const other = side === "source" ? "destination" : "source";
  return inside(row[other]) ? other : side;
}

/** The payer of one billed line class of a row. */
export function payerOf(row: Ends, usageClass: UsageClass): Payer {
  if (row.category === "unattributed") return "unattributed";
  switch (usageClass) {
    case "inter_az_out":
      return sideOf(row, "source");
    case "inter_az_in":
      return sideOf(row, "destination");
    case "lb_hours":
    case "lb_lcu":
      return row.service ? "service" : insideSide(row);
    default:
      return insideSide(row);
  }
}

const isCrossAz = (row: Ends) => row.category === "cross_az" || row.subcategory === "cross_az_leg";

/** The classes a row's list price stands for (split evenly), and who pays each. */
function listClasses(row: Ends): Array<[string, Payer]> {
  if (isCrossAz(row))
    return [
      ["inter_az_out", payerOf(row, "inter_az_out")],
      ["inter_az_in", payerOf(row, "inter_az_in")],
    ];
  if (row.category === "nat") return [["nat_bytes", payerOf(row, "nat_bytes")]];
  if (row.category === "vpc_endpoint") return [["vpce_bytes", payerOf(row, "vpce_bytes")]];
  if (row.category === "lb") return [["lb_lcu", payerOf(row, "lb_lcu")]];
  if (row.category === "internet") return [["internet", insideSide(row)]];
  return [["transfer", "source"]];
}

/** The order a row's charges are listed in: out before in, bytes before hours. */
const CLASS_ORDER: ReadonlyArray<UsageClass> = [
  "inter_az_out",
  "inter_az_in",
  "nat_bytes",
  "nat_hours",
  "lb_lcu",
  "lb_hours",
  "vpce_bytes",
  "vpce_hours",
];

/**
 * A row's charges: one per billed line the row drew on (its cents, sent to the payer of the
 * line's class) and the row's list micro-dollars split by the same rule. Every cent and
 * micro-dollar of the row lands on exactly one payer, so the charges sum to the row. A payer's
 * first charge of the row carries the row's bytes, so bytes count once per payer.
 */
export function chargeSplit(
  row: Ends & Pick<DayRow, "bytes" | "listCostMicros" | "billedCents">,
  lines: ReadonlyArray<RowLineCents>,
): Charge[] {
  const estimated = row.billedCents === null;
  const charges: Array<Omit<Charge, "bytes">> = [];
  if (row.category === "unattributed") {
    const usageClass = row.subcategory?.split(":")[1] ?? "transfer";
    charges.push({
      payer: "unattributed",
      usageClass,
      resourceId: billedResourceKey(row.source.id ?? ""),
      billedCents: row.billedCents,
      listCostMicros: row.listCostMicros,
    });
  } else {
    const ordered = [...lines].sort(
      (a, b) => CLASS_ORDER.indexOf(a.usageClass) - CLASS_ORDER.indexOf(b.usageClass),
    );
    for (const line of ordered)
      charges.push({
        payer: payerOf(row, line.usageClass),
        usageClass: line.usageClass,
        resourceId: line.resource,
        billedCents: estimated ? null : line.cents,
        listCostMicros: 0,
      });
    const classes = listClasses(row);
    const shares = allocateUnits(
      row.listCostMicros,
      classes.map(() => 1),
    );
    classes.forEach(([usageClass, payer], i) => {
      const share = shares[i] ?? 0;
      const same = charges.find((c) => c.payer === payer && c.usageClass === usageClass);
      if (same) same.listCostMicros += share;
      else
        charges.push({
          payer,
          usageClass,
          resourceId: null,
          billedCents: estimated ? null : 0,
          listCostMicros: share,
        });
    });
  }
  const seen = new Set<Payer>();
  // In the schema's key order, one literal each (a day document holds a few hundred thousand).
  return charges.map((c) => {
    const first = !seen.has(c.payer);
    seen.add(c.payer);
    return {
      payer: c.payer,
      usageClass: c.usageClass,
      resourceId: c.resourceId,
      bytes: first ? row.bytes : 0,
      billedCents: c.billedCents,
      listCostMicros: c.listCostMicros,
    };
  });
}
