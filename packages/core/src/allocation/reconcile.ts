import { ReconciliationError } from "../errors.ts";
import { BYTES_PER_GB } from "../pricing/prices.ts";
import type { AttributedRow } from "../query/queries/attribution.ts";
import type { CurNetworkLine } from "../query/queries/cur.ts";
import { allocateUnits, toCentsPreservingTotal } from "./largest-remainder.ts";

/** Billed line classes, as `queries/cur/cur_network_lines.sql` names them. */
export type UsageClass =
  | "inter_az_out"
  | "inter_az_in"
  | "nat_bytes"
  | "nat_hours"
  | "lb_hours"
  | "lb_lcu"
  | "vpce_bytes"
  | "vpce_hours";

const BYTE_CLASSES: ReadonlySet<string> = new Set(["inter_az_out", "inter_az_in", "nat_bytes", "vpce_bytes"]);

export type CostBasis = "billed" | "estimated";

export type ResultRow = AttributedRow & {
  /** The row's share of the CUR, in USD (whole cents); null when the day has no CUR yet. */
  readonly billed_cost_usd: number | null;
  readonly cost_basis: CostBasis;
  /** The account and Region the row's flows and bill belong to; set when a day holds several. */
  readonly account_id?: string | null;
  readonly region?: string | null;
};

/**
 * An attributed row with its billed dollars, every field named. A day holds about 100,000 of these
 * for its whole run: V8 (Node 20) gives an object spread of a row this wide with fields added
 * (`{ ...row, billed_cost_usd, cost_basis }`) about 1,030 bytes, the same fields as one literal
 * about 270. Fields stay in the spread's order (the attributed row's, then the billing), so the
 * row reads, prints and serialises as before. `place` tags the row of a day of several places.
 */
export function resultRow(
  r: AttributedRow,
  billed: number | null,
  basis: CostBasis,
  place?: { readonly account_id: string | null; readonly region: string },
): ResultRow {
  const row = {
    dt: r.dt,
    category: r.category,
    subcategory: r.subcategory,
    src_kind: r.src_kind,
    src_namespace: r.src_namespace,
    src_workload_kind: r.src_workload_kind,
    src_workload: r.src_workload,
    src_ip: r.src_ip,
    src_az_id: r.src_az_id,
    src_node: r.src_node,
    src_resource: r.src_resource,
    dst_kind: r.dst_kind,
    dst_namespace: r.dst_namespace,
    dst_workload_kind: r.dst_workload_kind,
    dst_workload: r.dst_workload,
    dst_ip: r.dst_ip,
    dst_az_id: r.dst_az_id,
    dst_node: r.dst_node,
    dst_resource: r.dst_resource,
    service: r.service,
    load_balancer: r.load_balancer,
    nat_gateway: r.nat_gateway,
    confidence: r.confidence,
    bytes: r.bytes,
    list_cost_usd: r.list_cost_usd,
    billed_cost_usd: billed,
    cost_basis: basis,
  };
  return place === undefined ? row : Object.assign(row, place);
}

export interface Reconciliation {
  readonly dt: string;
  readonly costBasis: CostBasis;
  readonly rows: ResultRow[];
  /** One row per billed line (or part of one) that no transfer explains, naming the resource. */
  readonly unattributed: ResultRow[];
  readonly billedCents: number;
  readonly allocatedCents: number;
  readonly unattributedCents: number;
  /**
   * Per row of `rows` (same index), the billed lines its cents came from, so the charge view can
   * send each line class to its payer (InterZone-Out to the sender, In to the receiver, ...) and
   * an export can tie each allocated cent to its origin line. Each entry sums to the row's billed
   * cents; empty when the day is estimated.
   */
  readonly rowLines: ReadonlyArray<ReadonlyArray<RowLineCents>>;
  /** The day's billed lines, one per (line class, resource) with the CUR rows pooled into it. */
  readonly lines: ReadonlyArray<BilledLine>;
}

/** A row's cents from one billed line. */
export interface RowLineCents {
  readonly usageClass: UsageClass;
  /** The line's resource key ({@link billedResourceKey}). */
  readonly resource: string;
  readonly cents: number;
}

/** One billed line of a day: every CUR row of one line class and resource, pooled. */
export interface BilledLine {
  readonly usageClass: UsageClass;
  /** The resource key ({@link billedResourceKey}): instance, NAT gateway, load balancer, endpoint id. */
  readonly resource: string;
  /** The resource as the CUR names it (an ARN for some services). */
  readonly resourceArn: string;
  /** The CUR usage types pooled into the line (both inter-AZ spellings can meet here). */
  readonly usageTypes: ReadonlyArray<string>;
  readonly usageAmount: number;
  readonly cents: number;
  readonly allocatedCents: number;
}

