import {
  addDays,
  type ChargeLine,
  type DayCharges,
  median,
  type SeriesId,
  seriesKey,
  seriesOf,
  seriesTotals,
} from "./series.ts";

export interface RegressionThresholds {
  /** Dollars per day the series must rise by over its baseline (default 5). */
  readonly absoluteUsd: number;
  /** Fraction over the baseline the series must rise by (default 0.25 = 25%). */
  readonly relative: number;
  /** Trailing days the baseline's median is taken over (default 14). */
  readonly baselineDays: number;
  /** Flows and workloads named per regression (default 3 each). */
  readonly topCauses: number;
}

export const DEFAULT_THRESHOLDS: RegressionThresholds = {
  absoluteUsd: 5,
  relative: 0.25,
  baselineDays: 14,
  topCauses: 3,
};

export interface RegressionCause {
  /** `shop/catalog -> analytics/exporter` for a flow, `analytics/exporter` for a workload. */
  readonly label: string;
  readonly increaseUsd: number;
  /** Share of the series' increase this cause explains (0..1; causes may overlap). */
  readonly share: number;
}

export interface FlowCause extends RegressionCause {
  readonly category: string;
  readonly source: string;
  readonly destination: string;
  readonly sourceAz: string | null;
  readonly destinationAz: string | null;
}

export interface Regression {
  readonly dt: string;
  readonly series: SeriesId;
  readonly key: string;
  readonly costUsd: number;
  /** The median of the series over the baseline days (0 for a new series). */
  readonly baselineUsd: number;
  /** How many days the baseline was taken over (fewer than `baselineDays` when history is short). */
  readonly baselineDayCount: number;
  readonly increaseUsd: number;
  /** Increase over the baseline as a fraction; null for a series new this day. */
  readonly increaseFraction: number | null;
  /** No cost in any baseline day: judged against a zero baseline and the absolute threshold alone. */
  readonly isNew: boolean;
  readonly costBasis: "billed" | "estimated";
  readonly topFlows: FlowCause[];
  readonly topWorkloads: RegressionCause[];
  /** API paths with the filters filled in (relative unless an API base URL is given). */
  readonly links: { readonly costs: string; readonly flows: string };
}

export interface DetectionResult {
  readonly dt: string;
  /** Days the baseline was taken over (present in the history, within the trailing window). */
  readonly baselineDays: string[];
  readonly regressions: Regression[];
  /** Every series' cost on the day and its baseline, for all-clear messages and the CLI's JSON. */
  readonly series: ReadonlyArray<{ key: string; series: SeriesId; costUsd: number; baselineUsd: number }>;
}

const flowKey = (l: ChargeLine) =>
  [l.category, l.source, l.destination, l.sourceAz ?? "", l.destinationAz ?? ""].join("|");
const workloadOf = (l: ChargeLine) => l.workload;

/**
 * Regressions of day `dt` (default: the last day of `history`): every series (category, namespace,
 * workload, Service) against the median of its own trailing `baselineDays` days. Days missing from
 * the history are left out of the baseline, not counted as zero; a series absent on a present day
 * counts zero there. A regression passes both thresholds; a series with no cost on any baseline day
 * passes on the absolute threshold alone. With no baseline day at all nothing is judged.
 *
 * @example detectRegressions(days, { absoluteUsd: 5, relative: 0.25 }).regressions
 */
export function detectRegressions(
  history: ReadonlyArray<DayCharges>,
  options: Partial<RegressionThresholds> & { readonly dt?: string; readonly apiBaseUrl?: string } = {},
): DetectionResult {
  const t = { ...DEFAULT_THRESHOLDS, ...options };
  const sorted = [...history].sort((a, b) => (a.dt < b.dt ? -1 : 1));
  const dt = options.dt ?? sorted[sorted.length - 1]?.dt;
  const today = sorted.find((d) => d.dt === dt);
  if (dt === undefined || today === undefined)
    return { dt: dt ?? "", baselineDays: [], regressions: [], series: [] };
  const first = addDays(dt, -t.baselineDays);
  const baseline = sorted.filter((d) => d.dt >= first && d.dt < dt);
  const baselineTotals = baseline.map(seriesTotals);
  const todayTotals = seriesTotals(today);

  const ids = new Map<string, SeriesId>();
  for (const line of today.lines) for (const s of seriesOf(line)) ids.set(seriesKey(s), s);
  const series = [...ids].map(([key, id]) => ({
    key,
    series: id,
    costUsd: todayTotals.get(key) ?? 0,
    baselineUsd: median(baselineTotals.map((totals) => totals.get(key) ?? 0)),
    seenBefore: baselineTotals.some((totals) => (totals.get(key) ?? 0) > 0),
  }));

  const regressions: Regression[] = [];
  if (baseline.length > 0) {
    for (const s of series) {
      const increase = s.costUsd - s.baselineUsd;
      const isNew = !s.seenBefore;
      const relativeOk = s.baselineUsd <= 0 || increase / s.baselineUsd >= t.relative;
      if (increase < t.absoluteUsd || !relativeOk) continue;
      const inSeries = (l: ChargeLine) => seriesOf(l).some((x) => seriesKey(x) === s.key);
      const causes = explain(
        today.lines.filter(inSeries),
        baseline.map((d) => d.lines.filter(inSeries)),
        increase,
        t.topCauses,
      );
      regressions.push({
        dt,
        series: s.series,
        key: s.key,
        costUsd: s.costUsd,
        baselineUsd: s.baselineUsd,
        baselineDayCount: baseline.length,
        increaseUsd: increase,
        increaseFraction: isNew || s.baselineUsd <= 0 ? null : increase / s.baselineUsd,
        isNew,
        costBasis: today.costBasis,
        ...causes,
        links: apiLinks(dt, s.series, options.apiBaseUrl),
      });
    }
  }
  const order = { category: 0, namespace: 1, workload: 2, service: 3 } as const;
  regressions.sort(
    (a, b) =>
      order[a.series.dimension] - order[b.series.dimension] ||
      b.increaseUsd - a.increaseUsd ||
      (a.key < b.key ? -1 : 1),
  );
  return {
    dt,
    baselineDays: baseline.map((d) => d.dt),
    regressions,
    series: series.map(({ key, series: id, costUsd, baselineUsd }) => ({
      key,
      series: id,
      costUsd,
      baselineUsd,
    })),
  };
}

