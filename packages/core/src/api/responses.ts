import { z } from "zod";
import { recommendationSchema } from "../recommendation/types.ts";
import { dayLedgerSchema, identityStatsSchema, warningSchema } from "../results/day-summary.ts";

/**
 * The response bodies, as zod schemas: the OpenAPI document's components come from these, and the
 * contract tests validate real responses against them.
 */

const usd = z.number().describe("US dollars, exact to the cent (billed) or micro-dollar (list)");
const date = z.string().describe("UTC day, YYYY-MM-DD");

export const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z
          .string()
          .describe(
            "invalid_parameter, unknown_parameter, not_found, method_not_allowed, unauthorized, internal",
          ),
        message: z.string().describe("names the parameter and what it allows; never internals"),
        parameter: z.string().optional(),
        allowed: z.string().optional(),
      })
      .strict(),
  })
  .strict();

export const windowInfo = z
  .object({
    from: date.nullable().describe("null when no day has results"),
    to: date.nullable(),
    days: z.array(date).describe("days in the window with results"),
    missingDays: z.array(date).describe("days in the window without results"),
  })
  .strict();

const money = {
  bytes: z.int().nonnegative(),
  listCostUsd: usd,
  billedCostUsd: usd.nullable().describe("null when no day of the group has a CUR"),
  costUsd: usd.describe("billed where billed, list price where estimated"),
  costBasis: z.enum(["billed", "estimated", "mixed"]),
  confidence: z.record(z.string(), z.int()).describe("bytes by confidence: exact, node, ambiguous"),
};

const view = {
  view: z.enum(["charge", "traffic"]),
  side: z.enum(["source", "destination", "both"]).nullable(),
  viewNote: z.string().describe("what the view counts, in words"),
};

const totals = z.object({ ...money, groups: z.int() }).strict();

export const costsResponse = z
  .object({
    ...view,
    window: windowInfo,
    groupBy: z.array(z.string()),
    currency: z.literal("USD"),
    totals,
    groups: z.array(
      z
        .object({
          key: z
            .record(z.string(), z.string().nullable())
            .describe("the group's value per groupBy dimension"),
          ...money,
          share: z.number().min(0).max(1).describe("of the total costUsd"),
        })
        .strict(),
    ),
    nextCursor: z.string().nullable().describe("pass as cursor for the next page; null on the last page"),
  })
  .strict();

const flowEnd = z
  .object({
    label: z.string(),
    kind: z.string(),
    namespace: z.string().nullable(),
    workloadKind: z.string().nullable(),
    workload: z.string().nullable(),
    azId: z.string().nullable(),
  })
  .strict();

export const flowsResponse = z
  .object({
    ...view,
    window: windowInfo,
    currency: z.literal("USD"),
    totals,
    flows: z.array(
      z
        .object({
          category: z.string(),
          subcategory: z.string().nullable(),
          source: flowEnd,
          destination: flowEnd,
          service: z.string().nullable(),
          ...money,
          share: z.number().min(0).max(1),
        })
        .strict(),
    ),
    nextCursor: z.string().nullable(),
  })
  .strict();

export const coverageResponse = z
  .object({
    window: windowInfo,
    currency: z.literal("USD"),
    totals: z
      .object({
        bytes: z.int(),
        resolvedBytes: z.int(),
        billedCostUsd: usd,
        unattributedCostUsd: usd,
        ledger: dayLedgerSchema.omit({ failedObjects: true }).nullable(),
        identityOverlaps: z.int(),
        missedSnapshots: z.int(),
      })
      .strict(),
    daysWithoutCur: z.array(date),
    daysWithoutResults: z.array(date),
    unattributedByResource: z.array(
      z
        .object({ resourceId: z.string(), usageClass: z.string(), billedCostUsd: usd, days: z.array(date) })
        .strict(),
    ),
    days: z.array(
      z
        .object({
          date,
          costBasis: z.enum(["billed", "estimated"]),
          hasCur: z.boolean(),
          reconciliation: z
            .object({ billedCostUsd: usd, allocatedCostUsd: usd, unattributedCostUsd: usd })
            .strict(),
          bytes: z.int(),
          resolvedBytes: z.int(),
          resolvedFraction: z.number(),
          ledger: dayLedgerSchema.nullable(),
          identity: z.array(identityStatsSchema),
          warnings: z.array(warningSchema),
        })
        .strict(),
    ),
  })
  .strict();

export const focusResponse = z
  .object({
    window: windowInfo,
    specification: z.string().describe("FOCUS version the columns follow"),
    allocatedMethod: z.object({ id: z.string(), description: z.string() }).strict(),
    note: z.string().optional(),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
  })
  .strict();

export const recommendationsResponse = z
  .object({
    window: windowInfo,
    recommendations: z
      .array(recommendationSchema)
      .describe("as the recommendations job wrote them, latest day per id"),
    note: z.string().optional().describe("why the list is empty, when it is"),
    nextCursor: z.string().nullable(),
  })
  .strict();

export const recommendationResponse = z.object({ date, recommendation: recommendationSchema }).strict();

export const regressionsResponse = z
  .object({
    source: z.string().describe("the stored document served"),
    state: z.unknown().describe("the regression alert state as the regressions job stored it"),
  })
  .strict();

export const healthResponse = z
  .object({
    status: z.literal("ok"),
    days: z.int().describe("days with results"),
    firstDay: date.nullable(),
    lastDay: date.nullable(),
  })
  .strict();
