import {
  flowLogFormatCapabilities,
  identityWarnings,
  listPricePlaceholderWarning,
  type PriceOverrides,
  pricesFor,
  recommendationSchema,
  whatIfResultSchema,
} from "@flowcost/core";
import { z } from "zod";
import { DESCRIBE_CALLS, type Discovery, iso } from "../discovery.ts";
import { SKIP_CODES } from "../lake/flow-log-survey.ts";
import { type PipelineResult, windowCutWarning } from "../pipeline.ts";
import { EXIT } from "./command.ts";

/**
 * The `flowcost analyze --format json` document. The zod schema is the source of truth:
 * `docs/analyze-output.schema.json` is generated from it (`flowcost schema`), and a test checks
 * that real output validates against the committed file. Bump `schemaVersion` on any change a
 * consumer could trip over (a removed or renamed field, a changed meaning); adding an optional
 * section does not bump it.
 */
export const ANALYZE_SCHEMA_VERSION = 2;

/**
 * Warning codes that name an input the analysis did not use (a skipped file, an object that
 * failed, a snapshot or CUR file that could not be read). Any of them makes `flowcost analyze`
 * exit with EXIT.inputsSkipped (4): the numbers cover what was readable, and a script must not
 * take them for the whole.
 */
export const INPUT_SKIPPED_CODES = [
  ...SKIP_CODES,
  "failed-object",
  "rejected-records",
  "misplaced-file",
  "skipped-snapshot",
  "skipped-describe",
  "skipped-cur-file",
  "skipped-ip-ranges",
] as const;

/** EXIT.ok when every input was used, EXIT.inputsSkipped (4) when a warning names one that was not. */
export function analyzeExitStatus(output: Pick<AnalyzeOutput, "warnings">): number {
  const skipped = new Set<string>(INPUT_SKIPPED_CODES);
  return output.warnings.some((w) => skipped.has(w.code)) ? EXIT.inputsSkipped : EXIT.ok;
}

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const nullableString = z.string().nullable();
const usd = z
  .number()
  .describe(
    "US dollars: billed amounts to the cent, list prices and mixes to 6 decimals (sums taken before rounding)",
  );

const endpoint = z
  .object({
    kind: nullableString.describe(
      "pod, node, nat_gateway, load_balancer, vpc_endpoint, eks_control_plane, eni, internet, ...; null when unresolved",
    ),
    id: nullableString.describe("the non-pod end's resource id or address, when the pipeline reports one"),
    namespace: nullableString,
    workloadKind: nullableString,
    workload: nullableString,
    azId: nullableString.describe("AZ ID (use1-az4), never the account-specific AZ name"),
    node: nullableString
      .optional()
      .describe("the Kubernetes node a pod or node end ran on (rows differing only by node stay apart)"),
    ip: nullableString.optional().describe("the address of an end that did not resolve"),
  })
  .strict();

export const resultRowSchema = z
  .object({
    date: date.describe("UTC day, as in the CUR"),
    category: z
      .string()
      .describe(
        "cross_az, nat, lb, same_az, internet, vpc_endpoint, or unattributed (billed cost no transfer explains)",
      ),
    subcategory: nullableString,
    source: endpoint,
    destination: endpoint,
    service: nullableString.describe("namespace/name of the Kubernetes Service, when known"),
    loadBalancer: nullableString,
    natGateway: nullableString,
    bytes: z.int().nonnegative(),
    listCostUsd: usd,
    billedCostUsd: usd.nullable().describe("allocated from the CUR; null when the cost basis is estimated"),
    costBasis: z.enum(["billed", "estimated"]),
    confidence: z.string().describe("exact, node or ambiguous"),
    account: nullableString
      .optional()
      .describe("the AWS account of the flow logs, when the folder holds several accounts or Regions"),
    region: nullableString
      .optional()
      .describe("the Region of the flow logs and of the prices, when the folder holds several"),
  })
  .strict();
