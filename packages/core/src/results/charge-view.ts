import type { Charge, DayRow, DaySummary, End, Payer } from "./day-summary.ts";

/**
 * The two ways to read a day's rows (architecture.md, "Who pays: the charge view"):
 *
 * - `charge`: every dollar has exactly one owner (the payer rule of {@link chargeSplit}), so the
 *   owners' dollars sum to the bill: chargeback, reports and alerts read this view.
 * - `source` / `destination` / `both`: the traffic view, each row owned by its source end, its
 *   destination end, or both ends (a transfer then counts twice: for exploring, not for billing).
 */
export type View = "charge" | "source" | "destination" | "both";

/** Whoever a part of a row is owned by: an end of the row, the Service behind a load balancer, or `unattributed`. */
export type Owner = End;

/** One owner's part of one row. */
export interface OwnedRow {
  readonly dt: string;
  readonly owner: Owner;
  /** Which part of the row owns it: the payer (charge view) or the end (traffic view). */
  readonly ownedAs: Payer;
  /** The row's other end, seen from the owner (the destination for a source owner, and so on). */
  readonly counterpart: End | null;
  readonly row: DayRow;
  /** The row's charge this part is (charge view only): its line class and billed resource. */
  readonly charge?: Charge;
  readonly bytes: number;
  readonly billedCents: number | null;
  readonly listCostMicros: number;
}

/** The Service behind a load balancer as an owner (kind `service`, the Service's namespace and name). */
export function serviceOwner(row: Pick<DayRow, "service" | "loadBalancer">): Owner {
  const [namespace, name] = (row.service ?? "").includes("/")
    ? (row.service ?? "").split("/", 2)
    : [null, row.service];
  return {
    kind: "service",
    id: row.loadBalancer,
    namespace: namespace ?? null,
    workloadKind: "Service",
    workload: name ?? null,
    azId: null,
    node: null,
  };
}

function ownerOf(row: DayRow, payer: Payer): Owner {
  if (payer === "source" || payer === "unattributed") return row.source;
  if (payer === "destination") return row.destination;
  return serviceOwner(row);
}

function counterpartOf(row: DayRow, payer: Payer): End | null {
  if (payer === "source") return row.destination;
  if (payer === "destination") return row.source;
  return null;
}

/**
 * A day's rows as charge rows: each row's charges become one owned row per payer. The result's
 * billed cents sum to the day's billed cents (and its list micro-dollars to the rows'), because
 * every charge belongs to exactly one payer.
 *
 * @example chargeView(summary).reduce((s, r) => s + (r.billedCents ?? 0), 0) === summary.reconciliation.billedCents
 */
export function chargeView(day: Pick<DaySummary, "dt" | "rows">): OwnedRow[] {
  return day.rows.flatMap((row) =>
    row.charges.map((c) => ({
      dt: day.dt,
      owner: ownerOf(row, c.payer),
      ownedAs: c.payer,
      counterpart: counterpartOf(row, c.payer),
      row,
      charge: c,
      bytes: c.bytes,
      billedCents: c.billedCents,
      listCostMicros: c.listCostMicros,
    })),
  );
}

/** A day's rows in the traffic view: whole rows, owned by one end or (with `both`) by each. */
export function trafficView(day: Pick<DaySummary, "dt" | "rows">, side: Exclude<View, "charge">): OwnedRow[] {
  const sides: Array<"source" | "destination"> = side === "both" ? ["source", "destination"] : [side];
  // An unattributed row has no ends to count twice: it stays one row in every view.
  return day.rows.flatMap((row) =>
    (row.category === "unattributed" ? sides.slice(0, 1) : sides).map((s) => ({
      dt: day.dt,
      owner: row.category === "unattributed" ? row.source : row[s],
      ownedAs: row.category === "unattributed" ? ("unattributed" as const) : s,
      counterpart: counterpartOf(row, s),
      row,
      bytes: row.bytes,
      billedCents: row.billedCents,
      listCostMicros: row.listCostMicros,
    })),
  );
}

/** The rows of a day in the given view. */
export function viewRows(day: Pick<DaySummary, "dt" | "rows">, view: View): OwnedRow[] {
  return view === "charge" ? chargeView(day) : trafficView(day, view);
}
