import { z } from "zod";
import type { DaySummary } from "../results/day-summary.ts";
import type { DayCharges } from "./series.ts";

/**
 * Cost Explorer as the account-level early signal and a cross-check of the CUR (aws-facts.md §5):
 * `GetCostAndUsage`, DAILY, grouped by usage type group, for inter-AZ transfer and the NAT
 * gateway's processing and hours. Its data lags about a day, but it is there before the flows are
 * compacted and attributed, and its totals must match the CUR's lines for the same day.
 * Each page costs $0.01, so the adapter caches what it fetched under `state/cost-explorer/`.
 */
export const CE_GROUPS = {
  interAz: "EC2: Data Transfer - Inter AZ",
  natProcessed: "EC2: NAT Gateway - Data Processed",
  natHours: "EC2: NAT Gateway - Running Hours",
} as const;
export type CeGroup = keyof typeof CE_GROUPS;

export const ceDailyCostSchema = z.object({
  dt: z.string(),
  group: z.enum(["interAz", "natProcessed", "natHours"]),
  usd: z.number(),
  /** Cost Explorer marks days whose figures may still change (`Estimated`). */
  estimated: z.boolean(),
});
export type CeDailyCost = z.infer<typeof ceDailyCostSchema>;

/** The cache document: what was fetched for which period, and when (Unix seconds of the run). */
export const ceCacheSchema = z.object({
  version: z.literal(1),
  start: z.string(),
  end: z.string(),
  fetchedAt: z.number(),
  pages: z.int().nonnegative(),
  days: z.array(ceDailyCostSchema),
});
export type CeCache = z.infer<typeof ceCacheSchema>;

/** The part of a `GetCostAndUsage` page read here (the SDK's `ResultsByTime`). */
const resultsByTime = z.array(
  z.looseObject({
    TimePeriod: z.looseObject({ Start: z.string() }),
    Estimated: z.boolean().optional(),
    Groups: z
      .array(
        z.looseObject({
          Keys: z.array(z.string()),
          Metrics: z.record(z.string(), z.looseObject({ Amount: z.string() })).optional(),
        }),
      )
      .optional(),
  }),
);

const GROUP_OF = new Map<string, CeGroup>(Object.entries(CE_GROUPS).map(([k, v]) => [v, k as CeGroup]));

/**
 * Daily cost per group from the pages of one paged request (DAILY, grouped by USAGE_TYPE_GROUP,
 * metric UnblendedCost). Pages may split a day's groups: amounts are summed.
 */
export function parseCostExplorerPages(pages: ReadonlyArray<unknown>): CeDailyCost[] {
  const out = new Map<string, CeDailyCost>();
  for (const page of pages) {
    for (const period of resultsByTime.parse(page)) {
      for (const g of period.Groups ?? []) {
        const group = GROUP_OF.get(g.Keys[0] ?? "");
        if (!group) continue;
        const usd = Number(g.Metrics?.UnblendedCost?.Amount ?? 0);
        const k = `${period.TimePeriod.Start}|${group}`;
        const prev = out.get(k);
        out.set(k, {
          dt: period.TimePeriod.Start,
          group,
          usd: (prev?.usd ?? 0) + (Number.isFinite(usd) ? usd : 0),
          estimated: period.Estimated ?? false,
        });
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.dt < b.dt ? -1 : a.dt > b.dt ? 1 : a.group < b.group ? -1 : 1));
}

/**
 * Cost Explorer's days as charge lines with no owner (account-wide), for the early signal: the
 * same detection then flags `account:inter_az` or `account:nat` jumping before attribution.
 */
export function costExplorerDayCharges(days: ReadonlyArray<CeDailyCost>): DayCharges[] {
  const byDay = new Map<string, DayCharges["lines"][number][]>();
  for (const d of days) {
    const category = d.group === "interAz" ? "account:inter_az" : "account:nat";
    const lines = byDay.get(d.dt) ?? [];
    lines.push({
      category,
      subcategory: d.group,
      namespace: null,
      workload: null,
      service: null,
      costUsd: d.usd,
      bytes: 0,
      source: "Cost Explorer",
      destination: CE_GROUPS[d.group],
      sourceAz: null,
      destinationAz: null,
    });
    byDay.set(d.dt, lines);
  }
  return [...byDay]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([dt, lines]) => ({ dt, costBasis: "billed" as const, lines }));
}

export interface CurCrossCheck {
  readonly dt: string;
  readonly what: "inter_az" | "nat";
  readonly costExplorerUsd: number;
  readonly curUsd: number;
  readonly differenceUsd: number;
}

const INTER_AZ = new Set(["inter_az_out", "inter_az_in"]);
const NAT = new Set(["nat_bytes", "nat_hours"]);

/** A day's billed dollars on inter-AZ lines and on NAT gateway lines, from its charges' line classes. */
export function curNetworkTotals(summary: DaySummary): { interAzUsd: number; natUsd: number } {
  let interAz = 0;
  let nat = 0;
  for (const row of summary.rows)
    for (const c of row.charges) {
      if (c.billedCents === null) continue;
      // Each charge is billed on one line class (unattributed remainders included).
      if (INTER_AZ.has(c.usageClass)) interAz += c.billedCents;
      else if (NAT.has(c.usageClass)) nat += c.billedCents;
    }
  return { interAzUsd: interAz / 100, natUsd: nat / 100 };
}

/**
 * Days where Cost Explorer and the CUR disagree by more than the tolerance (the larger of
 * `toleranceUsd` and `toleranceFraction` of the CUR's figure): a data-quality finding, not an
 * alert. Only billed days Cost Explorer no longer marks as estimated are compared.
 */
export function crossCheckCur(
  ce: ReadonlyArray<CeDailyCost>,
  summaries: ReadonlyArray<DaySummary>,
  tolerance: { toleranceUsd: number; toleranceFraction: number } = {
    toleranceUsd: 1,
    toleranceFraction: 0.02,
  },
): CurCrossCheck[] {
  const findings: CurCrossCheck[] = [];
  for (const s of summaries) {
    if (s.costBasis !== "billed") continue;
    const day = ce.filter((d) => d.dt === s.dt && !d.estimated);
    if (day.length === 0) continue;
    const cur = curNetworkTotals(s);
    const pairs: Array<[CurCrossCheck["what"], number, number]> = [
      ["inter_az", day.filter((d) => d.group === "interAz").reduce((t, d) => t + d.usd, 0), cur.interAzUsd],
      ["nat", day.filter((d) => d.group !== "interAz").reduce((t, d) => t + d.usd, 0), cur.natUsd],
    ];
    for (const [what, ceUsd, curUsd] of pairs) {
      const difference = ceUsd - curUsd;
      if (
        Math.abs(difference) >
        Math.max(tolerance.toleranceUsd, tolerance.toleranceFraction * Math.abs(curUsd))
      )
        findings.push({ dt: s.dt, what, costExplorerUsd: ceUsd, curUsd, differenceUsd: difference });
    }
  }
  return findings;
}
