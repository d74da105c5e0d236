import type { Recommendation, WhatIfResult } from "@flowcost/core";
import { gb, table, usd, wrap } from "./format.ts";

const EFFORT: Record<Recommendation["implementationEffort"], string> = {
  VeryLow: "very low",
  Low: "low",
  Medium: "medium",
  High: "high",
  VeryHigh: "very high",
};

const target = (r: Recommendation) =>
  r.target.resourceId && r.target.type !== "Vpc"
    ? `${r.target.kind ?? r.target.type} ${r.target.name}`
    : `${r.target.kind ?? r.target.type} ${r.target.namespace ? `${r.target.namespace}/` : ""}${r.target.name}`;

function evidenceLine(r: Recommendation): string {
  const e = r.evidence;
  const hours = (e.windowDays * 24).toFixed(1);
  const billed = e.billedCostUsd === null ? "" : `, ${usd(e.billedCostUsd)} billed`;
  const zones = [
    e.endpointsPerZone &&
      `endpoints per AZ ${
        Object.entries(e.endpointsPerZone)
          .map(([z, n]) => `${z} ${n}`)
          .join(", ") || "none"
      }`,
    e.clientZones &&
      `client GB per AZ ${Object.entries(e.clientZones)
        .map(([z, b]) => `${z} ${gb(b)}`)
        .join(", ")}`,
  ].filter(Boolean);
  return `     Measured: ${gb(e.bytes)} GB in ${hours} h, ${usd(e.listCostUsd)} at list${billed}${zones.length ? `; ${zones.join("; ")}` : ""} (confidence ${r.confidence})`;
}

/**
 * The recommendations as advice a person acts on: what to change and what it saves, why (the
 * measured traffic), what was checked, the risk, and the command; then what is already applied
 * (with its before/after), what is reported only, and what was declined and why.
 */
export function renderRecommendations(recs: ReadonlyArray<Recommendation>): string[] {
  if (recs.length === 0) return [];
  const out: string[] = [
    "",
    "Recommendations (savings at list price: the measured traffic extrapolated to 30 days)",
  ];
  const recommended = recs.filter((r) => r.status === "recommended");
  if (recommended.length === 0) out.push("  none: no change passed its checks");
  recommended.forEach((r, i) => {
    const s = r.savings;
    const how = [
      `effort ${EFFORT[r.implementationEffort]}`,
      r.restartNeeded ? "restarts pods" : "no restart",
      r.rollbackPossible ? "can be rolled back" : "no rollback",
    ].join(", ");
    out.push(`  ${i + 1}. ${r.title}`, `     Saves ${usd(r.estimatedMonthlySavingsUsd)} a month (${how}).`);
    if (s && s.addedMonthlyCostUsd > 0)
      out.push(
        `     That is ${usd(s.grossMonthlySavingsUsd)} saved minus ${usd(s.addedMonthlyCostUsd)} a month for ${s.addedHours.map((a) => `${a.count} x ${a.item}`).join(", ")}.`,
      );
    out.push(evidenceLine(r));
    for (const f of r.evidence.topFlows.slice(0, 3))
      out.push(
        `       ${f.source} (${f.sourceAzId ?? "?"}) -> ${f.destination} (${f.destinationAzId ?? "?"}): ${gb(f.bytes)} GB, ${usd(f.listCostUsd)}`,
      );
    for (const p of r.preconditions) out.push(`     ${p.met ? "[ok]" : "[!!]"} ${p.name}: ${p.observed}`);
    for (const n of r.evidence.notes) out.push(`     Note: ${n}`);
    out.push(`     Risk: ${r.risk}`);
    // Commands are never wrapped: each line is what a person pastes into a shell.
    if (r.change.text) out.push("     Change:", ...commandLines(r.change.text));
    for (const a of r.change.alternatives) out.push(`     Or (${a.option}):`, ...commandLines(a.text));
  });
  const applied = recs.filter((r) => r.status === "applied");
  if (applied.length) {
    out.push("", "Already applied");
    for (const r of applied) {
      const ba = r.beforeAfter;
      const measured =
        ba && ba.beforeDailyCostUsd !== null && ba.afterDailyCostUsd !== null
          ? `: since ${ba.appliedAt}, ${usd(ba.beforeDailyCostUsd)} a day before, ${usd(ba.afterDailyCostUsd)} a day after`
          : ba
            ? `: since ${ba.appliedAt} (no whole day before and after it yet)`
            : "";
      out.push(`  - ${r.kind} ${target(r)}: ${r.reason?.replace(/^applied: /, "") ?? ""}${measured}`);
    }
  }
  const reports = recs.filter((r) => r.status === "report");
  if (reports.length) {
    out.push("", "Reported, not routable");
    for (const r of reports) out.push(`  - ${r.title}`, ...r.evidence.notes.map((n) => `      ${n}`));
  }
  const declined = recs.filter((r) => r.status === "declined");
  if (declined.length) {
    out.push("", "Checked and not recommended");
    for (const r of declined) out.push(`  - ${r.kind} ${target(r)}: ${r.reason ?? ""}`);
  }
  return out.map((line) => (line.startsWith(VERBATIM) ? line.slice(VERBATIM.length) : wrap(line)));
}

/** Marks a line the report prints as it is (a command), not wrapped to the report's width. */
const VERBATIM = "\u0000";
const COMMAND_INDENT = "       ";

/**
 * A command as a person pastes it: long commands break before their options with shell line
 * continuations (` \`), so the report stays narrow and every line still runs as printed.
 */
function commandLines(text: string): string[] {
  const width = 100 - COMMAND_INDENT.length;
  return text.split("\n").flatMap((line) => {
    if (line.length <= width) return [`${VERBATIM}${COMMAND_INDENT}${line}`];
    const parts = line.split(/ (?=--?[a-z])/);
    const out: string[] = [];
    let current = parts[0] ?? "";
    for (const part of parts.slice(1)) {
      if (`${current} ${part}`.length + 2 > width) {
        out.push(`${current} \\`);
        current = `  ${part}`;
      } else current = `${current} ${part}`;
    }
    out.push(current);
    return out.map((l) => `${VERBATIM}${COMMAND_INDENT}${l}`);
  });
}

const CHANGE_LABEL: Record<WhatIfResult["change"], string> = {
  topology_aware_routing: "zone routing on every Service",
  internal_traffic_policy_local: "internalTrafficPolicy: Local on every Service",
  nat_gateway_per_az: "a NAT gateway in every AZ",
  vpc_endpoints: "S3/DynamoDB gateway + interface endpoints",
};

/** What-if for the cluster and each namespace: the measured traffic's monthly cost before and after each change. */
export function renderWhatIf(results: ReadonlyArray<WhatIfResult>): string[] {
  const rows = results.filter((r) => r.scope.kind !== "service" && r.measuredBytes > 0);
  if (rows.length === 0) return [];
  return [
    "",
    "What if (list price, 30 days, from the measured flows; regardless of the checks above)",
    table(
      ["scope", "change", "now", "after", "saved"],
      rows.map((r) => [
        r.scope.kind === "cluster"
          ? "cluster"
          : `namespace ${r.scope.kind === "namespace" ? r.scope.namespace : ""}`,
        CHANGE_LABEL[r.change],
        usd(r.currentMonthlyUsd),
        usd(r.afterMonthlyUsd),
        usd(r.savedMonthlyUsd),
      ]),
      [false, false, true, true, true],
    ),
  ];
}
