/**
 * ISO 8601 weeks in UTC: Monday to Sunday, week 1 holds the year's first Thursday (so 2026-12-31
 * can be in 2026-W53 and 2027-01-01 in it too). Days are UTC days, as in the CUR.
 */
export interface IsoWeek {
  /** `2026-W47`. */
  readonly id: string;
  readonly year: number;
  readonly week: number;
  /** Monday, `YYYY-MM-DD`. */
  readonly start: string;
  /** Sunday. */
  readonly end: string;
  /** The seven days, Monday first. */
  readonly days: string[];
}

const DAY_MS = 86_400_000;
const ISO_WEEK = /^(\d{4})-W(\d{2})$/;
const dtOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The ISO week a UTC day belongs to. */
export function isoWeekOf(dt: string): IsoWeek {
  const ms = Date.parse(`${dt}T00:00:00Z`);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  const thursday = ms + (3 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return build(year, week, ms - weekday * DAY_MS);
}

/** Parses `2026-W47`; undefined when it is not an ISO week that exists. */
export function parseIsoWeek(id: string): IsoWeek | undefined {
  const m = ISO_WEEK.exec(id);
  if (!m) return undefined;
  const year = Number(m[1]);
  const week = Number(m[2]);
  // Week 1's Monday: the Monday on or before January 4th (always in week 1).
  const jan4 = Date.UTC(year, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS + (week - 1) * 7 * DAY_MS;
  const parsed = isoWeekOf(dtOf(monday));
  return week >= 1 && parsed.year === year && parsed.week === week ? parsed : undefined;
}

/** The week before. */
export function previousIsoWeek(week: IsoWeek): IsoWeek {
  return isoWeekOf(dtOf(Date.parse(`${week.start}T00:00:00Z`) - 7 * DAY_MS));
}

/**
 * The latest week that is over by `lastDay` (its Sunday on or before it): the report's default.
 * A lake whose last day is a Sunday reports that week; one ending mid-week, the week before.
 */
export function latestCompleteWeek(lastDay: string): IsoWeek {
  const week = isoWeekOf(lastDay);
  return week.end <= lastDay ? week : previousIsoWeek(week);
}

function build(year: number, week: number, mondayMs: number): IsoWeek {
  const days = Array.from({ length: 7 }, (_, i) => dtOf(mondayMs + i * DAY_MS));
  return {
    id: `${year}-W${String(week).padStart(2, "0")}`,
    year,
    week,
    start: days[0] as string,
    end: days[6] as string,
    days,
  };
}
