import { z } from "zod";

/**
 * One UTC day's results as one JSON document, `results/summary/dt=YYYY-MM-DD/summary.json`
 * (architecture.md, "Interfaces"): written by the attribute job after reconciliation, read by the
 * API, the weekly report and regression alerts through the {@link ResultsStore} port, so none of
 * them runs a query. The zod schema is the contract. Bump `schemaVersion` on any change a reader
 * could trip over; an added optional field does not bump it.
 *
 * Money is exact: billed amounts in whole cents (integers, as reconciliation allocates them), list
 * prices in micro-dollars (integers, rounded once per row), so every sum is an integer sum and no
 * reader sees float noise.
 */
export const DAY_SUMMARY_SCHEMA_VERSION = 2;

export const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a UTC day, YYYY-MM-DD")
  .refine((s) => {
    const ms = Date.parse(`${s}T00:00:00Z`);
    return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(s);
  }, "not a calendar day");

const nullableString = z.string().nullable();
const cents = z.int().describe("US cents, whole (exact)");
const micros = z.int().describe("US micro-dollars (1e-6 USD), whole: list price rounded once per row");

export const costBasisSchema = z
  .enum(["billed", "estimated"])
  .describe("billed: allocated from the CUR; estimated: list prices without a CUR");

/** One end of a transfer: a pod's workload, or a non-pod kind and its id. */
export const endSchema = z
  .object({
    kind: z
      .string()
      .describe(
        "pod, node, nat_gateway, load_balancer, vpc_endpoint, eks_control_plane, eni, aws_service, internet, unknown, unattributed",
      ),
    id: nullableString.describe("the non-pod end's resource id, or its address when no resource is known"),
    namespace: nullableString,
    workloadKind: nullableString,
    workload: nullableString,
    azId: nullableString.describe("AZ ID (use1-az4), never the account-specific AZ name"),
    node: nullableString.describe("the Kubernetes node the end ran on (pods and nodes)"),
  })
  .strict();
export type End = z.infer<typeof endSchema>;

/**
 * Who pays a part of a row's dollars (architecture.md, "Who pays"): the row's source end, its
 * destination end, the Service behind its load balancer, or `unattributed` (billed cost that no
 * transfer explains).
 */
export const payerSchema = z.enum(["source", "destination", "service", "unattributed"]);
export type Payer = z.infer<typeof payerSchema>;

/**
 * One payer's part of a row from one line class: a row's charges sum to its billed cents and its
 * list micro-dollars, and the charges naming a billed line sum to that line's cents.
 */
export const chargeSchema = z
  .object({
    payer: payerSchema,
    usageClass: z
      .string()
      .describe(
        "the CUR line class (inter_az_out, inter_az_in, nat_bytes, nat_hours, lb_hours, lb_lcu, vpce_bytes, vpce_hours), or for list prices without a line internet or transfer",
      ),
    resourceId: nullableString.describe(
      "the billed line's resource (instance, NAT gateway, load balancer, endpoint); null for a list-price part no line billed",
    ),
    bytes: z
      .int()
      .nonnegative()
      .describe(
        "the row's bytes on the payer's first charge of the row, 0 on its others: bytes count once per payer",
      ),
    billedCents: cents.nullable().describe("null when the day is estimated"),
    listCostMicros: micros,
  })
  .strict();
export type Charge = z.infer<typeof chargeSchema>;

export const dayRowSchema = z
  .object({
    category: z
      .string()
      .describe("cross_az, nat, lb, same_az, internet, vpc_endpoint, unknown, or unattributed"),
    subcategory: nullableString,
    source: endSchema,
    destination: endSchema,
    service: nullableString.describe("namespace/name of the Kubernetes Service, when known"),
    loadBalancer: nullableString,
    natGateway: nullableString,
    account: z.string().optional().describe("AWS account id, when the run knows it"),
    region: z.string().optional(),
    cluster: z.string().optional(),
    bytes: z.int().nonnegative(),
    listCostMicros: micros,
    billedCents: cents.nullable().describe("allocated from the CUR; null when the cost basis is estimated"),
    costBasis: costBasisSchema,
    confidence: z.string().describe("exact, node or ambiguous"),
    charges: z.array(chargeSchema).min(1).describe("who pays this row's dollars; sums to the row"),
  })
  .strict();
export type DayRow = z.infer<typeof dayRowSchema>;

const countSchema = z.int().nonnegative();

/** One billed line of the day: the CUR rows of one line class and resource, pooled. */
export const billedLineSchema = z
  .object({
    usageClass: z.string(),
    resourceId: z
      .string()
      .describe("the resource key: instance id, NAT gateway id, load balancer app/name/id, endpoint id"),
    resourceArn: z.string().describe("the resource as the CUR names it"),
    usageTypes: z.array(z.string()).describe("the CUR usage types pooled into the line"),
    usageAmount: z.number().nonnegative().describe("GB for byte lines, hours or LCUs for the others"),
    billedCents: cents,
    allocatedCents: cents.describe("allocated to transfers; the rest is the line's unattributed row"),
  })
  .strict();
export type DayBilledLine = z.infer<typeof billedLineSchema>;