export type ResultRow = z.infer<typeof resultRowSchema>;

const timeRange = z.object({ from: z.string(), to: z.string() }).strict();

const inputsSchema = z
  .object({
    flowLogs: z
      .object({
        objects: z.int(),
        text: z.int(),
        parquet: z.int(),
        layouts: z.array(z.enum(["default", "hive"])),
        accounts: z.array(z.string()),
        regions: z.array(z.string()),
        days: z.array(date),
        timeRange: timeRange.nullable(),
        formats: z
          .array(
            z
              .object({
                name: z.enum(["default", "custom"]).describe("default: AWS's default v2 format, exactly"),
                version: z.int().describe("the highest version among the fields"),
                encoding: z.enum(["text", "parquet"]),
                objects: z.int(),
                fields: z.array(z.string()),
                endpoints: z
                  .enum(["packet", "stitched", "partial"])
                  .describe(
                    "packet: pkt-srcaddr/pkt-dstaddr logged; stitched: both ends recovered by pairing each sender's egress record with the receiver's ingress record; partial: one of them logged",
                  ),
                direction: z.enum(["logged", "inferred"]),
                azId: z.enum(["logged", "inventory"]),
                awsService: z.enum(["logged", "ip-ranges"]),
                precision: z
                  .array(z.string())
                  .describe("what each missing field costs, and what flowcost does instead"),
              })
              .strict(),
          )
          .describe("every flow-log format read, with what its fields allow"),
        stitching: z
          .object({
            bytes: z.int().describe("bytes of records without packet addresses, after the receivers' copies"),
            pairedBytes: z.int().describe("both true ends recovered from the peer ENI's record"),
            ownAddressBytes: z
              .int()
              .describe("at an ENI with one address (load balancer, endpoint, NAT outside leg)"),
            ambiguousBytes: z
              .int()
              .describe("several records could pair: the end stays at the node, labelled ambiguous"),
            unpairedBytes: z
              .int()
              .describe("no record of the peer ENI: the end stays at the node, confidence node"),
          })
          .strict()
          .nullable()
          .describe("null when every format logs pkt-srcaddr/pkt-dstaddr"),
      })
      .strict(),
    cur: z
      .object({ files: z.int(), exports: z.array(z.string()), billingPeriods: z.array(z.string()) })
      .strict(),
    kubernetes: z
      .object({
        snapshots: z.int(),
        clusters: z.array(z.object({ name: z.string(), snapshots: z.int(), timeRange }).strict()),
      })
      .strict(),
    aws: z
      .object({
        calls: z.object(Object.fromEntries(DESCRIBE_CALLS.map((c) => [c, z.int()]))).strict(),
        ipRanges: z.boolean().describe("AWS's ip-ranges.json found at inventory/aws/ip-ranges.json"),
      })
      .strict(),
    missing: z.array(z.object({ input: z.string(), consequence: z.string() }).strict()),
  })
  .strict();

const categoryTotal = z
  .object({ category: z.string(), bytes: z.int(), listCostUsd: usd, billedCostUsd: usd.nullable() })
  .strict();

