import type { Discovery } from "../discovery.ts";
import { gb, table, usd, wrap } from "./format.ts";
import type { AnalyzeOutput, ResultRow } from "./output.ts";
import { renderRecommendations, renderWhatIf } from "./render-recommendations.ts";

const maybeUsd = (n: number | null) => (n === null ? "-" : usd(n));
const percent = (f: number) => `${(f * 100).toFixed(1)}%`;

/** What discovery found and what is missing, as the first lines of the table output. */
export function renderDiscovery(d: Discovery): string {
  const f = d.flowLogs;
  const lines = [
    `Inputs in ${d.folder}`,
    `  flow logs:      ${f.objects} objects (${f.text} text, ${f.parquet} Parquet; ${f.layouts.join(" + ") || "-"} key layout), accounts ${f.accounts.join(", ") || "-"}, regions ${f.regions.join(", ") || "-"}, days ${f.days.join(", ") || "-"}`,
    `  CUR 2.0:        ${d.cur.files} files${d.cur.files ? ` (export ${d.cur.exports.join(", ")}; billing periods ${d.cur.billingPeriods.join(", ")})` : ""}`,
    `  kubectl:        ${d.kubernetes.snapshots} snapshots${d.kubernetes.clusters.length ? ` (${d.kubernetes.clusters.map((c) => `${c.name}: ${c.snapshots}`).join(", ")})` : ""}`,
    `  AWS describe:   ${
      Object.entries(d.aws.calls)
        .filter(([, n]) => n > 0)
        .map(([c, n]) => `${c} ${n}`)
        .join(", ") || "none"
    }`,
  ];
  if (d.missing.length) lines.push("Missing:", ...d.missing.map((m) => `  - ${m.consequence}`));
  return lines.join("\n");
}

/** Unattributed rows: billed lines (or parts) that no transfer explains, by the resource billed. */
function unattributedTable(rows: ResultRow[]): string {
  return table(
    ["date", "billed line", "resource", "billed"],
    rows.map((r) => [
      r.date,
      r.subcategory ?? r.category,
      r.source.id ?? r.source.workload ?? "-",
      maybeUsd(r.billedCostUsd),
    ]),
    [false, false, false, true],
  );
}