/** Maps a Kubernetes node name to the EC2 instance that CUR bills (from `spec.providerID`). */
export type InstanceOfNode = (node: string) => string | undefined;

/**
 * The key under which CUR and inventory name one resource: ARNs are cut to their resource id
 * (`natgateway/nat-1` -> `nat-1`, `loadbalancer/app/web/1` -> `app/web/1`), plain ids stay.
 */
export function billedResourceKey(id: string): string {
  if (!id.startsWith("arn:")) return id;
  const resource = id.split(":").slice(5).join(":");
  const slash = resource.indexOf("/");
  return slash >= 0 ? resource.slice(slash + 1) : resource;
}

interface Charge {
  readonly usageClass: UsageClass;
  readonly resource: string;
  readonly bytes: number;
}

function endResource(
  kind: string,
  node: string | null,
  resource: string | null,
  instanceOf: InstanceOfNode,
): string | undefined {
  if (kind === "pod" || kind === "node") return node ? instanceOf(node) : undefined;
  return resource ? billedResourceKey(resource) : undefined;
}

/** Which billed lines one attributed row draws on, and with how many bytes. */
export function chargesOf(row: AttributedRow, instanceOf: InstanceOfNode): Charge[] {
  const charges: Charge[] = [];
  const add = (usageClass: UsageClass, resource: string | null | undefined) => {
    if (resource) charges.push({ usageClass, resource: billedResourceKey(resource), bytes: row.bytes });
  };
  if (row.category === "cross_az" || row.subcategory === "cross_az_leg") {
    // Billed once out at the sender's resource and once in at the receiver's (aws-facts.md §4.3).
    add("inter_az_out", endResource(row.src_kind, row.src_node, row.src_resource, instanceOf));
    add("inter_az_in", endResource(row.dst_kind, row.dst_node, row.dst_resource, instanceOf));
  } else if (row.category === "nat") {
    add("nat_bytes", row.nat_gateway);
    add("nat_hours", row.nat_gateway);
  } else if (row.category === "vpc_endpoint") {
    const endpoint = row.src_kind === "vpc_endpoint" ? row.src_resource : row.dst_resource;
    add("vpce_bytes", endpoint);
    add("vpce_hours", endpoint);
  }
  if (row.load_balancer && row.subcategory !== "nodeport") {
    add("lb_hours", row.load_balancer);
    add("lb_lcu", row.load_balancer);
  }
  return charges;
}

const CATEGORY_OF_CLASS: Record<UsageClass, string> = {
  inter_az_out: "cross_az",
  inter_az_in: "cross_az",
  nat_bytes: "nat",
  nat_hours: "nat",
  lb_hours: "lb",
  lb_lcu: "lb",
  vpce_bytes: "vpc_endpoint",
  vpce_hours: "vpc_endpoint",
};

/**
 * Allocates one day's billed network lines to that day's attributed rows.
 *
 * Per billed line (usage class x resource): the transfers that draw on it share its cost in
 * proportion to their list-priced amount (within one line every transfer has the same unit price,
 * so in proportion to bytes; hourly lines such as LB hours are shared by bytes through the
 * resource). For byte lines the share explained is at most observed GB / billed GB: the rest of
 * the line, and every line no transfer draws on, is an `unattributed` row naming the resource.
 * Cents are split by largest remainder, so allocated + unattributed = billed to the cent; the
 * equation is checked and a mismatch throws {@link ReconciliationError}.
 *
 * Without CUR lines for the day the rows keep their list-price estimate (`costBasis: "estimated"`).
 */
