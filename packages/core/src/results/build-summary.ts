import type { Reconciliation, ResultRow } from "../allocation/reconcile.ts";
import type { LedgerCounts } from "../flowlog/ledger.ts";
import { chargeSplit } from "./charge-split.ts";
import {
  checkDaySummary,
  DAY_SUMMARY_SCHEMA_VERSION,
  type DayLedger,
  type DayRow,
  type DaySummary,
  type DaySummaryFields,
  dayDocumentPartsOf,
  type End,
} from "./day-summary.ts";

export interface DaySummaryInput {
  readonly reconciliation: Reconciliation;
  readonly ledger?: DayLedger | null;
  readonly identity?: DaySummary["identity"];
  readonly workloads?: DaySummary["workloads"];
  readonly warnings?: DaySummary["warnings"];
  readonly account?: string;
  readonly region?: string;
}

const cents = (usd: number | null) => (usd === null ? null : Math.round(usd * 100));

function end(row: ResultRow, p: "src" | "dst"): End {
  return {
    kind: row[`${p}_kind`],
    id: row[`${p}_resource`] ?? row[`${p}_ip`],
    namespace: row[`${p}_namespace`],
    workloadKind: row[`${p}_workload_kind`],
    workload: row[`${p}_workload`],
    azId: row[`${p}_az_id`],
    node: row[`${p}_node`],
  };
}

/**
 * One row of the document, every key in the schema's order (so it is what a parse of it returns)
 * and built as one object literal: spreading a base object of this width into the row with its
 * charges costs V8 more than twice the memory, and a day document holds 100,000 rows.
 */
function dayRow(row: ResultRow, lines: Reconciliation["rowLines"][number]): DayRow {
  const source = end(row, "src");
  const destination = end(row, "dst");
  const listCostMicros = Math.round(row.list_cost_usd * 1e6);
  const billedCents = cents(row.billed_cost_usd);
  return {
    category: row.category,
    subcategory: row.subcategory,
    source,
    destination,
    service: row.service,
    loadBalancer: row.load_balancer,
    natGateway: row.nat_gateway,
    // Rows of a day holding several accounts or Regions say which one they belong to.
    ...(row.account_id ? { account: row.account_id } : {}),
    ...(row.region ? { region: row.region } : {}),
    bytes: row.bytes,
    listCostMicros,
    billedCents,
    costBasis: row.cost_basis,
    confidence: row.confidence,
    charges: chargeSplit(
      {
        category: row.category,
        subcategory: row.subcategory,
        service: row.service,
        source,
        destination,
        bytes: row.bytes,
        listCostMicros,
        billedCents,
      },
      lines,
    ),
  };
}

/** The ledger's counts as the day document keeps them (per-object detail stays in the run's ledger). */
export function dayLedger(
  ledger: LedgerCounts & {
    failedObjects?: ReadonlyArray<{
      readonly file: string;
      readonly reason: string;
      readonly message: string;
    }>;
  },
): DayLedger {
  return {
    read: ledger.read,
    used: ledger.used,
    nodata: ledger.nodata,
    skipdata: ledger.skipdata,
    rejected: ledger.rejected,
    rejectedByReason: Object.fromEntries(
      Object.entries(ledger.rejectedByReason).filter((e): e is [string, number] => typeof e[1] === "number"),
    ),
    failedObjects: (ledger.failedObjects ?? []).map((f) => ({
      file: f.file,
      reason: f.reason,
      message: f.message,
    })),
  };
}