export const dayLedgerSchema = z
  .object({
    read: countSchema,
    used: countSchema,
    nodata: countSchema,
    skipdata: countSchema,
    rejected: countSchema,
    rejectedByReason: z.record(z.string(), countSchema),
    failedObjects: z.array(z.object({ file: z.string(), reason: z.string(), message: z.string() }).strict()),
  })
  .strict()
  .describe("the flow-log ledger of the day's objects: read = used + nodata + skipdata + rejected");
export type DayLedger = z.infer<typeof dayLedgerSchema>;

export const reconciliationSchema = z
  .object({
    costBasis: costBasisSchema,
    billedCents: cents,
    allocatedCents: cents,
    unattributedCents: cents,
  })
  .strict()
  .describe("billedCents = allocatedCents + unattributedCents (0 throughout when estimated)");

export const identityStatsSchema = z
  .object({
    cluster: z.string(),
    snapshots: countSchema,
    overlaps: countSchema.describe("pairs of owners claiming one address at once (labelled ambiguous)"),
    missedSnapshots: countSchema,
    nodesWithoutZone: z.array(z.string()),
  })
  .strict();

export const warningSchema = z.object({ code: z.string(), message: z.string() }).strict();

/** A workload's pod labels on the day, so results group by `label:<key>` (e.g. `team`). */
export const workloadLabelsSchema = z
  .object({
    cluster: z.string().optional(),
    namespace: z.string(),
    workloadKind: nullableString,
    workload: z.string(),
    labels: z.record(z.string(), z.string()),
  })
  .strict();

/**
 * The document's fields, each validated, without the cross-field proof below: lets a writer
 * validate a day's rows one at a time ({@link dayDocumentPartsOf}) instead of copying the
 * whole document at once.
 */
export const daySummaryFieldsSchema = z
  .object({
    schemaVersion: z.literal(DAY_SUMMARY_SCHEMA_VERSION),
    dt: dateString,
    costBasis: costBasisSchema,
    account: z.string().optional(),
    region: z.string().optional(),
    rows: z.array(dayRowSchema).describe("every result row of the day, unattributed rows included"),
    lines: z.array(billedLineSchema).describe("the day's billed network lines (none when estimated)"),
    reconciliation: reconciliationSchema,
    ledger: dayLedgerSchema.nullable().describe("null when the run kept no ledger for the day"),
    identity: z.array(identityStatsSchema),
    workloads: z.array(workloadLabelsSchema).optional(),
    warnings: z.array(warningSchema),
  })
  .strict();

interface DaySummaryIssue {
  readonly path: Array<string | number>;
  readonly message: string;
}

/**
 * The document's own proof, fed a row at a time: rows add up to the reconciliation, charges to
 * their rows, each billed line's cents to the charges that name it. One implementation for the
 * schema's refinement and the row-by-row validation, so both reject the same documents.
 */
function dayProof(): {
  row(row: DayRow, index: number): DaySummaryIssue | undefined;
  finish(doc: Pick<DaySummary, "lines" | "costBasis" | "reconciliation">): DaySummaryIssue[];
} {
  const byLine = new Map<string, number>();
  let rowCents = 0;
  return {
    row(row, i) {
      rowCents += row.billedCents ?? 0;
      let billed = 0;
      let list = 0;
      for (const c of row.charges) {
        billed += c.billedCents ?? 0;
        list += c.listCostMicros;
        // Each billed line's cents are exactly the charges that name it (allocated + unattributed).
        if (c.resourceId !== null && c.billedCents !== null) {
          const key = `${c.usageClass}|${c.resourceId}`;
          byLine.set(key, (byLine.get(key) ?? 0) + c.billedCents);
        }
      }
      return billed !== (row.billedCents ?? 0) || list !== row.listCostMicros
        ? {
            path: ["rows", i, "charges"],
            message: `charges sum to ${billed} cents / ${list} micros, the row holds ${row.billedCents ?? 0} / ${row.listCostMicros}`,
          }
        : undefined;
    },
    finish(doc) {
      const issues: DaySummaryIssue[] = [];
      doc.lines.forEach((line, i) => {
        const charged = byLine.get(`${line.usageClass}|${line.resourceId}`) ?? 0;
        if (charged !== line.billedCents)
          issues.push({
            path: ["lines", i],
            message: `charges naming ${line.usageClass} ${line.resourceId} sum to ${charged} cents, the line holds ${line.billedCents}`,
          });
      });
      if (doc.costBasis === "billed") {
        const r = doc.reconciliation;
        if (rowCents !== r.billedCents || r.allocatedCents + r.unattributedCents !== r.billedCents)
          issues.push({
            path: ["reconciliation"],
            message: `rows hold ${rowCents} cents; billed ${r.billedCents} = allocated ${r.allocatedCents} + unattributed ${r.unattributedCents} must hold`,
          });
      }
      return issues;
    },
  };
}

