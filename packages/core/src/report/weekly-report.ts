import { z } from "zod";
import { chargeView } from "../results/charge-view.ts";
import type { DayRow, DaySummary, End } from "../results/day-summary.ts";
import { type IsoWeek, previousIsoWeek } from "./iso-week.ts";

/**
 * The weekly FinOps report's content (issue 14): what the week cost by category against the week
 * before, who is behind it (charge view: every billed dollar has one owner), the remainder nobody
 * explains, the recommendations with their savings, and what the data lacked. Pure: the same days
 * give the same report; renderers (Markdown, CSV here; HTML with charts in @flowcost/publish) only
 * lay it out.
 *
 * Money is summed in whole cents: a billed day's rows carry exact cents, so the report's figures
 * equal the analysis of the same days to the cent. An estimated day (no CUR) counts its list
 * price, rounded to cents once per day and category, and the report says so.
 */

/** Categories in the order a reader expects them; any other category follows. */
export const REPORT_CATEGORIES = [
  "cross_az",
  "nat",
  "lb",
  "vpc_endpoint",
  "internet",
  "unattributed",
] as const;
export const NAT_DESTINATIONS = ["s3", "dynamodb", "aws-other", "internet", "cross_az_leg"] as const;

export interface Delta {
  readonly cents: number;
  readonly previousCents: number;
  readonly deltaCents: number;
  /** Change over the previous week as a fraction; null when the previous week had nothing. */
  readonly deltaFraction: number | null;
}

export interface RankedEntry extends Delta {
  readonly name: string;
  /** Absent in the previous week (with the previous week's days present). */
  readonly isNew: boolean;
}

export interface ReportRecommendation {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly target: string;
  readonly monthlySavingsUsd: number;
  readonly change: string;
  readonly changeFormat: string;
}

export interface WeeklyReport {
  readonly week: IsoWeek;
  readonly previousWeek: IsoWeek;
  /** billed: every day of the week reconciled to the CUR; estimated: none; mixed: some. */
  readonly costBasis: "billed" | "estimated" | "mixed" | "none";
  /** Per day of the week: whether results exist and on what basis. */
  readonly days: ReadonlyArray<{ dt: string; present: boolean; costBasis: "billed" | "estimated" | null }>;
  readonly previousDaysPresent: number;
  readonly total: Delta;
  readonly categories: ReadonlyArray<Delta & { category: string }>;
  readonly natByDestination: ReadonlyArray<Delta & { destination: string; bytes: number }>;
  /** Cents per day and category over both weeks, for the trend chart. */
  readonly daily: ReadonlyArray<{ dt: string; category: string; cents: number }>;
  /**
   * Who pays by account and Region (`<account>/<region>`), for a lake holding several (an
   * Organization's central bucket); empty when the week saw one place or none named.
   */
  readonly byPlace: RankedEntry[];
  readonly topNamespaces: RankedEntry[];
  readonly topWorkloads: RankedEntry[];
  readonly topServices: RankedEntry[];
  readonly topCrossAzPairs: ReadonlyArray<{
    source: string;
    destination: string;
    zones: string;
    bytes: number;
    cents: number;
  }>;
  readonly lbByService: ReadonlyArray<Delta & { service: string; loadBalancer: string | null }>;
  readonly unattributed: {
    readonly cents: number;
    readonly byResource: ReadonlyArray<{ resource: string; subcategory: string | null; cents: number }>;
  };
  readonly coverage: {
    readonly billedCents: number;
    readonly explainedCents: number;
    /** Share of the week's dollars explained by a transfer (1 when nothing was billed). */
    readonly explainedFraction: number;
    readonly bytes: number;
    readonly resolvedBytes: number;
  };
  readonly recommendations: ReportRecommendation[];
  readonly dataQuality: {
    readonly recordsRead: number;
    readonly rejectedByReason: Readonly<Record<string, number>>;
    readonly skipdataRecords: number;
    readonly failedObjects: ReadonlyArray<{ dt: string; file: string; reason: string }>;
    readonly ambiguousBytes: number;
    readonly identityOverlaps: number;
    readonly missedSnapshots: number;
    readonly missingDays: string[];
    /** Days with flow results but no CUR lines: their dollars are list-price estimates. */
    readonly missingCurDays: string[];
    readonly warnings: ReadonlyArray<{ dt: string; code: string; message: string }>;
  };
}