export const analyzeOutputSchema = z
  .object({
    schemaVersion: z.literal(ANALYZE_SCHEMA_VERSION),
    folder: z.string(),
    window: z
      .object({
        from: nullableString.describe("--from as applied, ISO 8601 UTC"),
        to: nullableString.describe("--to as applied (exclusive), ISO 8601 UTC"),
        cluster: nullableString,
        days: z.array(date),
      })
      .strict(),
    costBasis: z
      .enum(["billed", "estimated", "mixed"])
      .describe("estimated: list prices without a CUR export; billed: reconciled to the CUR"),
    inputs: inputsSchema,
    totals: z
      .object({
        bytes: z.int(),
        listCostUsd: usd,
        billedCostUsd: usd.nullable(),
        byCategory: z.array(categoryTotal),
      })
      .strict(),
    topWorkloads: z
      .array(
        z
          .object({
            namespace: nullableString,
            workloadKind: nullableString,
            workload: z.string(),
            bytesSent: z.int(),
            bytesReceived: z.int(),
            costUsd: usd.describe(
              "cost of the transfers it sends or receives (a transfer counts for both ends)",
            ),
          })
          .strict(),
      )
      .describe("by costUsd, descending; at most 10"),
    topPairs: z
      .array(
        z
          .object({
            category: z.string(),
            source: z.string(),
            destination: z.string(),
            bytes: z.int(),
            costUsd: usd,
          })
          .strict(),
      )
      .describe("by costUsd then bytes, descending; at most 10"),
    coverage: z
      .object({
        bytes: z.int(),
        resolvedBytes: z
          .int()
          .describe("bytes whose both ends resolved to a workload or a known AWS resource"),
        resolvedFraction: z.number().min(0).max(1),
        unattributedCostUsd: usd.describe("billed cost that no transfer explains"),
      })
      .strict(),
    unattributed: z.array(resultRowSchema).describe("the rows of category unattributed"),
    identity: z.array(
      z
        .object({
          date,
          cluster: z.string(),
          snapshots: z.int(),
          overlaps: z.int(),
          missedSnapshots: z.int(),
          nodesWithoutZone: z.array(z.string()),
        })
        .strict(),
    ),
    ledger: z
      .looseObject({
        read: z.int(),
        used: z.int(),
        nodata: z.int(),
        skipdata: z.int(),
        rejected: z.int(),
        rejectedByReason: z.record(z.string(), z.int()),
        failedObjects: z.array(z.looseObject({ file: z.string(), reason: z.string(), message: z.string() })),
      })
      .nullable()
      .describe(
        "the flow-log ledger: read = used + nodata + skipdata + rejected, with objects that failed whole by name; null when the pipeline kept none",
      ),
    reconciliation: z
      .array(
        z
          .object({
            date,
            costBasis: z.enum(["billed", "estimated"]),
            billedCents: z.int(),
            allocatedCents: z.int(),
            unattributedCents: z.int(),
          })
          .strict(),
      )
      .nullable()
      .describe(
        "per day: billedCents = allocatedCents + unattributedCents; null when the pipeline did not reconcile",
      ),
    warnings: z
      .array(
        z
          .object({
            code: z.string(),
            message: z.string(),
            file: z
              .string()
              .optional()
              .describe("the input file the warning is about, when it is about one (e.g. a skipped input)"),
          })
          .strict(),
      )
      .describe(
        `what changes what the result can say; a warning whose code is one of ${INPUT_SKIPPED_CODES.join(", ")} names an input that was not used, in its file field (flowcost analyze then exits 4)`,
      ),
    rows: z.array(resultRowSchema).describe("the daily result rows"),
    recommendations: z
      .array(recommendationSchema)
      .describe(
        "the catalogue rules over the window: recommended (by estimated monthly savings), applied (with the measured before/after), reports, then declined with their reason",
      ),
    whatIf: z
      .array(whatIfResultSchema)
      .describe(
        "the window's measured traffic under each routing change (zone routing, internalTrafficPolicy: Local, a NAT gateway per AZ, VPC endpoints), for the cluster, each namespace and each Service with cross-AZ traffic; list prices, 30 days",
      ),
  })
  .strict();
export type AnalyzeOutput = z.infer<typeof analyzeOutputSchema>;

/** The committed `docs/analyze-output.schema.json`, byte for byte. */
export function analyzeJsonSchema(): string {
  const schema = z.toJSONSchema(analyzeOutputSchema, { target: "draft-2020-12", io: "output" });
  return `${JSON.stringify(
    {
      ...schema,
      $id: "https://github.com/flowcost/flowcost/docs/analyze-output.schema.json",
      title: "flowcost analyze --format json",
    },
    null,
    2,
  )}\n`;
}

