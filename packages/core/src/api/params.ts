import { z } from "zod";
import { dateString } from "../results/day-summary.ts";

/**
 * The query parameters of every route, as zod schemas: they validate requests on both hosts and
 * generate the OpenAPI document, so the two cannot drift. Each parameter's error message names it
 * and its allowed values; {@link ALLOWED} lists the values for the 400 body.
 */

export const DIMENSIONS = [
  "account",
  "region",
  "cluster",
  "namespace",
  "workload",
  "service",
  "node",
  "az",
  "category",
  "subcategory",
] as const;
export type Dimension = (typeof DIMENSIONS)[number] | `label:${string}`;

export const CATEGORIES = [
  "cross_az",
  "nat",
  "lb",
  "vpc_endpoint",
  "internet",
  "same_az",
  "unknown",
  "unattributed",
] as const;

export const SIDES = ["source", "destination", "both"] as const;

/** Pod label keys as Kubernetes allows them (an optional DNS prefix and a name). */
const LABEL_KEY = "[A-Za-z0-9]([A-Za-z0-9._/-]{0,251}[A-Za-z0-9])?";
const DIMENSION = `(${DIMENSIONS.join("|")}|label:${LABEL_KEY})`;
const CATEGORY = `(${CATEGORIES.join("|")})`;

export const MAX_WINDOW_DAYS = 92;
export const MAX_LIMIT = 1000;

/** Allowed values per parameter, as the 400 body lists them. */
export const ALLOWED = {
  from: "a UTC day, YYYY-MM-DD",
  to: `a UTC day, YYYY-MM-DD, not before from; at most ${MAX_WINDOW_DAYS} days from from`,
  groupBy: `one or two of ${DIMENSIONS.join(", ")}, label:<key>, comma-separated`,
  category: `one or more of ${CATEGORIES.join(", ")}, comma-separated`,
  namespace: "one or more Kubernetes namespaces, comma-separated",
  cluster: "a cluster name",
  account: "a 12-digit AWS account id",
  region: "an AWS Region code such as us-west-2",
  side: SIDES.join(", "),
  limit: `an integer from 1 to ${MAX_LIMIT}`,
  cursor: "the nextCursor of a previous page of the same query",
  format: "json, csv (FOCUS export); json, md, html, csv (weekly report)",
  id: "a recommendation id, URL-encoded (ids hold / and :)",
  week: "an ISO week, YYYY-Www",
} as const satisfies Readonly<Record<string, string>>;
export type ParameterName = keyof typeof ALLOWED;

const message = (name: ParameterName) => `${name} must be ${ALLOWED[name]}`;

const day = (name: "from" | "to") =>
  z
    .string({ error: message(name) })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: message(name) })
    .refine((s) => dateString.safeParse(s).success, { error: `${name} is not a calendar day` });

const window = {
  from: day("from").optional().describe("first UTC day, inclusive (default: the first day with results)"),
  to: day("to").optional().describe("last UTC day, inclusive (default: the last day with results)"),
};

const list = (name: ParameterName, item: string) =>
  z.string({ error: message(name) }).regex(new RegExp(`^${item}(,${item})*$`), { error: message(name) });

const filters = {
  category: list("category", CATEGORY).optional().describe(ALLOWED.category),
  namespace: list("namespace", "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
    .optional()
    .describe("only owners in these namespaces (for /flows, ends selected by side)"),
  cluster: z
    .string({ error: message("cluster") })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { error: message("cluster") })
    .optional()
    .describe("only rows of this cluster"),
  account: z
    .string({ error: message("account") })
    .regex(/^\d{12}$/, { error: message("account") })
    .optional()
    .describe("only rows of this AWS account (an Organization's lake holds several)"),
  region: z
    .string({ error: message("region") })
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: message("region") })
    .optional()
    .describe("only rows of this AWS Region"),
};

const paging = {
  limit: z.coerce
    .number({ error: message("limit") })
    .int({ error: message("limit") })
    .min(1, { error: message("limit") })
    .max(MAX_LIMIT, { error: message("limit") })
    .default(100)
    .describe("groups per page"),
  cursor: z
    .string({ error: message("cursor") })
    .regex(/^[A-Za-z0-9_-]{1,512}$/, { error: message("cursor") })
    .optional()
    .describe("nextCursor of the previous page; the query's other parameters must be the same"),
};

export const costsParams = z
  .object({
    ...window,
    groupBy: list("groupBy", DIMENSION)
      .refine((s) => s.split(",").length <= 2, { error: message("groupBy") })
      .refine((s) => new Set(s.split(",")).size === s.split(",").length, {
        error: "groupBy names a dimension twice",
      })
      .default("namespace,workload")
      .describe(`${ALLOWED.groupBy} (label:team groups by a workload's pod label)`),
    ...filters,
    side: z
      .enum(SIDES, { error: message("side") })
      .optional()
      .describe(
        "absent: the charge view (every billed dollar to one owner; groups sum to the bill). source, destination, both: the traffic view by that end (both counts a transfer at each end)",
      ),
    ...paging,
  })
  .strict();
export type CostsParams = z.output<typeof costsParams>;

export const flowsParams = z
  .object({
    ...window,
    ...filters,
    side: z
      .enum(SIDES, { error: message("side") })
      .default("both")
      .describe("which end the namespace filter applies to"),
    ...paging,
  })
  .strict();
export type FlowsParams = z.output<typeof flowsParams>;

export const windowParams = z.object({ ...window }).strict();
export type WindowParams = z.output<typeof windowParams>;

export const focusParams = z
  .object({
    ...window,
    format: z
      .enum(["json", "csv"], { error: "format must be json or csv" })
      .optional()
      .describe("json (default) or csv; Accept: text/csv also selects csv"),
  })
  .strict();

export const recommendationsParams = z.object({ ...window, ...paging }).strict();

export const noParams = z.object({}).strict();

export const recommendationPath = z.object({
  id: z
    .string({ error: message("id") })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,499}$/, { error: message("id") })
    .describe("the recommendation's id"),
});

export const weekPath = z.object({
  week: z
    .string({ error: message("week") })
    .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, { error: message("week") })
    .describe("ISO week, e.g. 2026-W48"),
});

export const reportParams = z
  .object({
    format: z
      .enum(["json", "md", "html", "csv"], { error: "format must be json, md, html or csv" })
      .optional()
      .describe("json, md, html or csv; without it, Accept decides (default json)"),
  })
  .strict();
