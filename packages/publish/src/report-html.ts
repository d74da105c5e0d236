import {
  CATEGORY_NAMES,
  changeText,
  type Delta,
  dataQualityLines,
  dollars,
  gigabytes,
  NAT_DESTINATION_NAMES,
  type RankedEntry,
  reportSentences,
  type WeeklyReport,
} from "@flowcost/core";
import { reportCharts } from "./report-charts.ts";

/**
 * The weekly report as one self-contained HTML page: inline CSS, charts as inline SVG, no script
 * and no external reference, so it can be mailed, archived or printed as it is.
 */

const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; margin: 0; background: #f9fafb; }
main { max-width: 980px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
.headline { font-size: 16px; font-weight: 600; margin: 8px 0; }
.basis { color: #374151; }
.gap { background: #fef3c7; border-left: 4px solid #f59e0b; padding: 6px 10px; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #f3f4f6; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 700; border-top: 2px solid #d1d5db; }
.up { color: #b91c1c; } .down { color: #047857; }
.new { background: #dbeafe; color: #1e40af; border-radius: 3px; padding: 0 4px; font-size: 11px; margin-left: 4px; }
figure { margin: 12px 0 20px; } figcaption { font-weight: 600; margin-bottom: 4px; }
figure svg { max-width: 100%; height: auto; }
pre { background: #f3f4f6; padding: 8px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
.muted { color: #6b7280; }
@media print {
  body { background: #fff; } main { padding: 0; max-width: none; }
  h2, figure, table, .rec { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

/** The change cell: red up, green down; "-" when the previous week has nothing to compare with. */
const changeCell = (r: WeeklyReport, d: Delta) =>
  r.previousDaysPresent === 0
    ? `<td class="n muted">-</td>`
    : `<td class="n ${d.deltaCents > 0 ? "up" : d.deltaCents < 0 ? "down" : ""}">${esc(changeText(r, d))}</td>`;

function rankedTable(head: string, entries: RankedEntry[], r: WeeklyReport): string {
  if (entries.length === 0) return `<p class="muted">None this week.</p>`;
  return `<table><thead><tr><th>${esc(head)}</th><th class="n">${r.week.id}</th><th class="n">${r.previousWeek.id}</th><th class="n">change</th></tr></thead><tbody>${entries
    .map(
      (e) =>
        `<tr><td>${esc(e.name)}${e.isNew ? '<span class="new">new</span>' : ""}</td><td class="n">${dollars(e.cents)}</td><td class="n">${dollars(e.previousCents)}</td>${changeCell(r, e)}</tr>`,
    )
    .join("")}</tbody></table>`;
}

export async function renderHtml(r: WeeklyReport, options: { generatedAt?: string } = {}): Promise<string> {
  const s = reportSentences(r);
  const charts = await reportCharts(r);
  const chart = (id: string) => {
    const c = charts.find((x) => x.id === id);
    return c
      ? `<figure id="${c.id}" class="chart"><figcaption>${esc(c.title)}</figcaption>${c.svg}</figure>`
      : "";
  };
  const body = [
    `<h1>${esc(s.title)}</h1>`,
    `<p class="headline">${esc(s.headline)}</p>`,
    `<p class="basis">${esc(s.basis)}</p>`,
    ...s.gaps.map((g) => `<p class="gap">${esc(g)}</p>`),
    `<h2>Totals by category</h2>`,
    `<table><thead><tr><th>category</th><th class="n">${r.week.id}</th><th class="n">${r.previousWeek.id}</th><th class="n">change</th></tr></thead><tbody>${r.categories
      .map(
        (c) =>
          `<tr><td>${esc(CATEGORY_NAMES[c.category] ?? c.category)}</td><td class="n">${dollars(c.cents)}</td><td class="n">${dollars(c.previousCents)}</td>${changeCell(r, c)}</tr>`,
      )
      .join(
        "",
      )}<tr class="total"><td>Total</td><td class="n">${dollars(r.total.cents)}</td><td class="n">${dollars(r.total.previousCents)}</td>${changeCell(r, r.total)}</tr></tbody></table>`,
    chart("week-over-week"),
    `<h2>Daily trend</h2>`,
    chart("daily-trend"),
    ...(r.byPlace.length > 0
      ? [`<h2>Who pays: accounts and Regions</h2>`, rankedTable("account/Region", r.byPlace, r)]
      : []),
    `<h2>Who pays: top namespaces</h2>`,
    rankedTable("namespace", r.topNamespaces, r),
    `<h2>Who pays: top workloads</h2>`,
    chart("top-workloads"),
    rankedTable("workload", r.topWorkloads, r),
    `<h2>Top Services</h2>`,
    rankedTable("Service", r.topServices, r),
    `<h2>Top cross-AZ pairs</h2>`,
    `<table><thead><tr><th>source</th><th>destination</th><th>zones</th><th class="n">GB</th><th class="n">cost</th></tr></thead><tbody>${r.topCrossAzPairs
      .map(
        (p) =>
          `<tr><td>${esc(p.source)}</td><td>${esc(p.destination)}</td><td>${esc(p.zones)}</td><td class="n">${gigabytes(p.bytes)}</td><td class="n">${dollars(p.cents)}</td></tr>`,
      )
      .join("")}</tbody></table>`,
    `<h2>NAT gateway by destination</h2>`,
    chart("nat-destinations"),
    `<table><thead><tr><th>destination</th><th class="n">GB</th><th class="n">${r.week.id}</th><th class="n">${r.previousWeek.id}</th><th class="n">change</th></tr></thead><tbody>${r.natByDestination
      .map(
        (n) =>
          `<tr><td>${esc(NAT_DESTINATION_NAMES[n.destination] ?? n.destination)}</td><td class="n">${gigabytes(n.bytes)}</td><td class="n">${dollars(n.cents)}</td><td class="n">${dollars(n.previousCents)}</td>${changeCell(r, n)}</tr>`,
      )
      .join("")}</tbody></table>`,
    `<h2>Load balancers by Service</h2>`,
    r.lbByService.length
      ? `<table><thead><tr><th>Service</th><th>load balancer</th><th class="n">${r.week.id}</th><th class="n">${r.previousWeek.id}</th><th class="n">change</th></tr></thead><tbody>${r.lbByService
          .map(
            (l) =>
              `<tr><td>${esc(l.service)}</td><td>${esc(l.loadBalancer ?? "-")}</td><td class="n">${dollars(l.cents)}</td><td class="n">${dollars(l.previousCents)}</td>${changeCell(r, l)}</tr>`,
          )
          .join("")}</tbody></table>`
      : `<p class="muted">No load balancer cost this week.</p>`,
    `<h2>Unattributed and coverage</h2>`,
    `<p>${(r.coverage.explainedFraction * 100).toFixed(1)}% of the week's ${dollars(r.coverage.billedCents)} is explained by transfers to a workload or resource; ${dollars(r.unattributed.cents)} is billed with no transfer behind it.</p>`,
    r.unattributed.byResource.length
      ? `<table><thead><tr><th>resource</th><th>line</th><th class="n">cost</th></tr></thead><tbody>${r.unattributed.byResource
          .map(
            (u) =>
              `<tr><td>${esc(u.resource)}</td><td>${esc(u.subcategory ?? "-")}</td><td class="n">${dollars(u.cents)}</td></tr>`,
          )
          .join("")}</tbody></table>`
      : "",
    `<h2>Recommendations</h2>`,
    r.recommendations.length
      ? `<ol>${r.recommendations
          .map(
            (rec) =>
              `<li class="rec"><strong>${esc(rec.title)}</strong> (${esc(rec.target)}): saves about ${dollars(rec.monthlySavingsUsd * 100)} a month.${rec.change ? `<pre>${esc(rec.change)}</pre>` : ""}</li>`,
          )
          .join("")}</ol>`
      : `<p class="muted">No recommendation with savings for this week (or none computed).</p>`,
    `<h2>Data quality</h2>`,
    `<ul>${dataQualityLines(r)
      .map((l) => `<li>${esc(l)}</li>`)
      .join("")}</ul>`,
    options.generatedAt ? `<p class="muted">Generated ${esc(options.generatedAt)} by flowcost.</p>` : "",
  ].join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(s.title)}</title><style>${CSS}</style></head>
<body><main>
${body}
</main></body></html>
`;
}
