import type { SlackMessage } from "../regression/slack-message.ts";
import { CATEGORY_NAMES, changeText, deltaText, dollars, reportSentences } from "./render-text.ts";
import type { WeeklyReport } from "./weekly-report.ts";

/**
 * The weekly report's short Slack summary: the headline, the three largest categories with their
 * change, the top mover among workloads, the best recommendation, and the link to the full report.
 */
export function weeklySummaryMessage(report: WeeklyReport, link: string | undefined): SlackMessage {
  const s = reportSentences(report);
  const categories = [...report.categories]
    .filter((c) => c.cents > 0)
    .sort((a, b) => b.cents - a.cents)
    .slice(0, 3)
    .map(
      (c) => `• ${CATEGORY_NAMES[c.category] ?? c.category}: ${dollars(c.cents)} (${changeText(report, c)})`,
    );
  const mover = [...report.topWorkloads].sort((a, b) => b.deltaCents - a.deltaCents)[0];
  const best = report.recommendations[0];
  const lines = [
    `*${s.headline}*`,
    s.basis,
    ...s.gaps,
    categories.join("\n"),
    mover && mover.deltaCents > 0
      ? `Largest increase: ${mover.name}${mover.isNew ? " (new)" : ""} ${deltaText(mover)}`
      : "",
    best
      ? `Top recommendation: ${best.title} (${best.target}), about ${dollars(best.monthlySavingsUsd * 100)} a month`
      : "",
    link ? (/^https?:\/\//.test(link) ? `<${link}|Full report>` : `Full report: \`${link}\``) : "",
  ].filter(Boolean);
  return {
    text: `${s.title}: ${s.headline}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: `Network cost ${report.week.id}` } },
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n").slice(0, 3000) } },
    ],
  };
}