export function reconcileDay(
  dt: string,
  attributed: ReadonlyArray<AttributedRow>,
  lines: ReadonlyArray<CurNetworkLine> | undefined,
  instanceOf: InstanceOfNode,
): Reconciliation {
  if (!lines || lines.length === 0) {
    return {
      dt,
      costBasis: "estimated",
      rows: attributed.map((r) => resultRow(r, null, "estimated")),
      unattributed: [],
      billedCents: 0,
      allocatedCents: 0,
      unattributedCents: 0,
      rowLines: attributed.map(() => []),
      lines: [],
    };
  }
  const drawers = new Map<string, Array<{ row: number; bytes: number }>>();
  attributed.forEach((row, index) => {
    for (const c of chargesOf(row, instanceOf)) {
      const key = `${c.usageClass}|${c.resource}`;
      let list = drawers.get(key);
      if (!list) {
        list = [];
        drawers.set(key, list);
      }
      list.push({ row: index, bytes: c.bytes });
    }
  });

  // Several CUR rows (spellings, usage types) can bill one (class, resource): they pool.
  const pooled = new Map<
    string,
    { usageClass: UsageClass; resource: string; raw: string; usage: number; cost: number; types: Set<string> }
  >();
  for (const line of lines) {
    const raw = line.resource_id ?? "";
    const key = `${line.usage_class}|${billedResourceKey(raw)}`;
    const p = pooled.get(key) ?? {
      usageClass: line.usage_class as UsageClass,
      resource: billedResourceKey(raw),
      raw,
      usage: 0,
      cost: 0,
      types: new Set<string>(),
    };
    p.types.add(line.usage_type);
    p.usage += line.usage_amount;
    p.cost += line.cost_usd;
    pooled.set(key, p);
  }
  const pools = [...pooled.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const lineCents = toCentsPreservingTotal(pools.map(([, p]) => p.cost));

  const rowCents = attributed.map(() => 0);
  const rowLines: RowLineCents[][] = attributed.map(() => []);
  const billedLines: BilledLine[] = [];
  const unattributed: ResultRow[] = [];
  pools.forEach(([key, pool], i) => {
    const cents = lineCents[i] ?? 0;
    const list = drawers.get(key) ?? [];
    const observedBytes = list.reduce((s, d) => s + d.bytes, 0);
    let explained = list.length > 0 ? 1 : 0;
    if (explained && BYTE_CLASSES.has(pool.usageClass) && pool.usage > 0) {
      const billedBytes = pool.usage * BYTES_PER_GB;
      // Observed and billed bytes come from different roundings: a relative 1e-9 is the same byte count.
      if (observedBytes < billedBytes * (1 - 1e-9)) explained = observedBytes / billedBytes;
    }
    const allocatedCents = Math.round(cents * explained);
    const parts = allocateUnits(
      allocatedCents,
      list.map((d) => d.bytes),
    );
    parts.forEach((p, k) => {
      const d = list[k];
      if (!d) return;
      rowCents[d.row] = (rowCents[d.row] ?? 0) + p;
      if (p !== 0) rowLines[d.row]?.push({ usageClass: pool.usageClass, resource: pool.resource, cents: p });
    });
    const rest = cents - parts.reduce((s, p) => s + p, 0);
    billedLines.push({
      usageClass: pool.usageClass,
      resource: pool.resource,
      resourceArn: pool.raw,
      usageTypes: [...pool.types].sort(),
      usageAmount: pool.usage,
      cents,
      allocatedCents: cents - rest,
    });
    if (rest !== 0) unattributed.push(unattributedRow(dt, pool.usageClass, pool.raw, rest));
  });

  const rows: ResultRow[] = attributed.map((r, i) => resultRow(r, (rowCents[i] ?? 0) / 100, "billed"));
  const result: Reconciliation = {
    dt,
    costBasis: "billed",
    rows,
    unattributed,
    billedCents: lineCents.reduce((s, c) => s + c, 0),
    allocatedCents: rowCents.reduce((s, c) => s + c, 0),
    unattributedCents: unattributed.reduce((s, r) => s + Math.round((r.billed_cost_usd ?? 0) * 100), 0),
    rowLines,
    lines: billedLines,
  };
  assertReconciled(result, lines);
  return result;
}

/**
 * The reconciliation equation, per day: allocated + unattributed = billed, to the cent, and the
 * billed cents are the CUR lines' total rounded to the cent. Throws naming the day and the gap.
 */
export function assertReconciled(r: Reconciliation, lines: ReadonlyArray<CurNetworkLine>): void {
  if (r.costBasis === "estimated") return;
  const billed = Math.round(lines.reduce((s, l) => s + Math.round(l.cost_usd * 1e6), 0) / 1e4);
  const rowsCents = r.rows.reduce((s, row) => s + Math.round((row.billed_cost_usd ?? 0) * 100), 0);
  const restCents = r.unattributed.reduce((s, row) => s + Math.round((row.billed_cost_usd ?? 0) * 100), 0);
  if (rowsCents + restCents !== billed || r.billedCents !== billed) {
    throw new ReconciliationError(r.dt, billed, rowsCents, restCents);
  }
}

function unattributedRow(dt: string, usageClass: UsageClass, resource: string, cents: number): ResultRow {
  return {
    dt,
    category: "unattributed",
    subcategory: `${CATEGORY_OF_CLASS[usageClass]}:${usageClass}`,
    src_kind: "unattributed",
    src_namespace: null,
    src_workload_kind: null,
    src_workload: null,
    src_ip: null,
    src_az_id: null,
    src_node: null,
    src_resource: resource || null,
    dst_kind: "unattributed",
    dst_namespace: null,
    dst_workload_kind: null,
    dst_workload: null,
    dst_ip: null,
    dst_az_id: null,
    dst_node: null,
    dst_resource: null,
    service: null,
    load_balancer: null,
    nat_gateway: null,
    confidence: "exact",
    bytes: 0,
    list_cost_usd: 0,
    billed_cost_usd: cents / 100,
    cost_basis: "billed",
  };
}
