import { dayWindow, type IsoWeek, latestCompleteWeek, type ResultsStore } from "@flowcost/core";
import {
  buildWeeklyReportFiles,
  publishWeeklyReport,
  type SlackWebhookClient,
  weeklyReportKey,
} from "@flowcost/publish";
import { S3Lake } from "../adapters/s3-lake.ts";
import { s3ResultsStore } from "../adapters/s3-results-store.ts";
import { s3 } from "../shared/clients.ts";
import { publishConfig } from "../shared/config.ts";
import { logger } from "../shared/logger.ts";
import { ScheduledEvent, withJob } from "../shared/middleware.ts";
import { slackClient } from "../shared/slack.ts";

/**
 * weekly-report (Monday 08:00 in the configured time zone): the last ISO week that is over in UTC
 * by the scheduled time, written to `reports/weekly/<YYYY>-W<ww>.{md,html,csv}` (a re-run replaces
 * them), and a short summary with a link posted to Slack.
 */

/** The week a run at `time` reports: the latest ISO week whose Sunday (UTC) is over. */
export function reportWeek(time: string): IsoWeek {
  return latestCompleteWeek(dayWindow(Date.parse(time) / 1000 - 86400).dt);
}

/** The link posted with the summary: the configured base, else the object's S3 console page. */
export function reportLink(bucket: string, key: string, base: string | undefined): string {
  if (base) return `${base.replace(/\/+$/, "")}/${key}`;
  return `https://s3.console.aws.amazon.com/s3/object/${bucket}?prefix=${encodeURIComponent(key)}`;
}

export async function weeklyReportJob(
  deps: { store: ResultsStore; slack: SlackWebhookClient | undefined; link: (key: string) => string },
  time: string,
): Promise<{ week: string; keys: string[]; posted: boolean }> {
  const week = reportWeek(time);
  const files = await buildWeeklyReportFiles(deps.store, week, { generatedAt: time });
  const { keys, posted } = await publishWeeklyReport(deps.store, files, {
    slack: deps.slack,
    link: deps.link(weeklyReportKey(week, "html")),
  });
  return { week: week.id, keys, posted };
}

export const handler = withJob(ScheduledEvent, (event) => ({ window: reportWeek(event.time).id })).handler(
  async (event) => {
    const c = publishConfig();
    const result = await weeklyReportJob(
      {
        store: s3ResultsStore(new S3Lake({ s3, bucket: c.lakeBucket })),
        slack: slackClient(),
        link: (key) => reportLink(c.lakeBucket, key, c.reportLinkBase),
      },
      event.time,
    );
    logger.info("weekly report written", { ...result });
    return result;
  },
);
