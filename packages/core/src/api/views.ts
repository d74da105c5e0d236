import { type OwnedRow, trafficView, viewRows } from "../results/charge-view.ts";
import type { DayRow, DaySummary, End } from "../results/day-summary.ts";
import type { CostsParams, Dimension, FlowsParams } from "./params.ts";

/**
 * The aggregations behind the routes, pure over day documents: groups of the charge or traffic
 * view, flow pairs, coverage. Money is summed in integers (cents, micro-dollars) and turned into
 * dollars once, at the end, so a total is exact and prints without float noise.
 */

/** A window of days as the routes read it: the documents present and the days without one. */
export interface LoadedWindow {
  readonly from: string;
  readonly to: string;
  readonly days: ReadonlyArray<DaySummary>;
  /** Days inside the window with no results document. */
  readonly missingDays: ReadonlyArray<string>;
}

/** How an end is named in groups and pairs: `namespace/workload` for pods, `kind:name` otherwise. */
export function ownerLabel(e: Pick<End, "kind" | "id" | "namespace" | "workload">): string {
  if (e.kind === "pod") return `${e.namespace ?? "-"}/${e.workload ?? e.id ?? "?"}`;
  if (e.kind === "service") return `service:${e.namespace ?? "-"}/${e.workload ?? "?"}`;
  const name = e.workload ?? e.id;
  return name ? `${e.kind}:${name}` : e.kind;
}

/** Whole cents to dollars, exactly as decimal text prints them. */
export const usdOfCents = (cents: number) => cents / 100;
export const usdOfMicros = (micros: number) => micros / 1e6;

/** What a group of rows adds up to. */
interface Totals {
  bytes: number;
  billedCents: number;
  listMicros: number;
  /** Billed where billed, list price where estimated, in micro-dollars. */
  costMicros: number;
  billed: boolean;
  estimated: boolean;
  confidence: Record<string, number>;
}

const emptyTotals = (): Totals => ({
  bytes: 0,
  billedCents: 0,
  listMicros: 0,
  costMicros: 0,
  billed: false,
  estimated: false,
  confidence: {},
});

function add(t: Totals, bytes: number, billedCents: number | null, listMicros: number, confidence: string) {
  t.bytes += bytes;
  t.listMicros += listMicros;
  if (billedCents === null) {
    t.estimated = true;
    t.costMicros += listMicros;
  } else {
    t.billed = true;
    t.billedCents += billedCents;
    t.costMicros += billedCents * 10_000;
  }
  t.confidence[confidence] = (t.confidence[confidence] ?? 0) + bytes;
}

export interface MoneyFigures {
  readonly bytes: number;
  readonly listCostUsd: number;
  readonly billedCostUsd: number | null;
  readonly costUsd: number;
  readonly costBasis: "billed" | "estimated" | "mixed";
  /** Bytes by confidence (exact, node, ambiguous). */
  readonly confidence: Readonly<Record<string, number>>;
}

