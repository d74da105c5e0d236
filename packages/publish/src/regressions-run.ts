import {
  ALERT_STATE_KEY,
  type AlertState,
  AlertStateSchema,
  addDays,
  allClearMessage,
  applyCooldown,
  type CooldownResult,
  type DayCharges,
  type DetectionResult,
  dayCharges,
  detectRegressions,
  EMPTY_ALERT_STATE,
  parseDocument,
  type RegressionThresholds,
  type ResultsStore,
  regressionMessage,
} from "@flowcost/core";
import type { SlackWebhookClient } from "./webhook-client.ts";

/**
 * One regression run, the same for `flowcost regressions` and the daily Lambda: read the day and
 * its trailing baseline through the results store, detect, apply the cooldown state, post one
 * message for the new alerts (and an all-clear when asked), then store the state. The state is
 * written only after the post succeeds, so a failed post is retried by the next run.
 */
export interface RegressionRunOptions {
  readonly store: ResultsStore;
  /** The day to judge; default the latest day with results. */
  readonly day?: string;
  readonly thresholds?: Partial<RegressionThresholds>;
  readonly cooldownDays?: number;
  /** Post a short all-clear for alerted series that are back to normal. */
  readonly allClear?: boolean;
  readonly apiBaseUrl?: string;
  /** Without a client nothing is posted and the state is left as it is (a dry run). */
  readonly slack?: SlackWebhookClient;
}

export interface RegressionRunResult {
  readonly detection: DetectionResult;
  readonly cooldown: CooldownResult;
  /** Messages posted (0, 1, or 2 with an all-clear). */
  readonly posted: number;
  /** Days read for the baseline but absent from the results. */
  readonly daysMissing: string[];
}

export const DEFAULT_COOLDOWN_DAYS = 3;

export async function runRegressions(options: RegressionRunOptions): Promise<RegressionRunResult> {
  const { store } = options;
  const all = await store.listDays();
  const day = options.day ?? all[all.length - 1];
  const baselineDays = options.thresholds?.baselineDays ?? 14;
  const history: DayCharges[] = [];
  const daysMissing: string[] = [];
  if (day !== undefined) {
    for (let i = baselineDays; i >= 0; i--) {
      const dt = addDays(day, -i);
      if (!all.includes(dt)) {
        if (i > 0) daysMissing.push(dt);
        continue;
      }
      const summary = await store.readDay(dt);
      if (summary) history.push(dayCharges(summary));
    }
  }
  const detection = detectRegressions(history, {
    ...options.thresholds,
    dt: day,
    apiBaseUrl: options.apiBaseUrl,
  });
  const text = await store.readDocument(ALERT_STATE_KEY);
  const state: AlertState =
    text === undefined ? EMPTY_ALERT_STATE : parseDocument(ALERT_STATE_KEY, text, AlertStateSchema);
  const cooldown = applyCooldown(detection, state, {
    cooldownDays: options.cooldownDays ?? DEFAULT_COOLDOWN_DAYS,
    relative: options.thresholds?.relative ?? 0.25,
  });
  let posted = 0;
  if (options.slack) {
    if (cooldown.alerts.length > 0) {
      await options.slack.post(regressionMessage(cooldown.alerts));
      posted++;
    }
    if (options.allClear && cooldown.recovered.length > 0) {
      await options.slack.post(allClearMessage(detection.dt, cooldown.recovered));
      posted++;
    }
    await store.writeDocument(ALERT_STATE_KEY, `${JSON.stringify(cooldown.state, null, 2)}\n`);
  }
  return { detection, cooldown, posted, daysMissing };
}
