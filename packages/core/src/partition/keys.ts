/**
 * One deterministic place per (dataset, window), so a re-run overwrites exactly what it wrote.
 * Keys mirror architecture.md's lake layout; a local folder uses the same relative paths.
 */
export const DATASETS = {
  curatedFlows: "curated/flows",
  ipIdentity: "curated/ip_identity",
  stitchedFlows: "curated/stitched_flows",
  resultsDaily: "results/daily",
  ledger: "results/ledger",
} as const;
export type Dataset = keyof typeof DATASETS;

const HOUR_SECONDS = 3600;
const DAY_SECONDS = 86400;

export interface HourWindow {
  /** Inclusive start, Unix seconds, on the hour. */
  readonly start: number;
  /** Exclusive end, Unix seconds. */
  readonly end: number;
  readonly dt: string;
  /** Two digits, `00`–`23`, as the partition folder spells it. */
  readonly hour: string;
}

export interface DayWindow {
  readonly start: number;
  readonly end: number;
  readonly dt: string;
}

/** The UTC hour containing `time` (an event's scheduled time, never an implicit now). */
export function hourWindow(time: Date | number): HourWindow {
  const seconds =
    Math.floor((typeof time === "number" ? time : time.getTime() / 1000) / HOUR_SECONDS) * HOUR_SECONDS;
  const iso = new Date(seconds * 1000).toISOString();
  return { start: seconds, end: seconds + HOUR_SECONDS, dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** The UTC day (as in the CUR) containing `time`. */
export function dayWindow(time: Date | number | string): DayWindow {
  const ms =
    typeof time === "string"
      ? Date.parse(`${time}T00:00:00Z`)
      : typeof time === "number"
        ? time * 1000
        : time.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a date: ${String(time)}`);
  const seconds = Math.floor(ms / 1000 / DAY_SECONDS) * DAY_SECONDS;
  return {
    start: seconds,
    end: seconds + DAY_SECONDS,
    dt: new Date(seconds * 1000).toISOString().slice(0, 10),
  };
}

/** The hours of a day, in order. */
export function hoursOf(day: DayWindow): HourWindow[] {
  return Array.from({ length: 24 }, (_, h) => hourWindow(day.start + h * HOUR_SECONDS));
}

export function partitionPrefix(dataset: Dataset, window: { dt: string; hour?: string }): string {
  const base = `${DATASETS[dataset]}/dt=${window.dt}/`;
  return window.hour === undefined ? base : `${base}hour=${window.hour}/`;
}

/** The raw-flow-log day partition value in the default layout's projection format, `YYYY/MM/DD`. */
export function rawFlowLogDay(dt: string): string {
  return dt.replaceAll("-", "/");
}