/** The fields of a recommendation the report shows; recs' full schema validates its own files. */
export const reportRecommendationInput = z.looseObject({
  id: z.string(),
  kind: z.string(),
  status: z.string().optional(),
  title: z.string().optional(),
  target: z.looseObject({ namespace: z.string().nullable().optional(), name: z.string() }).optional(),
  estimatedMonthlySavingsUsd: z.number(),
  change: z.looseObject({ format: z.string().optional(), text: z.string().optional() }).optional(),
});
export const recommendationsDocumentInput = z.looseObject({
  dt: z.string().optional(),
  recommendations: z.array(reportRecommendationInput),
});

export interface WeeklyReportInput {
  readonly week: IsoWeek;
  /** Day summaries; days outside the week and the week before are ignored. */
  readonly days: ReadonlyArray<DaySummary>;
  /** The latest recommendations document of the week, when there is one. */
  readonly recommendations?: z.infer<typeof recommendationsDocumentInput>;
  /** Entries per ranked table (default 10). */
  readonly top?: number;
}

/** A label for an end or owner: `shop/catalog` for a pod's workload, `kind:id` otherwise. */
export function endLabel(e: End): string {
  if (e.kind === "pod" || (e.workload && e.namespace && e.kind !== "service"))
    return `${e.namespace ?? "-"}/${e.workload ?? "-"}`;
  if (e.kind === "service")
    return `service:${e.namespace ? `${e.namespace}/` : ""}${e.workload ?? e.id ?? "-"}`;
  if (e.kind === "unattributed") return "unattributed";
  return `${e.kind}:${e.workload ?? e.id ?? "-"}`;
}

/** A row's (or charge's) dollars in cents: billed cents on a billed day, list micro-dollars otherwise. */
const centsOf = (billed: number | null, micros: number) => billed ?? micros / 10_000;

