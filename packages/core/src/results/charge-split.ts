import { allocateUnits } from "../allocation/largest-remainder.ts";
import type { ClassCents, UsageClass } from "../allocation/reconcile.ts";
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

/** The classes a row's list price stands for, with their weights, when no CUR line billed it. */
function listClasses(row: Ends): Array<[UsageClass | "internet" | "transfer", Payer, number]> {
  if (row.category === "unattributed") return [["transfer", "unattributed", 1]];
  if (isCrossAz(row))
    return [
      ["inter_az_out", payerOf(row, "inter_az_out"), 1],
      ["inter_az_in", payerOf(row, "inter_az_in"), 1],
    ];
  if (row.category === "nat") return [["nat_bytes", payerOf(row, "nat_bytes"), 1]];
  if (row.category === "vpc_endpoint") return [["vpce_bytes", payerOf(row, "vpce_bytes"), 1]];
  if (row.category === "lb") return [["lb_lcu", payerOf(row, "lb_lcu"), 1]];
  if (row.category === "internet") return [["internet", insideSide(row), 1]];
  return [["transfer", "source", 1]];
}

const PAYER_ORDER: ReadonlyArray<Payer> = ["source", "destination", "service", "unattributed"];

/**
 * A row's charges: its billed cents by class (from reconciliation) and its list micro-dollars,
 * each sent to its payer, merged per payer. Every cent and micro-dollar of the row lands on
 * exactly one payer, so the charges sum to the row.
 */
export function chargeSplit(
  row: Ends & Pick<DayRow, "bytes" | "listCostMicros" | "billedCents">,
  classCents: ClassCents,
): Charge[] {
  const parts = new Map<Payer, { classes: Set<string>; billed: number; list: number }>();
  const part = (payer: Payer) => {
    let p = parts.get(payer);
    if (!p) {
      p = { classes: new Set(), billed: 0, list: 0 };
      parts.set(payer, p);
    }
    return p;
  };
  const classes = listClasses(row);
  const listShares = allocateUnits(
    row.listCostMicros,
    classes.map(([, , w]) => w),
  );
  classes.forEach(([usageClass, payer], i) => {
    const p = part(payer);
    p.classes.add(usageClass);
    p.list += listShares[i] ?? 0;
  });
  if (row.category === "unattributed") {
    part("unattributed").billed += row.billedCents ?? 0;
  } else {
    for (const [usageClass, cents] of Object.entries(classCents) as Array<[UsageClass, number]>) {
      const p = part(payerOf(row, usageClass));
      p.classes.add(usageClass);
      p.billed += cents;
    }
  }
  return PAYER_ORDER.filter((payer) => parts.has(payer)).map((payer) => {
    const p = part(payer);
    return {
      payer,
      usageClasses: [...p.classes].sort(),
      bytes: row.bytes,
      billedCents: row.billedCents === null ? null : p.billed,
      listCostMicros: p.list,
    };
  });
}
