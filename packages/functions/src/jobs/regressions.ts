import { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import {
  addDays,
  type CurCrossCheck,
  costExplorerDayCharges,
  crossCheckCur,
  type DaySummary,
  dayWindow,
  detectRegressions,
  type Regression,
  type ResultsStore,
} from "@flowcost/core";
import { type RegressionRunResult, runRegressions, type SlackWebhookClient } from "@flowcost/publish";
import { dailyNetworkCosts } from "../adapters/cost-explorer.ts";
import { S3Lake } from "../adapters/s3-lake.ts";
import { s3ResultsStore } from "../adapters/s3-results-store.ts";
import { s3 } from "../shared/clients.ts";
import { publishConfig } from "../shared/config.ts";
import { logger } from "../shared/logger.ts";
import { ScheduledEvent, withJob } from "../shared/middleware.ts";
import { slackClient } from "../shared/slack.ts";

/**
 * regressions (daily, after attribute): the previous UTC day's cost series against their trailing
 * 14 days, posted to Slack once per jump (state under `state/regressions/`), plus Cost Explorer's
 * account-level early signal for the days attribution has not reached and its cross-check of the
 * CUR (a data-quality finding, logged and kept in the state folder).
 */

/** Cost Explorer answers from us-east-1 whatever the Region asked about. */
const ce = new CostExplorerClient({ region: "us-east-1" });

export interface RegressionsJobDeps {
  readonly store: ResultsStore;
  readonly ce: Pick<CostExplorerClient, "send">;
  readonly slack: SlackWebhookClient | undefined;
  readonly region: string;
  readonly alerts: {
    minIncreaseUsd: number;
    minPercent: number;
    cooldownDays: number;
    allClear: boolean;
    apiUrl?: string;
  };
}

export interface RegressionsJobResult {
  readonly dt: string;
  readonly run: RegressionRunResult;
  /** Account-level regressions Cost Explorer shows on a day attribution has not written yet. */
  readonly earlySignal: Regression[];
  readonly crossCheck: CurCrossCheck[];
  readonly costExplorerPages: number;
}

export const CROSS_CHECK_KEY = "state/cost-explorer/cross-check.json";

/** The day a run at `time` judges: the last complete UTC day before it. */
export function regressionsDay(time: string): string {
  return dayWindow(Date.parse(time) / 1000 - 86400).dt;
}

export async function regressionsJob(deps: RegressionsJobDeps, time: string): Promise<RegressionsJobResult> {
  const dt = regressionsDay(time);
  const thresholds = { absoluteUsd: deps.alerts.minIncreaseUsd, relative: deps.alerts.minPercent / 100 };
  const days = await deps.store.listDays();
  const run = await runRegressions({
    store: deps.store,
    // Attribution may be late: judge the latest attributed day up to the scheduled one.
    day: [...days].reverse().find((d) => d <= dt),
    thresholds,
    cooldownDays: deps.alerts.cooldownDays,
    allClear: deps.alerts.allClear,
    apiBaseUrl: deps.alerts.apiUrl,
    slack: deps.slack,
  });

  const costs = await dailyNetworkCosts(deps.ce, deps.store, {
    start: addDays(dt, -14),
    end: addDays(dt, 1),
    region: deps.region,
    now: Math.floor(Date.parse(time) / 1000),
  });
  const ceDays = costExplorerDayCharges(costs.days);
  const lastAttributed = run.detection.dt;
  // The early signal: Cost Explorer's latest day, when attribution has not reached it yet.
  const latestCe = ceDays[ceDays.length - 1]?.dt;
  const earlySignal =
    latestCe !== undefined && (lastAttributed === "" || latestCe > lastAttributed)
      ? detectRegressions(ceDays, { ...thresholds, dt: latestCe }).regressions
      : [];
  if (earlySignal.length > 0 && deps.slack)
    await deps.slack.post({
      text: `Cost Explorer, account-wide, ${latestCe} (not attributed yet): ${earlySignal
        .map((r) => `${r.series.value} +$${r.increaseUsd.toFixed(2)}/day`)
        .join(", ")}`,
    });

  const summaries: DaySummary[] = [];
  for (const d of days.filter((x) => x >= addDays(dt, -14) && x <= dt)) {
    const s = await deps.store.readDay(d);
    if (s) summaries.push(s);
  }
  const crossCheck = crossCheckCur(costs.days, summaries);
  await deps.store.writeDocument(
    CROSS_CHECK_KEY,
    `${JSON.stringify({ checkedFor: dt, findings: crossCheck }, null, 2)}\n`,
  );
  return { dt, run, earlySignal, crossCheck, costExplorerPages: costs.pages };
}

export const handler = withJob(ScheduledEvent, (event) => ({ window: regressionsDay(event.time) })).handler(
  async (event) => {
    const c = publishConfig();
    const result = await regressionsJob(
      {
        store: s3ResultsStore(new S3Lake({ s3, bucket: c.lakeBucket })),
        ce,
        slack: slackClient(),
        region: c.region,
        alerts: c.alerts,
      },
      event.time,
    );
    for (const f of result.crossCheck) logger.warn("Cost Explorer and CUR disagree", { ...f });
    logger.info("regressions finished", {
      judged: result.run.detection.dt,
      regressions: result.run.detection.regressions.length,
      posted: result.run.cooldown.alerts.length,
      earlySignal: result.earlySignal.length,
      costExplorerPages: result.costExplorerPages,
    });
    return {
      dt: result.dt,
      judged: result.run.detection.dt,
      regressions: result.run.detection.regressions.map((r) => r.key),
      posted: result.run.cooldown.alerts.map((r) => r.key),
      crossCheckFindings: result.crossCheck.length,
    };
  },
);
