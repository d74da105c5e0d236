/**
 * The daily cost series regression detection watches. A day is a list of charge lines (the charge
 * view: every billed dollar with one owner), each with the flow that caused it, so that a jump in
 * a series can be explained by the flows and workloads behind it.
 */

/** One owner's charge for one flow on one day, as the charge view gives it. */
export interface ChargeLine {
  /** cross_az, nat, lb, vpc_endpoint, internet, unattributed (same_az costs nothing). */
  readonly category: string;
  readonly subcategory: string | null;
  /** Who pays this dollar: its namespace, and the workload (`shop/catalog`, `node:ip-10-0-0-10...`). */
  readonly namespace: string | null;
  readonly workload: string | null;
  readonly service: string | null;
  readonly costUsd: number;
  readonly bytes: number;
  /** The flow: both ends as labels (`shop/catalog`, `aws_service:S3`, ...) and their AZ IDs. */
  readonly source: string;
  readonly destination: string;
  readonly sourceAz: string | null;
  readonly destinationAz: string | null;
}

export interface DayCharges {
  /** UTC day, `YYYY-MM-DD`. */
  readonly dt: string;
  /** billed: reconciled to the CUR; estimated: list prices without one. */
  readonly costBasis: "billed" | "estimated";
  readonly lines: ReadonlyArray<ChargeLine>;
}

export type SeriesDimension = "category" | "namespace" | "workload" | "service";

export interface SeriesId {
  readonly dimension: SeriesDimension;
  /** The value within the dimension: `cross_az`, `shop`, `shop/catalog`, `payments/api-public`. */
  readonly value: string;
}

/** `workload:shop/catalog`: the key cooldown state is kept under. */
export const seriesKey = (s: SeriesId): string => `${s.dimension}:${s.value}`;

/** The series a charge line counts in: its category, and its owner's namespace, workload, Service. */
export function seriesOf(line: ChargeLine): SeriesId[] {
  const out: SeriesId[] = [{ dimension: "category", value: line.category }];
  if (line.namespace !== null) out.push({ dimension: "namespace", value: line.namespace });
  if (line.workload !== null) out.push({ dimension: "workload", value: line.workload });
  if (line.service !== null) out.push({ dimension: "service", value: line.service });
  return out;
}

/** Dollars per series key for one day. */
export function seriesTotals(day: DayCharges): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of day.lines)
    for (const s of seriesOf(line)) totals.set(seriesKey(s), (totals.get(seriesKey(s)) ?? 0) + line.costUsd);
  return totals;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: ReadonlyArray<number>): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The UTC day `n` days after `dt` (negative: before). */
export function addDays(dt: string, n: number): string {
  return new Date(Date.parse(`${dt}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