/** The document's fields other than its rows, in the schema's order. */
function dayFields(input: DaySummaryInput): DaySummaryFields {
  const r = input.reconciliation;
  return {
    schemaVersion: DAY_SUMMARY_SCHEMA_VERSION,
    dt: r.dt,
    costBasis: r.costBasis,
    ...(input.account === undefined ? {} : { account: input.account }),
    ...(input.region === undefined ? {} : { region: input.region }),
    lines: r.lines.map((l) => ({
      usageClass: l.usageClass,
      resourceId: l.resource,
      resourceArn: l.resourceArn,
      usageTypes: [...l.usageTypes],
      usageAmount: l.usageAmount,
      billedCents: l.cents,
      allocatedCents: l.allocatedCents,
    })),
    reconciliation: {
      costBasis: r.costBasis,
      billedCents: r.billedCents,
      allocatedCents: r.allocatedCents,
      unattributedCents: r.unattributedCents,
    },
    ledger: input.ledger ?? null,
    identity: input.identity ?? [],
    ...(input.workloads === undefined ? {} : { workloads: input.workloads }),
    warnings: input.warnings ?? [],
  };
}

/** The document's rows, each made as it is asked for: the reconciled rows, then the unattributed. */
function* dayRows(r: Reconciliation): Generator<DayRow> {
  for (let i = 0; i < r.rows.length; i++) {
    const row = r.rows[i];
    if (row) yield dayRow(row, r.rowLines[i] ?? []);
  }
  for (const row of r.unattributed) yield dayRow(row, []);
}

/**
 * One day's results document from its reconciliation: every row (unattributed included) with
 * exact money and its charge split, and the day's data-quality facts. Validated before it is
 * returned, so a writer never stores a document the readers would reject.
 */
export function buildDaySummary(input: DaySummaryInput): DaySummary {
  // The rows are built in the schema's shape, so they are checked row by row and kept rather
  // than copied; the other fields come back parsed, in the schema's order.
  return checkDaySummary({ ...dayFields(input), rows: [...dayRows(input.reconciliation)] });
}

/**
 * The text of the day document {@link buildDaySummary} returns, byte for byte as `writeDay`
 * writes it, in parts, each row made, checked and written in turn: the document is never held
 * whole (a day's rows as document objects are about 600 bytes each).
 */
export function daySummaryParts(input: DaySummaryInput, rowsPerPart?: number): Generator<string> {
  return dayDocumentPartsOf(dayFields(input), () => dayRows(input.reconciliation), rowsPerPart);
}

/** The data-quality warnings of one cluster's identity statistics for a day. */
export function identityWarnings(dt: string, s: DaySummary["identity"][number]): DaySummary["warnings"] {
  const warnings: DaySummary["warnings"] = [];
  if (s.overlaps > 0)
    warnings.push({
      code: "identity-overlap",
      message: `${dt} ${s.cluster}: ${s.overlaps} address(es) claimed by two owners at once; their traffic is labelled ambiguous`,
    });
  if (s.missedSnapshots > 0)
    warnings.push({
      code: "identity-gap",
      message: `${dt} ${s.cluster}: ${s.missedSnapshots} missed snapshot(s); pods that lived only in a gap resolve as unknown`,
    });
  if (s.nodesWithoutZone.length > 0)
    warnings.push({
      code: "node-without-az",
      message: `${dt} ${s.cluster}: nodes without an AZ ID: ${s.nodesWithoutZone.join(", ")}`,
    });
  return warnings;
}

/** A day no CUR line covers: its dollars are list-price estimates. */
export function noCurWarning(dt: string): DaySummary["warnings"][number] {
  return { code: "no-cur", message: `${dt}: no CUR lines for the day; dollars are list-price estimates` };
}

/**
 * A Region priced with us-east-1's stand-ins for items nobody looked up (or configured), naming
 * them, what they affect (only the list-cost column when the CUR bills the day) and where to set
 * them (`configHint`: the CLI's flowcost.config.json, FLOWCOST_PRICES in AWS).
 */
export function listPricePlaceholderWarning(
  region: string,
  placeholders: ReadonlyArray<string>,
  billed: boolean,
  configHint: string,
): DaySummary["warnings"][number] {
  return {
    code: "list-price-placeholder",
    message: `${region}: no looked-up list price for ${placeholders.join(", ")}; us-east-1's stand in${
      billed
        ? " for the list-cost column only (billed dollars come from the CUR)"
        : ", so these estimates may be off"
    }. Set them ${configHint} (docs/pricing.md)`,
  };
}