/**
 * The flows and workloads behind an increase: each one's cost on the day minus the median of its
 * own cost over the baseline days, largest first, with its share of the increase. When other
 * flows fell meanwhile the rises add up to more than the net increase; shares are then of the
 * rises, so they never add up to more than 100%.
 */
function explain(
  today: ReadonlyArray<ChargeLine>,
  baseline: ReadonlyArray<ReadonlyArray<ChargeLine>>,
  increase: number,
  top: number,
): { topFlows: FlowCause[]; topWorkloads: RegressionCause[] } {
  const grouped = <K>(key: (l: ChargeLine) => K | null) => {
    const sum = (lines: ReadonlyArray<ChargeLine>) => {
      const m = new Map<K, number>();
      for (const l of lines) {
        const k = key(l);
        if (k !== null) m.set(k, (m.get(k) ?? 0) + l.costUsd);
      }
      return m;
    };
    const now = sum(today);
    const before = baseline.map(sum);
    const rises = [...now]
      .map(([k, cost]) => ({ k, increaseUsd: cost - median(before.map((m) => m.get(k) ?? 0)) }))
      .filter((c) => c.increaseUsd > 0)
      .sort((a, b) => b.increaseUsd - a.increaseUsd);
    const whole = Math.max(
      increase,
      rises.reduce((t, c) => t + c.increaseUsd, 0),
    );
    return rises.slice(0, top).map((c) => ({ ...c, share: whole > 0 ? c.increaseUsd / whole : 0 }));
  };
  const sample = new Map(today.map((l) => [flowKey(l), l]));
  const topFlows = grouped(flowKey).map(({ k, increaseUsd, share }): FlowCause => {
    const l = sample.get(k) as ChargeLine;
    return {
      label: `${l.source} -> ${l.destination}`,
      category: l.category,
      source: l.source,
      destination: l.destination,
      sourceAz: l.sourceAz,
      destinationAz: l.destinationAz,
      increaseUsd,
      share,
    };
  });
  const topWorkloads = grouped(workloadOf).map(({ k, increaseUsd, share }) => ({
    label: k,
    increaseUsd,
    share,
  }));
  return { topFlows, topWorkloads };
}

/**
 * `/v1/costs` and `/v1/flows` for the day, filtered as the API allows (window, category,
 * namespace) and grouped so the series' own line is in the answer: a workload's costs grouped by
 * workload within its namespace, a Service's by Service.
 */
export function apiLinks(dt: string, series: SeriesId, baseUrl = ""): { costs: string; flows: string } {
  const window = { from: dt, to: dt };
  let costs: Record<string, string> = { ...window, groupBy: "category" };
  let flows: Record<string, string> = { ...window };
  if (series.dimension === "category" && !series.value.includes(":")) {
    costs = { ...window, category: series.value, groupBy: "namespace,workload" };
    flows = { ...window, category: series.value };
  } else if (series.dimension === "namespace") {
    costs = { ...window, namespace: series.value, groupBy: "workload,category" };
    flows = { ...window, namespace: series.value };
  } else if (series.dimension === "workload") {
    const [namespace] = series.value.split("/");
    const pod = !series.value.includes(":") && namespace !== undefined && namespace !== "-";
    costs = pod
      ? { ...window, namespace, groupBy: "workload,category" }
      : { ...window, groupBy: "workload,category" };
    flows = pod ? { ...window, namespace } : { ...window };
  } else if (series.dimension === "service") {
    costs = { ...window, groupBy: "service,category" };
    flows = { ...window, category: "lb" };
  }
  const base = baseUrl.replace(/\/+$/, "");
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  return { costs: `${base}/v1/costs?${q(costs)}`, flows: `${base}/v1/flows?${q(flows)}` };
}
