import type { Recovery } from "./cooldown.ts";
import { seriesLabel } from "./cooldown.ts";
import type { Regression } from "./detect.ts";

/**
 * Slack Block Kit messages, built here as plain data so the CLI and the Lambdas post the same
 * text (the client that posts them lives in `@flowcost/publish`). Only the block types used are
 * typed; Slack's limits: 50 blocks a message, 3000 characters a section.
 */
export type SlackBlock =
  | { type: "header"; text: { type: "plain_text"; text: string } }
  | { type: "section"; text: { type: "mrkdwn"; text: string } }
  | { type: "context"; elements: Array<{ type: "mrkdwn"; text: string }> }
  | { type: "divider" };

export interface SlackMessage {
  /** The notification and fallback text. */
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/** Regressions shown in full in one message; the rest are counted. */
const MAX_SHOWN = 8;

export const usd = (v: number): string =>
  `${v < 0 ? "-" : ""}$${Math.abs(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (f: number): string => `${Math.round(f * 100)}%`;
const az = (a: string | null, b: string | null) => (a || b ? ` (${a ?? "?"} -> ${b ?? "?"})` : "");
const link = (url: string, label: string) =>
  /^https?:\/\//.test(url) ? `<${url}|${label}>` : `${label} \`${url}\``;

/** `cross_az +$14.40/day (+148%)`: the change of one regression, as the headline names it. */
export function regressionHeadline(r: Regression): string {
  const change = r.isNew ? "new" : r.increaseFraction === null ? "from $0" : `+${pct(r.increaseFraction)}`;
  return `${seriesLabel(r)} +${usd(r.increaseUsd)}/day (${change})`;
}

/**
 * One message for a day's regressions: a headline with the largest jump in dollars and percent,
 * then per regression its cost against the baseline, the flows (pairs and AZs) and workloads that
 * explain the increase with their share, and the API links.
 */
export function regressionMessage(alerts: ReadonlyArray<Regression>): SlackMessage {
  const first = alerts[0];
  if (!first) return { text: "No network cost regression", blocks: [] };
  const dt = first.dt;
  const estimate = alerts.some((r) => r.costBasis === "estimated")
    ? " (list-price estimates, no CUR yet)"
    : "";
  const text = `Network cost regression on ${dt}: ${regressionHeadline(first)}${alerts.length > 1 ? ` and ${alerts.length - 1} more` : ""}`;
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: `Network cost regression on ${dt}`.slice(0, 150) } },
    {
      type: "section",
      text: { type: "mrkdwn", text: `*${regressionHeadline(first)}*${estimate}` },
    },
  ];
  for (const r of alerts.slice(0, MAX_SHOWN)) {
    const baseline = r.isNew
      ? `new this day (nothing in the previous ${r.baselineDayCount} day${r.baselineDayCount === 1 ? "" : "s"})`
      : `${usd(r.baselineUsd)}/day median of the previous ${r.baselineDayCount} day${r.baselineDayCount === 1 ? "" : "s"}`;
    const flows = r.topFlows
      .map(
        (f) =>
          `• ${f.source} -> ${f.destination}${az(f.sourceAz, f.destinationAz)} ${f.category} +${usd(f.increaseUsd)} (${pct(f.share)})`,
      )
      .join("\n");
    const workloads = r.topWorkloads
      .map((w) => `${w.label} +${usd(w.increaseUsd)} (${pct(w.share)})`)
      .join(", ");
    const body = [
      `*${regressionHeadline(r)}*: ${usd(r.costUsd)} on ${r.dt} vs ${baseline}`,
      flows ? `Top flows:\n${flows}` : "",
      workloads ? `Workloads: ${workloads}` : "",
    ]
      .filter(Boolean)
      .join("\n");
    blocks.push({ type: "divider" });
    blocks.push({ type: "section", text: { type: "mrkdwn", text: body.slice(0, 3000) } });
    blocks.push({
      type: "context",
      elements: [
        { type: "mrkdwn", text: `${link(r.links.costs, "costs")} · ${link(r.links.flows, "flows")}` },
      ],
    });
  }
  if (alerts.length > MAX_SHOWN)
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `${alerts.length - MAX_SHOWN} more regression(s): run \`flowcost regressions\``,
        },
      ],
    });
  return { text, blocks };
}

/** A short all-clear for series alerted before that are back under the thresholds. */
export function allClearMessage(dt: string, recovered: ReadonlyArray<Recovery>): SlackMessage {
  const lines = recovered.map(
    (r) =>
      `• ${r.label}: ${usd(r.costUsd)} on ${dt}, baseline ${usd(r.baselineUsd)}/day (alerted ${r.alertedDt})`,
  );
  return {
    text: `Network cost back to normal on ${dt}: ${recovered.map((r) => r.label).join(", ")}`,
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*All clear on ${dt}*\n${lines.join("\n")}`.slice(0, 3000) },
      },
    ],
  };
}
