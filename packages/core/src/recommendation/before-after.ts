import type { ResultRow } from "../allocation/reconcile.ts";
import type { AppliedChange, RecommendationInput } from "./context.ts";
import type { BeforeAfter } from "./types.ts";

/** Unix seconds of an AWS timestamp (`CreationTimestamp`, `CreateTime`), when it parses. */
export function awsTime(value: unknown): number | undefined {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** A VPC endpoint's creation splits the window: the rows' cost before it, and after. */
export function endpointBeforeAfter(
  input: RecommendationInput,
  endpoint: { VpcEndpointId: string; CreationTimestamp?: string },
  rows: ReadonlyArray<ResultRow>,
): BeforeAfter | null {
  const created = awsTime(endpoint.CreationTimestamp);
  return created === undefined
    ? null
    : beforeAfterOf(input, { appliedAt: created, observed: `${endpoint.VpcEndpointId} created` }, rows);
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Measured cost of the rows a change targets, per day of measured time (24 h), on the days wholly
 * before the first snapshot showing the change and on the days wholly after it (a day the change
 * fell inside mixes both and is left out).
 */
export function beforeAfterOf(
  input: RecommendationInput,
  change: Pick<AppliedChange, "appliedAt" | "observed">,
  rows: ReadonlyArray<ResultRow>,
): BeforeAfter {
  const before = input.days.filter((d) => d.to <= change.appliedAt);
  const after = input.days.filter((d) => d.from >= change.appliedAt);
  const daily = (days: typeof before) => {
    const seconds = days.reduce((s, d) => s + (d.to - d.from), 0);
    if (seconds <= 0) return { cost: null, bytes: null };
    const set = new Set(days.map((d) => d.dt));
    const rs = rows.filter((r) => set.has(r.dt));
    return {
      cost: (rs.reduce((s, r) => s + r.list_cost_usd, 0) * 86400) / seconds,
      bytes: (rs.reduce((s, r) => s + r.bytes, 0) * 86400) / seconds,
    };
  };
  const b = daily(before);
  const a = daily(after);
  return {
    appliedAt: iso(change.appliedAt),
    observed: change.observed,
    beforeDays: before.map((d) => d.dt),
    afterDays: after.map((d) => d.dt),
    beforeDailyCostUsd: b.cost,
    afterDailyCostUsd: a.cost,
    beforeDailyBytes: b.bytes,
    afterDailyBytes: a.bytes,
  };
}