export const daySummarySchema = daySummaryFieldsSchema.superRefine((doc, ctx) => {
  // The document carries its own proof: rows add up to the reconciliation, charges to their rows.
  const proof = dayProof();
  doc.rows.forEach((row, i) => {
    const issue = proof.row(row, i);
    if (issue) ctx.addIssue({ code: "custom", ...issue });
  });
  for (const issue of proof.finish(doc)) ctx.addIssue({ code: "custom", ...issue });
});
export type DaySummary = z.infer<typeof daySummarySchema>;

/** Where a day's summary lives, in S3 and in a local lake folder alike. */
export function daySummaryKey(dt: string): string {
  return `results/summary/dt=${dt}/summary.json`;
}

/** A day document's fields without its rows, which a writer can produce one at a time instead. */
export type DaySummaryFields = Omit<DaySummary, "rows">;

/**
 * Validates a day document as {@link daySummarySchema} does, but a row at a time: yields each
 * row's parsed copy (dropped by the caller once used, so a day of 100,000 rows is never copied
 * whole) and returns the other fields, parsed, once the proof that needs every row (lines and
 * reconciliation) holds. `rows` gives the rows afresh each time it is called (a writer can
 * build each row as it is asked for). A document that fails anywhere is parsed whole by
 * `daySummarySchema`, which throws its usual error (every issue, the same paths).
 */
function* parsedRows(
  summary: DaySummaryFields,
  rows: () => Iterable<DayRow>,
): Generator<DayRow, z.output<typeof daySummaryFieldsSchema>> {
  const rejected = (): never => {
    daySummarySchema.parse({ ...summary, rows: [...rows()] });
    throw new Error(`day document ${summary.dt}: rejected row by row but accepted whole`);
  };
  const fields = daySummaryFieldsSchema.safeParse({ ...summary, rows: [] });
  if (!fields.success) return rejected();
  const proof = dayProof();
  let i = 0;
  for (const row of rows()) {
    const parsed = dayRowSchema.safeParse(row);
    if (!parsed.success || proof.row(parsed.data, i++) !== undefined) return rejected();
    yield parsed.data;
  }
  if (proof.finish(fields.data).length > 0) return rejected();
  return fields.data;
}

/**
 * Validates a day document as {@link daySummarySchema} does and returns its parsed form (the
 * same object `daySummarySchema.parse` returns), parsing the rows one at a time rather than
 * copying the document whole and then checking it.
 */
export function parseDaySummary(summary: DaySummary): DaySummary {
  const rows: DayRow[] = [];
  const walk = parsedRows(summary, () => summary.rows);
  let step = walk.next();
  for (; !step.done; step = walk.next()) rows.push(step.value);
  // The fields in the schema's order, as a whole parse returns them, with the parsed rows.
  return { ...step.value, rows };
}

/**
 * Validates a day document as {@link daySummarySchema} does, a row at a time, and returns it
 * with the fields other than the rows parsed and the rows as given, not copied. For rows already
 * in the schema's shape, every key in the schema's order (as `buildDaySummary` makes them), that
 * is what {@link parseDaySummary} returns, without a second copy of every row.
 */
export function checkDaySummary(summary: DaySummary): DaySummary {
  const walk = parsedRows(summary, () => summary.rows);
  let step = walk.next();
  while (!step.done) step = walk.next();
  return { ...step.value, rows: summary.rows };
}

/**
 * The day document's JSON text (what `JSON.stringify` of its parsed form writes, byte for byte)
 * in parts of about `rowsPerPart` rows, validated as {@link daySummarySchema} validates it but a
 * row at a time: the document is never copied, nor its text held, whole. The proof that needs
 * every row is checked before the last part: a writer of the parts must drop what it wrote when
 * the iteration throws.
 */
export function dayDocumentParts(summary: DaySummary, rowsPerPart = 1000): Generator<string> {
  return dayDocumentPartsOf(summary, () => summary.rows, rowsPerPart);
}

/**
 * {@link dayDocumentParts} of a document given as its fields and its rows, which `rows` may
 * build one at a time as they are asked for (and again should the document fail, to name the
 * problem as a whole parse does): no row need be held beyond the part it is written in.
 */
export function* dayDocumentPartsOf(
  summary: DaySummaryFields,
  rows: () => Iterable<DayRow>,
  rowsPerPart = 1000,
): Generator<string> {
  const walk = parsedRows(summary, rows);
  // The first step checks the fields other than the rows (and throws when one fails).
  let step = walk.next();
  const fields = daySummaryFieldsSchema.parse({ ...summary, rows: [] });
  let text = "{";
  let first = true;
  for (const [key, value] of Object.entries(fields)) {
    // JSON.stringify leaves out a property whose value is undefined.
    if (value === undefined) continue;
    text += `${first ? "" : ","}${JSON.stringify(key)}:`;
    first = false;
    if (key !== "rows") {
      text += JSON.stringify(value);
      continue;
    }
    text += "[";
    for (let n = 0; !step.done; step = walk.next()) {
      text += `${n === 0 ? "" : ","}${JSON.stringify(step.value)}`;
      if (++n % rowsPerPart === 0) {
        yield text;
        text = "";
      }
    }
    text += "]";
  }
  // The proof over every row is checked when the walk ends (rows is a required field, so it has).
  while (!step.done) step = walk.next();
  yield `${text}}\n`;
}
