import { z } from "zod";
import type { DetectionResult, Regression } from "./detect.ts";
import { addDays } from "./series.ts";

/**
 * What has been alerted, kept under `state/regressions/alerts.json` (locally in the lake folder, in
 * S3 in AWS), so that one jump alerts once however often detection runs.
 */
export const AlertStateSchema = z.object({
  version: z.literal(1),
  series: z.record(
    z.string(),
    z.object({
      /** The day the last alert was about. */
      alertedDt: z.string(),
      /** The series' cost that day: a further rise by the relative threshold re-alerts. */
      alertedCostUsd: z.number(),
      baselineUsd: z.number(),
      label: z.string(),
    }),
  ),
});
export type AlertState = z.infer<typeof AlertStateSchema>;

export const EMPTY_ALERT_STATE: AlertState = { version: 1, series: {} };

/** Where the state lives, relative to the lake root. */
export const ALERT_STATE_KEY = "state/regressions/alerts.json";

export interface CooldownOptions {
  /** Days after an alert during which the same series stays quiet unless it rises further (default 3). */
  readonly cooldownDays: number;
  /** The relative threshold: a series already alerted re-alerts when it grows by this much more. */
  readonly relative: number;
}

export interface Recovery {
  readonly key: string;
  readonly label: string;
  readonly costUsd: number;
  readonly baselineUsd: number;
  readonly alertedDt: string;
}

export interface CooldownResult {
  /** Regressions to post. */
  readonly alerts: Regression[];
  /** Regressions found but already alerted (cooldown running, no further growth). */
  readonly suppressed: Regression[];
  /** Series alerted before that are back under the thresholds today (for an all-clear). */
  readonly recovered: Recovery[];
  /** The state to store once the alerts are posted. */
  readonly state: AlertState;
}

export const seriesLabel = (r: Pick<Regression, "series">): string =>
  r.series.dimension === "category" ? r.series.value : `${r.series.dimension} ${r.series.value}`;

/**
 * Decides which of a day's regressions to post. A series alerts once; while it stays high it
 * re-alerts only after `cooldownDays` or when its cost has grown by the relative threshold over
 * the alerted cost. A run for a day already alerted (a re-run) posts nothing. A series in the
 * state that is no longer a regression has recovered: it leaves the state (an all-clear may say so).
 */
export function applyCooldown(
  detection: DetectionResult,
  state: AlertState,
  options: CooldownOptions,
): CooldownResult {
  const alerts: Regression[] = [];
  const suppressed: Regression[] = [];
  const next: AlertState["series"] = { ...state.series };
  for (const r of detection.regressions) {
    const previous = state.series[r.key];
    const quiet =
      previous !== undefined &&
      (r.dt <= previous.alertedDt ||
        (r.dt < addDays(previous.alertedDt, options.cooldownDays) &&
          r.costUsd < previous.alertedCostUsd * (1 + options.relative)));
    if (quiet) {
      suppressed.push(r);
      continue;
    }
    alerts.push(r);
    next[r.key] = {
      alertedDt: r.dt,
      alertedCostUsd: r.costUsd,
      baselineUsd: r.baselineUsd,
      label: seriesLabel(r),
    };
  }
  const flagged = new Set(detection.regressions.map((r) => r.key));
  const today = new Map(detection.series.map((s) => [s.key, s]));
  const recovered: Recovery[] = [];
  for (const [key, entry] of Object.entries(state.series)) {
    // Only a later day can clear an alert: re-running an old day must not forget it.
    if (flagged.has(key) || detection.dt <= entry.alertedDt) continue;
    const s = today.get(key);
    recovered.push({
      key,
      label: entry.label,
      costUsd: s?.costUsd ?? 0,
      baselineUsd: s?.baselineUsd ?? entry.baselineUsd,
      alertedDt: entry.alertedDt,
    });
    delete next[key];
  }
  return { alerts, suppressed, recovered, state: { version: 1, series: next } };
}
