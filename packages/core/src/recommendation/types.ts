import { z } from "zod";

/**
 * The recommendation record (architecture.md "Recommendations"). Field names follow AWS Cost
 * Optimization Hub where one exists (`estimatedMonthlySavings`, `implementationEffort`,
 * `restartNeeded`, `rollbackPossible`); the rest is flowcost's evidence: measured bytes and
 * dollars over the window, the preconditions checked with what was observed, and the exact change.
 */
export const RECOMMENDATION_KINDS = [
  "topology_aware_routing",
  "topology_spread",
  "internal_traffic_policy_local",
  "nat_gateway_per_az",
  "s3_gateway_endpoint",
  "dynamodb_gateway_endpoint",
  "interface_endpoint",
  "lb_ip_target_mode",
  "nlb_cross_zone_off",
  "nodelocal_dnscache",
  "bypasses_services",
] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

const usd = z.number();

export const targetSchema = z
  .object({
    type: z.enum(["Service", "Workload", "NatGateway", "LoadBalancer", "Vpc", "Cluster"]),
    cluster: z.string().nullable(),
    namespace: z.string().nullable(),
    kind: z.string().nullable().describe("Kubernetes kind (Service, Deployment, ...) or AWS resource type"),
    name: z.string(),
    resourceId: z.string().nullable().describe("AWS resource id or ARN, when the target is one"),
  })
  .strict();
export type RecommendationTarget = z.infer<typeof targetSchema>;

export const flowSchema = z
  .object({
    category: z.string(),
    subcategory: z.string().nullable(),
    source: z.string(),
    destination: z.string(),
    sourceAzId: z.string().nullable(),
    destinationAzId: z.string().nullable(),
    bytes: z.int(),
    listCostUsd: usd,
    billedCostUsd: usd.nullable(),
  })
  .strict();
export type EvidenceFlow = z.infer<typeof flowSchema>;

export const confidenceMixSchema = z
  .object({ exact: z.int(), node: z.int(), ambiguous: z.int() })
  .strict()
  .describe("bytes behind the recommendation by attribution confidence");

export const preconditionSchema = z
  .object({
    name: z.string(),
    required: z.string(),
    observed: z.string(),
    met: z.boolean(),
  })
  .strict();
export type Precondition = z.infer<typeof preconditionSchema>;

export const savingsSchema = z
  .object({
    formula: z.string().describe("how the monthly figure follows from the inputs below"),
    measuredBytes: z.int().describe("bytes over the window the change removes or reprices"),
    windowDays: z.number().describe("measured time the bytes cover, in days"),
    monthDays: z.literal(30),
    prices: z.record(z.string(), z.number()).describe("list prices used, USD"),
    addedHours: z
      .array(
        z
          .object({ item: z.string(), count: z.int(), hoursPerMonth: z.number(), pricePerHour: z.number() })
          .strict(),
      )
      .describe("hourly items the change adds (NAT gateways, endpoint AZs), per 30-day month"),
    grossMonthlySavingsUsd: usd,
    addedMonthlyCostUsd: usd,
  })
  .strict();
export type SavingsInputs = z.infer<typeof savingsSchema>;

export const changeSchema = z
  .object({
    format: z.enum(["kubectl", "yaml", "aws-cli", "none"]),
    text: z.string().describe("ready to run or apply, with the real names filled in"),
    patch: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("for kubectl patch: the JSON merge patch the command applies"),
    alternatives: z.array(z.object({ option: z.string(), text: z.string() }).strict()),
  })
  .strict();
export type Change = z.infer<typeof changeSchema>;

export const beforeAfterSchema = z
  .object({
    appliedAt: z.string().describe("first snapshot showing the change, ISO 8601 UTC"),
    observed: z.string().describe("what the snapshot shows"),
    beforeDays: z.array(z.string()),
    afterDays: z.array(z.string()),
    beforeDailyCostUsd: usd.nullable().describe("list cost per measured day (24 h) before the change"),
    afterDailyCostUsd: usd.nullable(),
    beforeDailyBytes: z.number().nullable(),
    afterDailyBytes: z.number().nullable(),
  })
  .strict();
export type BeforeAfter = z.infer<typeof beforeAfterSchema>;

export const recommendationSchema = z
  .object({
    id: z.string().describe("stable: kind and target, the same in every run"),
    kind: z.enum(RECOMMENDATION_KINDS),
    status: z
      .enum(["recommended", "declined", "applied", "report"])
      .describe("report: measured and shown, but no routing change can fix it"),
    title: z.string().describe("the advice in one sentence"),
    target: targetSchema,
    reason: z
      .string()
      .nullable()
      .describe("why it was declined, or 'needs <input>' when an input is missing"),
    evidence: z
      .object({
        bytes: z.int(),
        listCostUsd: usd,
        billedCostUsd: usd.nullable(),
        windowDays: z.number(),
        topFlows: z.array(flowSchema),
        endpointsPerZone: z.record(z.string(), z.int()).nullable(),
        clientZones: z.record(z.string(), z.int()).nullable().describe("client bytes by AZ ID"),
        notes: z.array(z.string()),
      })
      .strict(),
    preconditions: z.array(preconditionSchema),
    risk: z.string(),
    estimatedMonthlySavingsUsd: usd.describe("list price, 30 days; 0 when declined or a report"),
    savings: savingsSchema.nullable(),
    implementationEffort: z.enum(["VeryLow", "Low", "Medium", "High", "VeryHigh"]),
    restartNeeded: z.boolean(),
    rollbackPossible: z.boolean(),
    change: changeSchema,
    confidence: z.enum(["exact", "node", "ambiguous"]),
    confidenceMix: confidenceMixSchema,
    beforeAfter: beforeAfterSchema.nullable(),
  })
  .strict();
export type Recommendation = z.infer<typeof recommendationSchema>;

/** One day's written document (`results/recommendations/dt=YYYY-MM-DD/recommendations.json`). */
export const recommendationsDocumentSchema = z
  .object({
    dt: z.string(),
    windowDays: z.number(),
    recommendations: z.array(recommendationSchema),
  })
  .strict();
export type RecommendationsDocument = z.infer<typeof recommendationsDocumentSchema>;