type Row = Readonly<Record<string, unknown>>;
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * One pipeline row in the stable output shape. Rows are read by column name, so columns the
 * attribution step adds (subcategory, service, billed cost, ...) appear as soon as it emits them.
 */
export function toResultRow(r: Row): ResultRow {
  const billed = num(r.billed_cost_usd);
  const end = (p: "src" | "dst") => {
    const workload = str(r[`${p}_workload`]);
    return {
      kind: str(r[`${p}_kind`]) ?? (workload ? "pod" : null),
      id: str(r[`${p}_id`]) ?? str(r[`${p}_resource`]) ?? str(r[`${p}_resource_id`]) ?? str(r[`${p}_ip`]),
      namespace: str(r[`${p}_namespace`]),
      workloadKind: str(r[`${p}_workload_kind`]),
      workload,
      azId: str(r[`${p}_az_id`]),
      node: str(r[`${p}_node`]),
      ip: str(r[`${p}_ip`]),
    };
  };
  const basis = str(r.cost_basis);
  return {
    date: str(r.dt) ?? "",
    category: str(r.category) ?? "unknown",
    subcategory: str(r.subcategory),
    source: end("src"),
    destination: end("dst"),
    service: str(r.service),
    loadBalancer: str(r.load_balancer),
    natGateway: str(r.nat_gateway),
    bytes: num(r.bytes) ?? 0,
    listCostUsd: num(r.list_cost_usd) ?? 0,
    billedCostUsd: billed,
    costBasis: basis === "billed" || basis === "estimated" ? basis : billed === null ? "estimated" : "billed",
    confidence: str(r.confidence) ?? "exact",
    ...(str(r.region) ? { account: str(r.account_id), region: str(r.region) } : {}),
  };
}

const costOf = (r: ResultRow) => r.billedCostUsd ?? r.listCostUsd;
const resolved = (e: ResultRow["source"]) => e.kind !== null && e.kind !== "unknown";
export const endpointLabel = (e: ResultRow["source"]) =>
  e.kind === "pod" || (e.kind === null && e.workload)
    ? `${e.namespace ?? "-"}/${e.workload}`
    : `${e.kind ?? "unknown"}${(e.workload ?? e.id) ? `:${e.workload ?? e.id}` : ""}`;

/**
 * One cluster's identity statistics, read by name: the identity step's result type is still
 * growing, and the report should keep the counts it knows whichever shape wraps them.
 */
function identityStats(entry: unknown): Omit<AnalyzeOutput["identity"][number], "date"> {
  const outer = (entry ?? {}) as Record<string, unknown>;
  const stats = (typeof outer.stats === "object" && outer.stats !== null ? outer.stats : outer) as Record<
    string,
    unknown
  >;
  const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : 0);
  return {
    cluster: str(outer.cluster) ?? str(stats.cluster) ?? "unknown",
    snapshots: count(stats.snapshots),
    overlaps: count(stats.overlaps),
    missedSnapshots: count(stats.missedSnapshots),
    nodesWithoutZone: Array.isArray(stats.nodesWithoutZone)
      ? stats.nodesWithoutZone.filter((n): n is string => typeof n === "string")
      : [],
  };
}

/** JSON money: list prices to 6 decimals (sub-cent prices stay visible), billed dollars to the cent. */
const listUsd = (n: number) => Math.round(n * 1e6) / 1e6;
const billedUsd = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
/**
 * The row with its dollars rounded, every field named in toResultRow's order: V8 gives a spread of
 * a row this wide with fields replaced about three times the memory, and the output holds a row
 * per result row of every day.
 */