export function buildWeeklyReport(input: WeeklyReportInput): WeeklyReport {
  const top = input.top ?? 10;
  const week = input.week;
  const previousWeek = previousIsoWeek(week);
  const inWeek = (w: IsoWeek) => input.days.filter((d) => d.dt >= w.start && d.dt <= w.end);
  const current = inWeek(week);
  const previous = inWeek(previousWeek);

  // Every sum in fractional cents first, rounded once at the end (exact for billed days).
  const sumBy = <T>(
    days: ReadonlyArray<DaySummary>,
    each: (d: DaySummary, add: (k: T, cents: number) => void) => void,
  ) => {
    const m = new Map<T, number>();
    for (const d of days) each(d, (k, c) => m.set(k, (m.get(k) ?? 0) + c));
    return m;
  };
  const rowCents = (r: DayRow) => centsOf(r.billedCents, r.listCostMicros);
  const delta = (cents: number, previousCents: number): Delta => {
    const c = Math.round(cents);
    const p = Math.round(previousCents);
    return { cents: c, previousCents: p, deltaCents: c - p, deltaFraction: p === 0 ? null : (c - p) / p };
  };

  const byCategory = (days: ReadonlyArray<DaySummary>) =>
    sumBy<string>(days, (d, add) => {
      for (const r of d.rows) if (r.category !== "same_az") add(r.category, rowCents(r));
    });
  const catNow = byCategory(current);
  const catBefore = byCategory(previous);
  const categoryNames = [
    ...REPORT_CATEGORIES,
    ...[...new Set([...catNow.keys(), ...catBefore.keys()])]
      .filter((c) => !(REPORT_CATEGORIES as readonly string[]).includes(c))
      .sort(),
  ];
  const categories = categoryNames
    .map((category) => ({ category, ...delta(catNow.get(category) ?? 0, catBefore.get(category) ?? 0) }))
    .filter(
      (c) =>
        c.cents !== 0 ||
        c.previousCents !== 0 ||
        (REPORT_CATEGORIES as readonly string[]).includes(c.category),
    );
  const total = delta(
    [...catNow.values()].reduce((s, v) => s + v, 0),
    [...catBefore.values()].reduce((s, v) => s + v, 0),
  );

  const natOf = (days: ReadonlyArray<DaySummary>) =>
    sumBy<string>(days, (d, add) => {
      for (const r of d.rows) if (r.category === "nat") add(r.subcategory ?? "other", rowCents(r));
    });
  const natBytes = sumBy<string>(current, (d, add) => {
    for (const r of d.rows) if (r.category === "nat") add(r.subcategory ?? "other", r.bytes);
  });
  const natNow = natOf(current);
  const natBefore = natOf(previous);
  const natByDestination = [...new Set([...NAT_DESTINATIONS, ...natNow.keys(), ...natBefore.keys()])]
    .map((destination) => ({
      destination,
      bytes: natBytes.get(destination) ?? 0,
      ...delta(natNow.get(destination) ?? 0, natBefore.get(destination) ?? 0),
    }))
    .filter((n) => n.cents !== 0 || n.previousCents !== 0 || n.bytes > 0);

  const daily = [...current, ...previous]
    .sort((a, b) => (a.dt < b.dt ? -1 : 1))
    .flatMap((d) => {
      const m = byCategory([d]);
      return [...m].map(([category, cents]) => ({ dt: d.dt, category, cents: Math.round(cents) }));
    });

  // Who pays (charge view): every cent of a row goes to exactly one owner.
  const owners = (
    days: ReadonlyArray<DaySummary>,
    key: (owner: End, row: DayRow, day: DaySummary) => string | null,
  ) =>
    sumBy<string>(days, (d, add) => {
      for (const c of chargeView(d)) {
        if (c.row.category === "same_az") continue;
        const k = key(c.owner, c.row, d);
        if (k !== null) add(k, centsOf(c.billedCents, c.listCostMicros));
      }
    });
  const rank = (now: Map<string, number>, before: Map<string, number>): RankedEntry[] =>
    [...now]
      .map(([name, cents]) => ({
        name,
        ...delta(cents, before.get(name) ?? 0),
        isNew: previous.length > 0 && !before.has(name),
      }))
      .filter((e) => e.cents > 0)
      .sort((a, b) => b.cents - a.cents || (a.name < b.name ? -1 : 1))
      .slice(0, top);
  const ranked = (key: (owner: End, row: DayRow, day: DaySummary) => string | null) =>
    rank(owners(current, key), owners(previous, key));
  const places = ranked((_, row, day) => {
    const account = row.account ?? day.account;
    const region = row.region ?? day.region;
    return account === undefined && region === undefined ? null : `${account ?? "?"}/${region ?? "?"}`;
  });
  const byPlace = places.length > 1 ? places : [];
  const topNamespaces = ranked((o) => o.namespace);
  const topWorkloads = ranked((o) => (o.kind === "unattributed" ? null : endLabel(o)));
  // A Service's cost: every row that went through it (its load balancer, its NodePort hop).
  const services = (days: ReadonlyArray<DaySummary>) =>
    sumBy<string>(days, (d, add) => {
      for (const r of d.rows) if (r.service) add(r.service, rowCents(r));
    });
  const topServices = rank(services(current), services(previous));

  const pairs = new Map<
    string,
    { source: string; destination: string; zones: Map<string, number>; bytes: number; cents: number }
  >();
  for (const d of current)
    for (const r of d.rows) {
      if (r.category !== "cross_az") continue;
      const source = endLabel(r.source);
      const destination = endLabel(r.destination);
      const k = `${source}|${destination}`;
      const p = pairs.get(k) ?? { source, destination, zones: new Map(), bytes: 0, cents: 0 };
      const zone = `${r.source.azId ?? "?"} -> ${r.destination.azId ?? "?"}`;
      p.zones.set(zone, (p.zones.get(zone) ?? 0) + r.bytes);
      p.bytes += r.bytes;
      p.cents += rowCents(r);
      pairs.set(k, p);
    }
  const topCrossAzPairs = [...pairs.values()]
    .map((p) => ({
      source: p.source,
      destination: p.destination,
      zones: [...p.zones]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2)
        .map(([z]) => z)
        .join(", "),
      bytes: p.bytes,
      cents: Math.round(p.cents),
    }))
    .sort((a, b) => b.cents - a.cents || b.bytes - a.bytes)
    .slice(0, top);

  const lbOf = (days: ReadonlyArray<DaySummary>) =>
    sumBy<string>(days, (d, add) => {
      for (const r of d.rows)
        if (r.category === "lb") add(`${r.service ?? "-"}|${r.loadBalancer ?? ""}`, rowCents(r));
    });
  const lbNow = lbOf(current);
  const lbBefore = lbOf(previous);
  const lbByService = [...new Set([...lbNow.keys(), ...lbBefore.keys()])]
    .map((k) => {
      const [service, lb] = k.split("|") as [string, string];
      // `app/<name>/<id>` as the console shows it, not the whole ARN.
      const shortLb = lb.replace(/^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:loadbalancer\//, "");
      return { service, loadBalancer: shortLb || null, ...delta(lbNow.get(k) ?? 0, lbBefore.get(k) ?? 0) };
    })
    .sort((a, b) => b.cents - a.cents);

  const unattributedRows = sumBy<string>(current, (d, add) => {
    for (const r of d.rows)
      if (r.category === "unattributed")
        add(`${r.source.id ?? r.source.workload ?? "-"}|${r.subcategory ?? ""}`, rowCents(r));
  });
  const unattributedCents = Math.round([...unattributedRows.values()].reduce((s, v) => s + v, 0));
  const traffic = current.flatMap((d) => d.rows.filter((r) => r.category !== "unattributed"));
  const resolved = (e: End) => e.kind !== "unknown";
  const bytes = traffic.reduce((s, r) => s + r.bytes, 0);

  const week7 = week.days.map((dt) => {
    const d = current.find((x) => x.dt === dt);
    return { dt, present: d !== undefined, costBasis: d ? d.costBasis : null };
  });
  const present = week7.filter((d) => d.present);
  const costBasis =
    present.length === 0
      ? "none"
      : present.every((d) => d.costBasis === "billed")
        ? "billed"
        : present.every((d) => d.costBasis === "estimated")
          ? "estimated"
          : "mixed";

  const recommendations = (input.recommendations?.recommendations ?? [])
    .filter((r) => r.estimatedMonthlySavingsUsd > 0 && (r.status === undefined || r.status === "recommended"))
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title ?? r.kind,
      target: r.target ? `${r.target.namespace ? `${r.target.namespace}/` : ""}${r.target.name}` : "-",
      monthlySavingsUsd: r.estimatedMonthlySavingsUsd,
      change: r.change?.text ?? "",
      changeFormat: r.change?.format ?? "none",
    }))
    .sort((a, b) => b.monthlySavingsUsd - a.monthlySavingsUsd || (a.id < b.id ? -1 : 1));

  const rejectedByReason: Record<string, number> = {};
  for (const d of current)
    for (const [reason, n] of Object.entries(d.ledger?.rejectedByReason ?? {}))
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + n;

  return {
    week,
    previousWeek,
    costBasis,
    days: week7,
    previousDaysPresent: previous.length,
    total,
    categories,
    natByDestination,
    daily,
    byPlace,
    topNamespaces,
    topWorkloads,
    topServices,
    topCrossAzPairs,
    lbByService,
    unattributed: {
      cents: unattributedCents,
      byResource: [...unattributedRows]
        .map(([k, cents]) => {
          const [resource, sub] = k.split("|") as [string, string];
          return { resource, subcategory: sub || null, cents: Math.round(cents) };
        })
        .sort((a, b) => b.cents - a.cents),
    },
    coverage: {
      billedCents: total.cents,
      explainedCents: total.cents - unattributedCents,
      explainedFraction: total.cents === 0 ? 1 : (total.cents - unattributedCents) / total.cents,
      bytes,
      resolvedBytes: traffic
        .filter((r) => resolved(r.source) && resolved(r.destination))
        .reduce((s, r) => s + r.bytes, 0),
    },
    recommendations,
    dataQuality: {
      recordsRead: current.reduce((s, d) => s + (d.ledger?.read ?? 0), 0),
      rejectedByReason,
      skipdataRecords: current.reduce((s, d) => s + (d.ledger?.skipdata ?? 0), 0),
      failedObjects: current.flatMap((d) =>
        (d.ledger?.failedObjects ?? []).map((f) => ({ dt: d.dt, file: f.file, reason: f.reason })),
      ),
      ambiguousBytes: traffic.filter((r) => r.confidence === "ambiguous").reduce((s, r) => s + r.bytes, 0),
      identityOverlaps: current.reduce((s, d) => s + d.identity.reduce((t, i) => t + i.overlaps, 0), 0),
      missedSnapshots: current.reduce((s, d) => s + d.identity.reduce((t, i) => t + i.missedSnapshots, 0), 0),
      missingDays: week7.filter((d) => !d.present).map((d) => d.dt),
      missingCurDays: week7.filter((d) => d.costBasis === "estimated").map((d) => d.dt),
      warnings: current.flatMap((d) => d.warnings.map((w) => ({ dt: d.dt, ...w }))),
    },
  };
}