/** The terminal report: totals by category, top workloads and pairs, coverage, ledger, warnings. */
export function renderTable(a: AnalyzeOutput, discovery: Discovery): string {
  const billed = a.costBasis !== "estimated";
  const out: string[] = [renderDiscovery(discovery), ""];
  // Missing inputs are listed with the inputs above; every other warning comes before the numbers.
  const warnings = a.warnings.filter((w) => !w.code.startsWith("missing-"));
  if (warnings.length) out.push("Warnings", ...warnings.map((w) => `  - ${w.message}`), "");
  const window = [a.window.from && `from ${a.window.from}`, a.window.to && `to ${a.window.to}`]
    .filter(Boolean)
    .join(" ");
  out.push(
    `Network cost ${a.window.days.length ? `for ${a.window.days.join(", ")} (UTC)` : "(no days)"}${window ? `, window ${window}` : ""}${a.window.cluster ? `, cluster ${a.window.cluster}` : ""}: ${
      billed
        ? `reconciled to the CUR (${a.costBasis})`
        : "list-price estimates (cross-AZ: $0.01/GB out at the sender + $0.01/GB in at the receiver)"
    }`,
    "",
    "Totals by category",
    table(
      ["category", "GB", "list cost", "billed cost"],
      [
        ...a.totals.byCategory.map((c) => [
          c.category,
          gb(c.bytes),
          usd(c.listCostUsd),
          maybeUsd(c.billedCostUsd),
        ]),
        ["total", gb(a.totals.bytes), usd(a.totals.listCostUsd), maybeUsd(a.totals.billedCostUsd)],
      ],
      [false, true, true, true],
    ),
    "",
    "Top workloads (a transfer counts for both its ends)",
    table(
      ["workload", "kind", "sent GB", "received GB", "cost"],
      a.topWorkloads.map((w) => [
        // Non-pod ends (a node, S3, a load balancer) have no namespace: show the name alone.
        w.namespace ? `${w.namespace}/${w.workload}` : w.workload,
        w.workloadKind ?? "-",
        gb(w.bytesSent),
        gb(w.bytesReceived),
        usd(w.costUsd),
      ]),
      [false, false, true, true, true],
    ),
    "",
    "Top pairs",
    table(
      ["category", "source", "destination", "GB", "cost"],
      a.topPairs.map((p) => [p.category, p.source, p.destination, gb(p.bytes), usd(p.costUsd)]),
      [false, false, false, true, true],
    ),
    "",
    `Coverage: ${percent(a.coverage.resolvedFraction)} of ${gb(a.coverage.bytes)} GB resolved at both ends; unattributed billed cost ${usd(a.coverage.unattributedCostUsd)}`,
  );
  if (a.unattributed.length)
    out.push("", "Unattributed (billed, no transfer explains it)", unattributedTable(a.unattributed));
  if (a.ledger !== null) {
    const l = a.ledger;
    const reasons = Object.entries(l.rejectedByReason)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`);
    out.push(
      "",
      "Flow-log ledger",
      `  records read ${l.read} = used ${l.used} + NODATA ${l.nodata} + SKIPDATA ${l.skipdata} + rejected ${l.rejected}${reasons.length ? ` (${reasons.join(", ")})` : ""}`,
      ...l.failedObjects.map((f) => `  unreadable object ${f.file}: ${f.reason} (${f.message})`),
    );
    const gaps = (l as { dataGaps?: unknown }).dataGaps;
    if (Array.isArray(gaps) && gaps.length)
      out.push(`  ${gaps.length} SKIPDATA window(s): data gaps, under-reported traffic (see --format json)`);
  }
  // Only days with CUR lines reconcile; an estimated day has no bill to add up to.
  if (a.reconciliation?.some((r) => r.costBasis === "billed"))
    out.push(
      "",
      "Reconciliation to the CUR (billed = allocated + unattributed)",
      ...a.reconciliation.map((r) =>
        r.costBasis === "billed"
          ? `  ${r.date}: billed ${usd(r.billedCents / 100)} = allocated ${usd(r.allocatedCents / 100)} + unattributed ${usd(r.unattributedCents / 100)}`
          : `  ${r.date}: not reconciled (list-price estimates; see the warnings above)`,
      ),
    );
  if (a.identity.length)
    out.push(
      "",
      "Identity",
      ...a.identity.map(
        (i) =>
          `  ${i.date} ${i.cluster}: ${i.snapshots} snapshots, ${i.overlaps} overlapping owner(s), ${i.missedSnapshots} missed snapshot(s)`,
      ),
    );
  // Commands in the advice stay on one line (copy-paste); renderRecommendations wraps its prose itself.
  const advice = [...renderRecommendations(a.recommendations), ...renderWhatIf(a.whatIf)];
  return `${wrap(out.join("\n"))}\n${advice.length ? `${advice.join("\n")}\n` : ""}`;
}

const CSV_COLUMNS = [
  "date",
  "category",
  "subcategory",
  "src_kind",
  "src_id",
  "src_namespace",
  "src_workload_kind",
  "src_workload",
  "src_az_id",
  "src_node",
  "src_ip",
  "dst_kind",
  "dst_id",
  "dst_namespace",
  "dst_workload_kind",
  "dst_workload",
  "dst_az_id",
  "dst_node",
  "dst_ip",
  "service",
  "load_balancer",
  "nat_gateway",
  "bytes",
  "list_cost_usd",
  "billed_cost_usd",
  "cost_basis",
  "confidence",
] as const;

/** RFC 4180: quote a field holding a comma, quote or line break; double embedded quotes. */
function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The daily result rows, one CSV line each, snake_case columns as in the SQL results. */
export function renderCsv(rows: ReadonlyArray<ResultRow>): string {
  const lines = rows.map((r) =>
    [
      r.date,
      r.category,
      r.subcategory,
      r.source.kind,
      r.source.id,
      r.source.namespace,
      r.source.workloadKind,
      r.source.workload,
      r.source.azId,
      r.source.node ?? null,
      r.source.ip ?? null,
      r.destination.kind,
      r.destination.id,
      r.destination.namespace,
      r.destination.workloadKind,
      r.destination.workload,
      r.destination.azId,
      r.destination.node ?? null,
      r.destination.ip ?? null,
      r.service,
      r.loadBalancer,
      r.natGateway,
      r.bytes,
      r.listCostUsd,
      r.billedCostUsd,
      r.costBasis,
      r.confidence,
    ]
      .map(csvField)
      .join(","),
  );
  return `${[CSV_COLUMNS.join(","), ...lines].join("\r\n")}\r\n`;
}