const roundRow = (r: ResultRow): ResultRow => ({
  date: r.date,
  category: r.category,
  subcategory: r.subcategory,
  source: r.source,
  destination: r.destination,
  service: r.service,
  loadBalancer: r.loadBalancer,
  natGateway: r.natGateway,
  bytes: r.bytes,
  listCostUsd: listUsd(r.listCostUsd),
  billedCostUsd: billedUsd(r.billedCostUsd),
  costBasis: r.costBasis,
  confidence: r.confidence,
  ...(r.region === undefined ? {} : { account: r.account, region: r.region }),
});

/** Rounds every dollar figure once, at the end, so sums are of unrounded values (no 9.159999999999984). */
function roundMoney(a: AnalyzeOutput): AnalyzeOutput {
  return {
    ...a,
    totals: {
      ...a.totals,
      listCostUsd: listUsd(a.totals.listCostUsd),
      billedCostUsd: billedUsd(a.totals.billedCostUsd),
      byCategory: a.totals.byCategory.map((c) => ({
        ...c,
        listCostUsd: listUsd(c.listCostUsd),
        billedCostUsd: billedUsd(c.billedCostUsd),
      })),
    },
    topWorkloads: a.topWorkloads.map((w) => ({ ...w, costUsd: listUsd(w.costUsd) })),
    topPairs: a.topPairs.map((p) => ({ ...p, costUsd: listUsd(p.costUsd) })),
    coverage: { ...a.coverage, unattributedCostUsd: listUsd(a.coverage.unattributedCostUsd) },
    unattributed: a.unattributed.map(roundRow),
    rows: a.rows.map(roundRow),
  };
}

export interface AnalyzeContext {
  readonly folder: string;
  readonly discovery: Discovery;
  readonly from?: number;
  readonly to?: number;
  readonly cluster?: string;
  /** List-price overrides by Region, to name the prices that are still placeholders. */
  readonly prices?: PriceOverrides;
}