function figures(t: Totals): MoneyFigures {
  return {
    bytes: t.bytes,
    listCostUsd: usdOfMicros(t.listMicros),
    billedCostUsd: t.billed ? usdOfCents(t.billedCents) : null,
    costUsd: usdOfMicros(t.costMicros),
    costBasis: t.billed && t.estimated ? "mixed" : t.billed ? "billed" : "estimated",
    confidence: Object.fromEntries(Object.entries(t.confidence).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** The cluster of a row: its own, or the day's when the day saw one cluster. */
function clusterOf(row: DayRow, day: DaySummary): string | null {
  return row.cluster ?? (day.identity.length === 1 ? (day.identity[0]?.cluster ?? null) : null);
}

/** The account and Region of a row: its own, or the day's (a day of one place names it once). */
const accountOf = (row: DayRow, day: DaySummary): string | null => row.account ?? day.account ?? null;
const regionOf = (row: DayRow, day: DaySummary): string | null => row.region ?? day.region ?? null;

/** The filters every route shares that look at the row and its day only. */
function placeMatches(
  row: DayRow,
  day: DaySummary,
  params: { cluster?: string; account?: string; region?: string },
): boolean {
  return (
    (params.cluster === undefined || clusterOf(row, day) === params.cluster) &&
    (params.account === undefined || accountOf(row, day) === params.account) &&
    (params.region === undefined || regionOf(row, day) === params.region)
  );
}

function labelsOf(day: DaySummary): Map<string, Readonly<Record<string, string>>> {
  return new Map((day.workloads ?? []).map((w) => [`${w.namespace}/${w.workload}`, w.labels]));
}

function dimensionValue(
  dim: Dimension,
  o: OwnedRow,
  day: DaySummary,
  labels: Map<string, Readonly<Record<string, string>>>,
): string | null {
  switch (dim) {
    case "account":
      return accountOf(o.row, day);
    case "region":
      return regionOf(o.row, day);
    case "cluster":
      return clusterOf(o.row, day);
    case "namespace":
      return o.owner.namespace;
    case "workload":
      return ownerLabel(o.owner);
    case "service":
      return o.row.service;
    case "node":
      return o.owner.node ?? (o.owner.kind === "node" ? (o.owner.workload ?? o.owner.id) : null);
    case "az":
      return o.owner.azId;
    case "category":
      return o.row.category;
    case "subcategory":
      return o.row.subcategory;
    default: {
      const key = dim.slice("label:".length);
      if (o.owner.kind !== "pod" || !o.owner.workload) return null;
      return labels.get(`${o.owner.namespace ?? ""}/${o.owner.workload}`)?.[key] ?? null;
    }
  }
}

const csv = (s: string | undefined) => (s === undefined ? undefined : new Set(s.split(",")));

export interface Ranked<T> {
  readonly item: T;
  readonly costMicros: number;
  readonly bytes: number;
  readonly sortKey: string;
}

/** The one order of groups and flows: cost, then bytes, descending, then by name; total, so paging is stable. */
export function rank<T>(items: Ranked<T>[]): Ranked<T>[] {
  return items.sort(
    (a, b) =>
      b.costMicros - a.costMicros ||
      b.bytes - a.bytes ||
      (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0),
  );
}

export interface CostGroup extends MoneyFigures {
  readonly key: Readonly<Record<string, string | null>>;
  readonly share: number;
}

export interface CostsResult {
  readonly view: "charge" | "traffic";
  readonly side: "source" | "destination" | "both" | null;
  readonly totals: MoneyFigures & { readonly groups: number };
  readonly ranked: Ranked<Omit<CostGroup, "share">>[];
  readonly totalCostMicros: number;
}

/**
 * `/costs`: the window's rows in the charge view (every dollar to one owner, so the groups sum to
 * the bill) or the traffic view (`side`), filtered, grouped by one or two dimensions, ranked.
 */
export function costGroups(window: LoadedWindow, params: CostsParams): CostsResult {
  const dims = params.groupBy.split(",") as Dimension[];
  const categories = csv(params.category);
  const namespaces = csv(params.namespace);
  const groups = new Map<string, { key: Record<string, string | null>; t: Totals }>();
  const all = emptyTotals();
  for (const day of window.days) {
    const labels = labelsOf(day);
    const owned = params.side === undefined ? viewRows(day, "charge") : trafficView(day, params.side);
    for (const o of owned) {
      if (categories && !categories.has(o.row.category)) continue;
      if (namespaces && !namespaces.has(o.owner.namespace ?? "")) continue;
      if (!placeMatches(o.row, day, params)) continue;
      const key = Object.fromEntries(dims.map((d) => [d, dimensionValue(d, o, day, labels)]));
      const id = JSON.stringify(dims.map((d) => key[d]));
      let g = groups.get(id);
      if (!g) {
        g = { key, t: emptyTotals() };
        groups.set(id, g);
      }
      add(g.t, o.bytes, o.billedCents, o.listCostMicros, o.row.confidence);
      add(all, o.bytes, o.billedCents, o.listCostMicros, o.row.confidence);
    }
  }
  const ranked = rank(
    [...groups].map(([id, g]) => ({
      item: { key: g.key, ...figures(g.t) },
      costMicros: g.t.costMicros,
      bytes: g.t.bytes,
      sortKey: id,
    })),
  );
  return {
    view: params.side === undefined ? "charge" : "traffic",
    side: params.side ?? null,
    totals: { ...figures(all), groups: groups.size },
    ranked,
    totalCostMicros: all.costMicros,
  };
}

export interface FlowEnd {
  readonly label: string;
  readonly kind: string;
  readonly namespace: string | null;
  readonly workloadKind: string | null;
  readonly workload: string | null;
  readonly azId: string | null;
}

export interface Flow extends MoneyFigures {
  readonly category: string;
  readonly subcategory: string | null;
  readonly source: FlowEnd;
  readonly destination: FlowEnd;
  readonly service: string | null;
}

const flowEnd = (e: End): FlowEnd => ({
  label: ownerLabel(e),
  kind: e.kind,
  namespace: e.namespace,
  workloadKind: e.workloadKind,
  workload: e.workload,
  azId: e.azId,
});

/**
 * `/flows`: the window's rows as pairs (category, both ends with their AZ IDs), each transfer
 * counted once, so the pairs also sum to the bill. `namespace` applies to the end `side` names.
 */
export function flowPairs(
  window: LoadedWindow,
  params: FlowsParams,
): { ranked: Ranked<Flow>[]; totals: MoneyFigures & { groups: number } } {
  const categories = csv(params.category);
  const namespaces = csv(params.namespace);
  const pairs = new Map<string, { row: DayRow; services: Set<string | null>; t: Totals }>();
  const all = emptyTotals();
  for (const day of window.days) {
    for (const row of day.rows) {
      if (categories && !categories.has(row.category)) continue;
      if (!placeMatches(row, day, params)) continue;
      if (namespaces) {
        const src = namespaces.has(row.source.namespace ?? "");
        const dst = namespaces.has(row.destination.namespace ?? "");
        if (params.side === "source" ? !src : params.side === "destination" ? !dst : !src && !dst) continue;
      }
      const id = JSON.stringify([
        row.category,
        row.subcategory,
        ownerLabel(row.source),
        row.source.azId,
        ownerLabel(row.destination),
        row.destination.azId,
      ]);
      let p = pairs.get(id);
      if (!p) {
        p = { row, services: new Set(), t: emptyTotals() };
        pairs.set(id, p);
      }
      p.services.add(row.service);
      add(p.t, row.bytes, row.billedCents, row.listCostMicros, row.confidence);
      add(all, row.bytes, row.billedCents, row.listCostMicros, row.confidence);
    }
  }
  const ranked = rank(
    [...pairs].map(([id, p]) => ({
      item: {
        category: p.row.category,
        subcategory: p.row.subcategory,
        source: flowEnd(p.row.source),
        destination: flowEnd(p.row.destination),
        service: p.services.size === 1 ? ([...p.services][0] ?? null) : null,
        ...figures(p.t),
      },
      costMicros: p.t.costMicros,
      bytes: p.t.bytes,
      sortKey: id,
    })),
  );
  return { ranked, totals: { ...figures(all), groups: pairs.size } };
}

/** `/coverage`: the data-quality view of a window, per day and in total. */
export function coverage(window: LoadedWindow) {
  const unattributed = new Map<
    string,
    { resourceId: string; usageClass: string; cents: number; days: Set<string> }
  >();
  const days = window.days.map((d) => {
    let bytes = 0;
    let resolved = 0;
    for (const r of d.rows) {
      if (r.category === "unattributed") {
        for (const c of r.charges) {
          const key = `${c.usageClass}|${c.resourceId ?? ""}`;
          const u = unattributed.get(key) ?? {
            resourceId: c.resourceId ?? "",
            usageClass: c.usageClass,
            cents: 0,
            days: new Set<string>(),
          };
          u.cents += c.billedCents ?? 0;
          u.days.add(d.dt);
          unattributed.set(key, u);
        }
        continue;
      }
      bytes += r.bytes;
      const known = (e: End) => e.kind !== "unknown";
      if (known(r.source) && known(r.destination)) resolved += r.bytes;
    }
    return {
      date: d.dt,
      costBasis: d.costBasis,
      hasCur: d.costBasis === "billed",
      reconciliation: {
        billedCostUsd: usdOfCents(d.reconciliation.billedCents),
        allocatedCostUsd: usdOfCents(d.reconciliation.allocatedCents),
        unattributedCostUsd: usdOfCents(d.reconciliation.unattributedCents),
      },
      bytes,
      resolvedBytes: resolved,
      resolvedFraction: bytes === 0 ? 1 : resolved / bytes,
      ledger: d.ledger,
      identity: d.identity,
      warnings: d.warnings,
    };
  });
  const sum = (f: (d: (typeof days)[number]) => number) => days.reduce((s, d) => s + f(d), 0);
  const ledgers = window.days.flatMap((d) => (d.ledger ? [d.ledger] : []));
  const rejectedByReason: Record<string, number> = {};
  for (const l of ledgers)
    for (const [reason, n] of Object.entries(l.rejectedByReason))
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + n;
  return {
    totals: {
      bytes: sum((d) => d.bytes),
      resolvedBytes: sum((d) => d.resolvedBytes),
      billedCostUsd: usdOfCents(window.days.reduce((s, d) => s + d.reconciliation.billedCents, 0)),
      unattributedCostUsd: usdOfCents(
        window.days.reduce((s, d) => s + d.reconciliation.unattributedCents, 0),
      ),
      ledger:
        ledgers.length === 0
          ? null
          : {
              read: ledgers.reduce((s, l) => s + l.read, 0),
              used: ledgers.reduce((s, l) => s + l.used, 0),
              nodata: ledgers.reduce((s, l) => s + l.nodata, 0),
              skipdata: ledgers.reduce((s, l) => s + l.skipdata, 0),
              rejected: ledgers.reduce((s, l) => s + l.rejected, 0),
              rejectedByReason,
            },
      identityOverlaps: window.days.reduce((s, d) => s + d.identity.reduce((t, i) => t + i.overlaps, 0), 0),
      missedSnapshots: window.days.reduce(
        (s, d) => s + d.identity.reduce((t, i) => t + i.missedSnapshots, 0),
        0,
      ),
    },
    daysWithoutCur: window.days.filter((d) => d.costBasis === "estimated").map((d) => d.dt),
    daysWithoutResults: [...window.missingDays],
    unattributedByResource: [...unattributed.values()]
      .sort((a, b) => b.cents - a.cents || (a.resourceId < b.resourceId ? -1 : 1))
      .map((u) => ({
        resourceId: u.resourceId,
        usageClass: u.usageClass,
        billedCostUsd: usdOfCents(u.cents),
        days: [...u.days].sort(),
      })),
    days,
  };
}
