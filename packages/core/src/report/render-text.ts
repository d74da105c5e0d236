import type { Delta, RankedEntry, WeeklyReport } from "./weekly-report.ts";

/**
 * The weekly report as Markdown and as CSV (its tables, one CSV with a `table` column so a
 * spreadsheet can filter them). The HTML page with charts is rendered in @flowcost/publish from
 * the same content and the same sentences (`reportSentences`).
 */

export const dollars = (cents: number): string => {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}$${Math.floor(abs / 100).toLocaleString("en-US")}.${String(abs % 100).padStart(2, "0")}`;
};
export const signedDollars = (cents: number): string => (cents > 0 ? `+${dollars(cents)}` : dollars(cents));
export const percent = (f: number | null): string =>
  f === null ? "-" : `${f > 0 ? "+" : ""}${(Math.round(f * 1000) / 10).toFixed(1)}%`;
export const gigabytes = (bytes: number): string => (bytes / 1e9).toFixed(3);
export const deltaText = (d: Delta): string =>
  `${signedDollars(d.deltaCents)}${d.deltaFraction === null ? "" : ` (${percent(d.deltaFraction)})`}`;
/** The change column: a delta, or "-" when the previous week has no results to compare with. */
export const changeText = (r: Pick<WeeklyReport, "previousDaysPresent">, d: Delta): string =>
  r.previousDaysPresent === 0 ? "-" : deltaText(d);

export const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  cross_az: "Cross-AZ transfer",
  nat: "NAT gateway",
  lb: "Load balancers",
  vpc_endpoint: "VPC endpoints",
  internet: "Internet egress",
  unattributed: "Unattributed (billed, no transfer explains it)",
  unknown: "Unknown addresses",
};
export const NAT_DESTINATION_NAMES: Readonly<Record<string, string>> = {
  s3: "S3",
  dynamodb: "DynamoDB",
  "aws-other": "Other AWS services",
  internet: "Internet",
  cross_az_leg: "Cross-AZ leg to the NAT gateway",
};

/** The sentences every format shares: title, basis, headline, what is missing. */
export function reportSentences(r: WeeklyReport): {
  title: string;
  basis: string;
  headline: string;
  gaps: string[];
} {
  const present = r.days.filter((d) => d.present).length;
  const basis =
    r.costBasis === "billed"
      ? "Billed dollars: every day with results is reconciled to the CUR (allocated + unattributed = billed, to the cent)."
      : r.costBasis === "estimated"
        ? "Estimated dollars: no CUR export covers this week, so every figure is a list-price estimate."
        : r.costBasis === "mixed"
          ? `Mixed: ${r.dataQuality.missingCurDays.length} day(s) without CUR lines are list-price estimates (${r.dataQuality.missingCurDays.join(", ")}); the others are billed dollars.`
          : "No results for this week.";
  const headline =
    r.previousDaysPresent === 0
      ? `Network spend ${dollars(r.total.cents)} over ${present} day(s); no results for ${r.previousWeek.id} to compare with.`
      : `Network spend ${dollars(r.total.cents)}, ${deltaText(r.total)} against ${r.previousWeek.id} (${dollars(r.total.previousCents)}).`;
  const gaps: string[] = [];
  if (r.dataQuality.missingDays.length > 0)
    gaps.push(
      `No results for ${r.dataQuality.missingDays.length} day(s) of the week: ${r.dataQuality.missingDays.join(", ")}.`,
    );
  if (r.dataQuality.missingCurDays.length > 0)
    gaps.push(
      `No CUR lines for ${r.dataQuality.missingCurDays.join(", ")}: those days are list-price estimates.`,
    );
  if (r.previousDaysPresent > 0 && r.previousDaysPresent < 7)
    gaps.push(
      `${r.previousWeek.id} has results for ${r.previousDaysPresent} of 7 days: week-over-week deltas compare unequal weeks.`,
    );
  return {
    title: `Network cost report ${r.week.id} (${r.week.start} to ${r.week.end}, UTC)`,
    basis,
    headline,
    gaps,
  };
}

const table = (head: string[], rows: string[][], align: Array<"l" | "r"> = []): string => {
  const sep = head.map((_, i) => (align[i] === "r" ? "---:" : "---"));
  const esc = (c: string) => c.replaceAll("|", "\\|").replaceAll("\n", " ");
  return [head, sep, ...rows].map((r) => `| ${r.map(esc).join(" | ")} |`).join("\n");
};
const rankedRows = (r: WeeklyReport, entries: RankedEntry[]) =>
  entries.map((e) => [
    `${e.name}${e.isNew ? " (new)" : ""}`,
    dollars(e.cents),
    dollars(e.previousCents),
    changeText(r, e),
  ]);

export function renderMarkdown(r: WeeklyReport): string {
  const s = reportSentences(r);
  const out: string[] = [`# ${s.title}`, "", `**${s.headline}**`, "", s.basis];
  if (s.gaps.length) out.push("", ...s.gaps.map((g) => `> ${g}`));
  out.push(
    "",
    "## Totals by category",
    "",
    table(
      ["category", r.week.id, r.previousWeek.id, "change"],
      [
        ...r.categories.map((c) => [
          CATEGORY_NAMES[c.category] ?? c.category,
          dollars(c.cents),
          dollars(c.previousCents),
          changeText(r, c),
        ]),
        [
          "**Total**",
          `**${dollars(r.total.cents)}**`,
          `**${dollars(r.total.previousCents)}**`,
          `**${changeText(r, r.total)}**`,
        ],
      ],
      ["l", "r", "r", "r"],
    ),
    "",
    "## Daily trend",
    "",
    table(
      ["day", ...r.categories.map((c) => c.category)],
      [...new Set(r.daily.map((d) => d.dt))].map((dt) => [
        dt,
        ...r.categories.map((c) =>
          dollars(r.daily.find((d) => d.dt === dt && d.category === c.category)?.cents ?? 0),
        ),
      ]),
      ["l", ...r.categories.map(() => "r" as const)],
    ),
    "",
    ...(r.byPlace.length > 0
      ? [
          "## By account and Region (who pays)",
          "",
          table(["account/Region", r.week.id, r.previousWeek.id, "change"], rankedRows(r, r.byPlace), [
            "l",
            "r",
            "r",
            "r",
          ]),
          "",
        ]
      : []),
    "## Top namespaces (who pays)",
    "",
    table(["namespace", r.week.id, r.previousWeek.id, "change"], rankedRows(r, r.topNamespaces), [
      "l",
      "r",
      "r",
      "r",
    ]),
    "",
    "## Top workloads (who pays)",
    "",
    table(["workload", r.week.id, r.previousWeek.id, "change"], rankedRows(r, r.topWorkloads), [
      "l",
      "r",
      "r",
      "r",
    ]),
    "",
    "## Top Services",
    "",
    r.topServices.length
      ? table(["Service", r.week.id, r.previousWeek.id, "change"], rankedRows(r, r.topServices), [
          "l",
          "r",
          "r",
          "r",
        ])
      : "No traffic through a Kubernetes Service's load balancer this week.",
    "",
    "## Top cross-AZ pairs",
    "",
    table(
      ["source", "destination", "zones", "GB", "cost"],
      r.topCrossAzPairs.map((p) => [p.source, p.destination, p.zones, gigabytes(p.bytes), dollars(p.cents)]),
      ["l", "l", "l", "r", "r"],
    ),
    "",
    "## NAT gateway by destination",
    "",
    table(
      ["destination", "GB", r.week.id, r.previousWeek.id, "change"],
      r.natByDestination.map((n) => [
        NAT_DESTINATION_NAMES[n.destination] ?? n.destination,
        gigabytes(n.bytes),
        dollars(n.cents),
        dollars(n.previousCents),
        changeText(r, n),
      ]),
      ["l", "r", "r", "r", "r"],
    ),
    "",
    "## Load balancers by Service",
    "",
    r.lbByService.length
      ? table(
          ["Service", "load balancer", r.week.id, r.previousWeek.id, "change"],
          r.lbByService.map((l) => [
            l.service,
            l.loadBalancer ?? "-",
            dollars(l.cents),
            dollars(l.previousCents),
            changeText(r, l),
          ]),
          ["l", "l", "r", "r", "r"],
        )
      : "No load balancer cost this week.",
    "",
    "## Unattributed and coverage",
    "",
    `${(r.coverage.explainedFraction * 100).toFixed(1)}% of the week's ${dollars(r.coverage.billedCents)} is explained by transfers to a workload or resource; ${dollars(r.unattributed.cents)} is billed with no transfer behind it.`,
    "",
    r.unattributed.byResource.length
      ? table(
          ["resource", "line", "cost"],
          r.unattributed.byResource.map((u) => [u.resource, u.subcategory ?? "-", dollars(u.cents)]),
          ["l", "l", "r"],
        )
      : "Nothing unattributed.",
    "",
    "## Recommendations",
    "",
    r.recommendations.length
      ? r.recommendations
          .map(
            (rec, i) =>
              `${i + 1}. **${rec.title}** (${rec.target}): saves about ${dollars(rec.monthlySavingsUsd * 100)} a month.${
                rec.change
                  ? `\n\n   \`\`\`${rec.changeFormat === "yaml" ? "yaml" : "sh"}\n${rec.change
                      .split("\n")
                      .map((l) => `   ${l}`)
                      .join("\n")}\n   \`\`\``
                  : ""
              }`,
          )
          .join("\n")
      : "No recommendation with savings for this week (or none computed).",
    "",
    "## Data quality",
    "",
    ...dataQualityLines(r).map((l) => `- ${l}`),
    "",
  );
  return out.join("\n");
}

/** The data-quality section as sentences, for every format. */
export function dataQualityLines(r: WeeklyReport): string[] {
  const q = r.dataQuality;
  const rejected = Object.entries(q.rejectedByReason);
  const lines = [
    `Flow-log records read: ${q.recordsRead.toLocaleString("en-US")}; rejected: ${
      rejected.length ? rejected.map(([k, n]) => `${n} ${k}`).join(", ") : "none"
    }.`,
    `SKIPDATA records (gaps the flow log could not capture): ${q.skipdataRecords}.`,
    `Ambiguous identity: ${gigabytes(q.ambiguousBytes)} GB attributed as ambiguous; ${q.identityOverlaps} address overlap(s), ${q.missedSnapshots} missed snapshot(s).`,
    q.missingCurDays.length
      ? `Missing CUR days (list-price estimates): ${q.missingCurDays.join(", ")}.`
      : "Missing CUR days: none.",
    q.missingDays.length
      ? `Days without results: ${q.missingDays.join(", ")}.`
      : "Days without results: none.",
  ];
  for (const f of q.failedObjects) lines.push(`Unreadable object on ${f.dt}: ${f.file} (${f.reason}).`);
  return lines;
}

/** Every table of the report as one CSV: `table,key,...` with dollars as decimal numbers. */
export function renderCsv(r: WeeklyReport): string {
  const rows: Array<Array<string | number>> = [
    [
      "table",
      "week",
      "name",
      "detail",
      "bytes",
      "cost_usd",
      "previous_cost_usd",
      "change_usd",
      "change_fraction",
      "new",
      "monthly_savings_usd",
    ],
  ];
  const usd = (cents: number) => (cents / 100).toFixed(2);
  const push = (t: string, name: string, detail: string, bytes: number | "", d: Delta, isNew = false) =>
    rows.push([
      t,
      r.week.id,
      name,
      detail,
      bytes,
      usd(d.cents),
      usd(d.previousCents),
      usd(d.deltaCents),
      d.deltaFraction === null ? "" : d.deltaFraction.toFixed(4),
      isNew ? "true" : "",
      "",
    ]);
  for (const c of r.categories) push("category", c.category, "", "", c);
  push("category", "total", "", "", r.total);
  for (const d of r.daily)
    rows.push(["daily", r.week.id, d.category, d.dt, "", usd(d.cents), "", "", "", "", ""]);
  for (const e of r.byPlace) push("account_region", e.name, "", "", e, e.isNew);
  for (const e of r.topNamespaces) push("namespace", e.name, "", "", e, e.isNew);
  for (const e of r.topWorkloads) push("workload", e.name, "", "", e, e.isNew);
  for (const e of r.topServices) push("service", e.name, "", "", e, e.isNew);
  for (const p of r.topCrossAzPairs)
    rows.push([
      "cross_az_pair",
      r.week.id,
      `${p.source} -> ${p.destination}`,
      p.zones,
      p.bytes,
      usd(p.cents),
      "",
      "",
      "",
      "",
      "",
    ]);
  for (const n of r.natByDestination) push("nat_destination", n.destination, "", n.bytes, n);
  for (const l of r.lbByService) push("lb_service", l.service, l.loadBalancer ?? "", "", l);
  for (const u of r.unattributed.byResource)
    rows.push([
      "unattributed",
      r.week.id,
      u.resource,
      u.subcategory ?? "",
      "",
      usd(u.cents),
      "",
      "",
      "",
      "",
      "",
    ]);
  for (const rec of r.recommendations)
    rows.push([
      "recommendation",
      r.week.id,
      rec.target,
      rec.kind,
      "",
      "",
      "",
      "",
      "",
      "",
      rec.monthlySavingsUsd.toFixed(2),
    ]);
  const field = (v: string | number) => {
    const t = String(v);
    return /[",\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
  };
  return `${rows.map((row) => row.map(field).join(",")).join("\n")}\n`;
}