/** The whole analysis document from a pipeline run. Pure: the same result gives the same document. */
export function buildAnalysis(result: PipelineResult, context: AnalyzeContext): AnalyzeOutput {
  const rows = result.days.flatMap((d) => (d.rows as ReadonlyArray<Row>).map(toResultRow));
  const traffic = rows.filter((r) => r.category !== "unattributed");
  const unattributed = rows.filter((r) => r.category === "unattributed");
  const anyBilled = rows.some((r) => r.costBasis === "billed");
  const allBilled = rows.length > 0 && rows.every((r) => r.costBasis === "billed");
  const sumBilled = (rs: ResultRow[]) =>
    anyBilled ? rs.reduce((s, r) => s + (r.billedCostUsd ?? 0), 0) : null;

  const categories = new Map<string, ResultRow[]>();
  // Appended in place: copying a category's list per row cost 42 of the 90 CPU seconds of
  // `flowcost analyze` at 6.44M records (112,630 rows in a handful of categories: n² / 2 copies).
  for (const r of rows) {
    const mine = categories.get(r.category);
    if (mine) mine.push(r);
    else categories.set(r.category, [r]);
  }
  const byCategory = [...categories]
    .map(([category, rs]) => ({
      category,
      bytes: rs.reduce((s, r) => s + r.bytes, 0),
      listCostUsd: rs.reduce((s, r) => s + r.listCostUsd, 0),
      billedCostUsd: sumBilled(rs),
    }))
    .sort((a, b) => b.listCostUsd - a.listCostUsd || b.bytes - a.bytes || (a.category < b.category ? -1 : 1));

  const workloads = new Map<string, AnalyzeOutput["topWorkloads"][number]>();
  const touch = (e: ResultRow["source"]) => {
    if (!e.workload) return undefined;
    const id = `${e.namespace ?? ""}/${e.workload}`;
    let w = workloads.get(id);
    if (!w) {
      w = {
        namespace: e.namespace,
        workloadKind: e.workloadKind,
        workload: e.workload,
        bytesSent: 0,
        bytesReceived: 0,
        costUsd: 0,
      };
      workloads.set(id, w);
    }
    return w;
  };
  const pairs = new Map<string, AnalyzeOutput["topPairs"][number]>();
  for (const r of traffic) {
    const src = touch(r.source);
    const dst = touch(r.destination);
    if (src) {
      src.bytesSent += r.bytes;
      src.costUsd += costOf(r);
    }
    if (dst) {
      dst.bytesReceived += r.bytes;
      if (dst !== src) dst.costUsd += costOf(r);
    }
    const source = endpointLabel(r.source);
    const destination = endpointLabel(r.destination);
    const id = [r.category, source, destination].join("|");
    const p = pairs.get(id) ?? { category: r.category, source, destination, bytes: 0, costUsd: 0 };
    p.bytes += r.bytes;
    p.costUsd += costOf(r);
    pairs.set(id, p);
  }
  const ranked = <T extends { costUsd: number }>(
    items: Iterable<T>,
    bytes: (t: T) => number,
    name: (t: T) => string,
  ) =>
    [...items]
      .sort((a, b) => b.costUsd - a.costUsd || bytes(b) - bytes(a) || (name(a) < name(b) ? -1 : 1))
      .slice(0, 10);

  const totalBytes = traffic.reduce((s, r) => s + r.bytes, 0);
  const resolvedBytes = traffic
    .filter((r) => resolved(r.source) && resolved(r.destination))
    .reduce((s, r) => s + r.bytes, 0);

  const identity = result.days.flatMap((d) =>
    (d.identity.clusters as ReadonlyArray<unknown>)
      .map((c) => ({ date: d.day.dt, ...identityStats(c) }))
      .filter((c) => context.cluster === undefined || c.cluster === context.cluster),
  );

  const { discovery } = context;
  const formats = (result.flowLogFormats ?? []).map((f) => {
    const c = flowLogFormatCapabilities(f.fields);
    return {
      ...c,
      fields: [...c.fields],
      precision: [...c.precision],
      encoding: f.encoding,
      objects: f.objects,
    };
  });
  const stitching = stitchingTotals(result.days.flatMap((d) => d.stitching ?? []));
  const warnings: AnalyzeOutput["warnings"] = [
    ...discovery.missing.map((m) => ({ code: `missing-${m.input}`, message: m.consequence })),
    ...discovery.notes.map((message) => ({ code: "input-coverage", message })),
    ...discovery.misplaced.map((m) => ({
      code: "misplaced-file",
      message: `${m.path}: ignored; ${m.hint}`,
      file: m.path,
    })),
  ];
  for (const f of [...(result.skippedFiles ?? []), ...(result.skippedInputs ?? [])])
    warnings.push({ code: f.code, message: `${f.path}: ${f.reason}`, file: f.path });
  for (const f of result.ledger?.files ?? []) {
    if (f.failure || f.rejected === 0) continue;
    const reasons = Object.entries(f.rejectedByReason)
      .map(([reason, n]) => `${n} ${reason}`)
      .join(", ");
    warnings.push({
      code: "rejected-records",
      message: `${f.file}: ${f.rejected} of ${f.read} record(s) rejected (${reasons}); the rest of the object is used`,
      file: f.file,
    });
  }
  for (const f of result.ledger?.failedObjects ?? [])
    warnings.push({
      code: "failed-object",
      message: `${f.message.includes(f.file) ? f.message : `${f.file}: ${f.message}`} (${f.reason}: none of its records is used)`,
      file: f.file,
    });
  if (result.days.length === 0)
    warnings.push({
      code: "no-traffic",
      message: "no flow-log records fall in the selected window: nothing to attribute",
    });
  for (const region of result.regions) {
    const { placeholders } = pricesFor(region, context.prices);
    if (placeholders.length === 0) continue;
    warnings.push(
      listPricePlaceholderWarning(region, placeholders, anyBilled, 'under "prices" in flowcost.config.json'),
    );
  }
  for (const i of identity) warnings.push(...identityWarnings(i.date, i));
  warnings.push(...formatWarnings(formats, stitching, discovery.aws.ipRanges));
  for (const d of result.days) if (d.cutByWindow) warnings.push(windowCutWarning(d.day.dt));
  const extra = result as unknown as { ledger?: AnalyzeOutput["ledger"] };
  // Unresolved ends cannot be placed in an AZ or behind a NAT or load balancer: the $0.00 is unknown, not free.
  if (totalBytes > 0 && resolvedBytes === 0)
    warnings.push({
      code: "nothing-resolved",
      message: `no address resolved to a workload, node or AWS resource (${
        discovery.missing.map((m) => m.input).join(", ") || "no inventory matched"
      } missing), so no transfer could be classed as cross-AZ, NAT or load balancer: $0.00 here means unknown, not free`,
    });
  const reconciliation = result.days.flatMap((d) => {
    const r = (d as { reconciliation?: Record<string, unknown> }).reconciliation;
    if (!r) return [];
    const cents = (v: unknown) => (typeof v === "number" ? Math.round(v) : 0);
    return [
      {
        date: d.day.dt,
        costBasis: r.costBasis === "billed" ? ("billed" as const) : ("estimated" as const),
        billedCents: cents(r.billedCents),
        allocatedCents: cents(r.allocatedCents),
        unattributedCents: cents(r.unattributedCents),
      },
    ];
  });
  // A billing period the export holds but with no lines for the day (an empty file, lines
  // filtered out): the dollars fall back to list prices, and the output says why rather than
  // looking like a lake without a CUR.
  // When files of the period were skipped, that is said too: the lines may be in them.
  for (const day of reconciliation) {
    const period = day.date.slice(0, 7);
    if (day.costBasis !== "estimated" || !discovery.cur.billingPeriods.includes(period)) continue;
    const unread = (result.skippedInputs ?? []).filter(
      (f) =>
        f.code === "skipped-cur-file" && f.path.replaceAll("\\", "/").includes(`/BILLING_PERIOD=${period}/`),
    ).length;
    warnings.push({
      code: "cur-without-lines",
      message:
        unread === 0
          ? `${day.date}: the CUR export's BILLING_PERIOD=${period} holds no network lines for this day; its dollars are list-price estimates`
          : `${day.date}: no network lines for this day in the CUR export's BILLING_PERIOD=${period} files that could be read (${unread} could not: skipped-cur-file); its dollars are list-price estimates`,
    });
  }

  return roundMoney({
    schemaVersion: ANALYZE_SCHEMA_VERSION,
    folder: context.folder,
    window: {
      from: context.from === undefined ? null : iso(context.from),
      to: context.to === undefined ? null : iso(context.to),
      cluster: context.cluster ?? null,
      days: result.days.map((d) => d.day.dt),
    },
    costBasis: allBilled ? "billed" : anyBilled ? "mixed" : "estimated",
    inputs: {
      flowLogs: {
        ...discovery.flowLogs,
        layouts: [...discovery.flowLogs.layouts],
        timeRange: discovery.flowLogs.timeRange
          ? { from: iso(discovery.flowLogs.timeRange.from), to: iso(discovery.flowLogs.timeRange.to) }
          : null,
        formats,
        stitching,
      },
      cur: discovery.cur,
      kubernetes: {
        snapshots: discovery.kubernetes.snapshots,
        clusters: discovery.kubernetes.clusters.map((c) => ({
          name: c.name,
          snapshots: c.snapshots,
          timeRange: { from: iso(c.timeRange.from), to: iso(c.timeRange.to) },
        })),
      },
      aws: { calls: { ...discovery.aws.calls }, ipRanges: discovery.aws.ipRanges },
      missing: discovery.missing,
    },
    totals: {
      bytes: byCategory.reduce((s, c) => s + c.bytes, 0),
      listCostUsd: byCategory.reduce((s, c) => s + c.listCostUsd, 0),
      billedCostUsd: sumBilled(rows),
      byCategory,
    },
    topWorkloads: ranked(
      workloads.values(),
      (w) => w.bytesSent + w.bytesReceived,
      (w) => `${w.namespace}/${w.workload}`,
    ),
    topPairs: ranked(
      pairs.values(),
      (p) => p.bytes,
      (p) => `${p.category}|${p.source}|${p.destination}`,
    ),
    coverage: {
      bytes: totalBytes,
      resolvedBytes,
      resolvedFraction: totalBytes === 0 ? 1 : resolvedBytes / totalBytes,
      unattributedCostUsd: unattributed.reduce((s, r) => s + costOf(r), 0),
    },
    unattributed,
    identity,
    ledger: extra.ledger ?? null,
    reconciliation: reconciliation.length ? reconciliation : null,
    warnings,
    rows,
    recommendations: result.recommendations ?? [],
    whatIf: result.whatIf ?? [],
  });
}

type FormatReport = AnalyzeOutput["inputs"]["flowLogs"]["formats"][number];
type StitchingReport = AnalyzeOutput["inputs"]["flowLogs"]["stitching"];

/** The run's stitched bytes per outcome (the receivers' copies of paired records are not bytes of their own). */
function stitchingTotals(days: ReadonlyArray<{ pairing: string; bytes: number }>): StitchingReport {
  const of = (p: string) => days.filter((d) => d.pairing === p).reduce((s, d) => s + d.bytes, 0);
  const stitched = days.filter((d) => d.pairing !== "logged");
  if (stitched.length === 0) return null;
  return {
    bytes: stitched.reduce((s, d) => s + d.bytes, 0),
    pairedBytes: of("paired"),
    ownAddressBytes: of("own_address"),
    ambiguousBytes: of("ambiguous"),
    unpairedBytes: of("unpaired"),
  };
}

/**
 * One warning per format that lacks a field that matters, naming the format and what it costs,
 * with the run's measured figures when stitching ran; and the missing ip-ranges.json when a
 * format needs it.
 */
function formatWarnings(
  formats: ReadonlyArray<FormatReport>,
  stitching: StitchingReport,
  ipRanges: boolean,
): AnalyzeOutput["warnings"] {
  const warnings: AnalyzeOutput["warnings"] = [];
  const pct = (n: number, of: number) => `${(of === 0 ? 0 : (100 * n) / of).toFixed(2)}%`;
  for (const f of formats) {
    if (f.precision.length === 0) continue;
    const name = `${f.name === "default" ? "the default format" : `a custom v${f.version} format`} (${f.encoding}, ${f.objects} object${f.objects === 1 ? "" : "s"})`;
    let measured = "";
    if (f.endpoints === "stitched" && stitching)
      measured = ` This run: ${pct(stitching.pairedBytes + stitching.ownAddressBytes, stitching.bytes)} of those bytes with both ends exact, ${pct(stitching.unpairedBytes, stitching.bytes)} at node level (peer ENI not logged), ${pct(stitching.ambiguousBytes, stitching.bytes)} ambiguous.`;
    warnings.push({
      code: "flow-log-format",
      message: `flow logs in ${name}: ${f.precision.join("; ")}.${measured} A custom format with pkt-srcaddr, pkt-dstaddr, az-id, flow-direction and pkt-src/dst-aws-service gives every end directly (docs/flow-log-formats.md).`,
    });
  }
  if (!ipRanges && formats.some((f) => f.awsService === "ip-ranges"))
    warnings.push({
      code: "missing-ip-ranges",
      message:
        "no inventory/aws/ip-ranges.json and a flow-log format without pkt-*-aws-service: NAT gateway traffic to S3 and DynamoDB is reported as internet. Download AWS's ranges next to the data: curl -o lake/inventory/aws/ip-ranges.json https://ip-ranges.amazonaws.com/ip-ranges.json",
    });
  return warnings;
}
