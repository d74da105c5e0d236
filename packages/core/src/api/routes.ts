import { z } from "zod";
import { InvalidInputError } from "../errors.ts";
import { recommendationsKey } from "../recommendation/document.ts";
import { recommendationsDocumentSchema } from "../recommendation/types.ts";
import { parseIsoWeek, previousIsoWeek } from "../report/iso-week.ts";
import { buildWeeklyReport, recommendationsDocumentInput } from "../report/weekly-report.ts";
import { parseDocument, type ResultsStore } from "../results/store.ts";
import { DayCache } from "./day-cache.ts";
import { FOCUS_METHOD_DESCRIPTION, FOCUS_METHOD_ID, focusCsv, focusRows } from "./focus.ts";
import {
  ApiError,
  type ApiRequest,
  type ApiResponse,
  contentHash,
  decodeCursor,
  encodeCursor,
  errorBody,
  etagMatches,
  JSON_TYPE,
} from "./http.ts";
import {
  ALLOWED,
  costsParams,
  flowsParams,
  focusParams,
  MAX_WINDOW_DAYS,
  noParams,
  recommendationPath,
  recommendationsParams,
  reportParams,
  weekPath,
  windowParams,
} from "./params.ts";
import {
  costsResponse,
  coverageResponse,
  flowsResponse,
  focusResponse,
  healthResponse,
  recommendationResponse,
  recommendationsResponse,
  regressionsResponse,
} from "./responses.ts";
import { costGroups, coverage, flowPairs, type LoadedWindow, type Ranked } from "./views.ts";

/**
 * The HTTP API's routes, host-independent: both hosts (the API Lambda, `flowcost serve`) pass an
 * authenticated {@link ApiRequest} to {@link Api.handle} and write out the {@link ApiResponse}.
 * Every route reads precomputed day documents through the results store; nothing runs a query.
 */

export interface ApiOptions {
  readonly store: ResultsStore;
  /** Milliseconds since the epoch; the caches' clock (the host's, so core never reads time itself). */
  readonly now: () => number;
  /** How long listings and responses are reused before the store is asked again (default 5 s). */
  readonly cacheTtlMs?: number;
  /** Cache-Control max-age for clients (default 60 s); responses are `private` (cost data). */
  readonly maxAgeSeconds?: number;
}

type Body = { readonly json: unknown } | { readonly text: string; readonly contentType: string };

interface RouteContext {
  readonly days: DayCache;
  readonly store: ResultsStore;
  readonly request: ApiRequest;
}

export interface RouteDefinition {
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly query: z.ZodObject;
  readonly pathParams?: z.ZodObject;
  readonly response: z.ZodType;
  /** Other media types the route can answer with (besides application/json). */
  readonly alternatives?: ReadonlyArray<string>;
  readonly notFound?: string;
  /**
   * How an answer is reused: `days` while the day documents are unchanged (the answer is a pure
   * function of them), `ttl` for at most the cache TTL (it reads other documents too), `none`
   * (health reports what the store holds now).
   */
  readonly cache: "days" | "ttl" | "none";
  // biome-ignore lint/suspicious/noExplicitAny: each route's input type is its own schema's output
  run(ctx: RouteContext, input: any): Promise<Body>;
}

const VIEW_NOTES = {
  charge:
    "charge view: every billed dollar has exactly one owner (InterZone-Out to the sender's workload, InterZone-In to the receiver's, NAT gateway processing and hours to the workload behind the NAT, load balancer hours and LCUs to the Service behind it, endpoint charges to the caller, the rest to unattributed), so the groups sum to the bill",
  source: "traffic view by source: each transfer's whole cost on its source end",
  destination: "traffic view by destination: each transfer's whole cost on its destination end",
  both: "traffic view by both ends: each transfer counts at its source and at its destination, so groups sum to more than the bill; for exploring, not for chargeback",
  pairs: "traffic view by pair: each transfer once, with both ends and their AZ IDs; pairs sum to the bill",
} as const;

const dayMs = 86_400_000;
const addDays = (dt: string, n: number) =>
  new Date(Date.parse(`${dt}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);

/** The requested window, clamped to what the store holds when open-ended, with its documents. */
async function loadWindow(
  ctx: RouteContext,
  params: { from?: string; to?: string },
): Promise<LoadedWindow & { info: unknown }> {
  const available = await ctx.days.days();
  const from = params.from ?? available[0];
  const to = params.to ?? available[available.length - 1];
  if (from === undefined || to === undefined) {
    const info = { from: from ?? null, to: to ?? null, days: [], missingDays: [] };
    return { from: from ?? "", to: to ?? "", days: [], missingDays: [], info };
  }
  if (to < from)
    throw new ApiError(400, "invalid_parameter", `to (${to}) is before from (${from})`, {
      parameter: "to",
      allowed: ALLOWED.to,
    });
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs + 1;
  if (span > MAX_WINDOW_DAYS)
    throw new ApiError(
      400,
      "invalid_parameter",
      `from ${from} to ${to} spans ${span} days; at most ${MAX_WINDOW_DAYS}`,
      {
        parameter: "to",
        allowed: ALLOWED.to,
      },
    );
  const days = [];
  const missingDays = [];
  for (let dt = from; dt <= to; dt = addDays(dt, 1)) {
    const doc = await ctx.days.day(dt);
    if (doc) days.push(doc);
    else missingDays.push(dt);
  }
  return {
    from,
    to,
    days,
    missingDays,
    info: { from, to, days: days.map((d) => d.dt), missingDays },
  };
}

/** The query a cursor belongs to: every parameter but the cursor and the page size. */
const queryFingerprint = (route: string, params: Record<string, unknown>) =>
  contentHash(
    JSON.stringify([
      route,
      Object.entries(params)
        .filter(([k]) => k !== "cursor" && k !== "limit")
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    ]),
  );

/** One page of a ranked list, after the cursor's item: keyset paging over a total order. */
function page<T>(
  ranked: Ranked<T>[],
  params: { limit: number; cursor?: string },
  query: string,
): { items: Array<Ranked<T>>; nextCursor: string | null } {
  let start = 0;
  if (params.cursor !== undefined) {
    const c = decodeCursor(params.cursor, query);
    start = ranked.findIndex(
      (r) =>
        r.costMicros < c.cost ||
        (r.costMicros === c.cost && (r.bytes < c.bytes || (r.bytes === c.bytes && r.sortKey > c.key))),
    );
    if (start < 0) start = ranked.length;
  }
  const items = ranked.slice(start, start + params.limit);
  const last = items[items.length - 1];
  const more = start + params.limit < ranked.length;
  return {
    items,
    nextCursor:
      more && last
        ? encodeCursor({ query, cost: last.costMicros, bytes: last.bytes, key: last.sortKey })
        : null,
  };
}

const share = (micros: number, total: number) => (total === 0 ? 0 : micros / total);

/** Recommendations of the window's days, the latest day's record per id. */
async function readRecommendations(ctx: RouteContext, window: LoadedWindow) {
  const keys = await ctx.store.listDocuments("results/recommendations/");
  const byId = new Map<string, { dt: string; item: { id: string } & Record<string, unknown> }>();
  for (const key of keys) {
    const dt = /dt=(\d{4}-\d{2}-\d{2})\/recommendations\.json$/.exec(key)?.[1];
    if (!dt || key !== recommendationsKey(dt) || dt < window.from || dt > window.to) continue;
    const text = await ctx.store.readDocument(key);
    if (text === undefined) continue;
    const doc = parseDocument(key, text, recommendationsDocumentSchema);
    for (const item of doc.recommendations) {
      const seen = byId.get(item.id);
      if (!seen || seen.dt < dt) byId.set(item.id, { dt, item });
    }
  }
  return { keys, byId };
}

const savingsMicros = (item: Record<string, unknown>) => {
  const v = item.estimatedMonthlySavingsUsd;
  return typeof v === "number" && Number.isFinite(v) ? Math.round(v * 1e6) : 0;
};

const REPORT_TYPES = {
  json: "application/json; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  csv: "text/csv; charset=utf-8",
} as const;

/** The format a client asked for: `?format=` first, then the Accept header, else the default. */
function negotiate<F extends string>(
  request: ApiRequest,
  format: F | undefined,
  types: Readonly<Record<F, string>>,
  fallback: F,
): F {
  if (format) return format;
  const accept = request.headers.accept ?? "";
  for (const part of accept.split(",")) {
    const mime = part.split(";")[0]?.trim();
    const hit = (Object.entries(types) as Array<[F, string]>).find(([, t]) => t.split(";")[0] === mime);
    if (hit) return hit[0];
  }
  return fallback;
}

export const ROUTES: ReadonlyArray<RouteDefinition> = [
  {
    path: "/v1/costs",
    operationId: "getCosts",
    summary: "Network cost by owner: chargeback (charge view) or exploration (traffic view)",
    description: `Groups the window's dollars by one or two dimensions. Without side: ${VIEW_NOTES.charge}. With side: the traffic view.`,
    query: costsParams,
    response: costsResponse,
    cache: "days",
    async run(ctx, params: z.output<typeof costsParams>) {
      const window = await loadWindow(ctx, params);
      const result = costGroups(window, params);
      const { items, nextCursor } = page(result.ranked, params, queryFingerprint("costs", params));
      return {
        json: {
          view: result.view,
          side: result.side,
          viewNote: VIEW_NOTES[result.side ?? "charge"],
          window: window.info,
          groupBy: params.groupBy.split(","),
          currency: "USD",
          totals: result.totals,
          groups: items.map((r) => ({ ...r.item, share: share(r.costMicros, result.totalCostMicros) })),
          nextCursor,
        },
      };
    },
  },
  {
    path: "/v1/flows",
    operationId: "getFlows",
    summary: "Top flow pairs, with both ends and their AZ IDs",
    description: VIEW_NOTES.pairs,
    query: flowsParams,
    response: flowsResponse,
    cache: "days",
    async run(ctx, params: z.output<typeof flowsParams>) {
      const window = await loadWindow(ctx, params);
      const result = flowPairs(window, params);
      const total = result.ranked.reduce((s, r) => s + r.costMicros, 0);
      const { items, nextCursor } = page(result.ranked, params, queryFingerprint("flows", params));
      return {
        json: {
          view: "traffic",
          side: params.side,
          viewNote: VIEW_NOTES.pairs,
          window: window.info,
          currency: "USD",
          totals: result.totals,
          flows: items.map((r) => ({ ...r.item, share: share(r.costMicros, total) })),
          nextCursor,
        },
      };
    },
  },
  {
    path: "/v1/coverage",
    operationId: "getCoverage",
    summary:
      "Data quality: ledger, unattributed dollars by resource, identity overlaps and gaps, days without a CUR",
    description: "Per day and in total over the window.",
    query: windowParams,
    response: coverageResponse,
    cache: "days",
    async run(ctx, params: z.output<typeof windowParams>) {
      const window = await loadWindow(ctx, params);
      return { json: { window: window.info, currency: "USD", ...coverage(window) } };
    },
  },
  {
    path: "/v1/recommendations",
    operationId: "listRecommendations",
    summary: "Recommendations with their evidence and savings, by estimated monthly savings",
    description:
      "Read from results/recommendations/dt=<day>/recommendations.json; the latest day's record per id. Empty, with a note, until the recommendations job has written any.",
    query: recommendationsParams,
    response: recommendationsResponse,
    cache: "ttl",
    async run(ctx, params: z.output<typeof recommendationsParams>) {
      const window = await loadWindow(ctx, params);
      const { keys, byId } = await readRecommendations(ctx, window);
      const ranked = [...byId.values()]
        .map((r) => ({ item: r.item, costMicros: savingsMicros(r.item), bytes: 0, sortKey: r.item.id }))
        .sort((a, b) => b.costMicros - a.costMicros || (a.sortKey < b.sortKey ? -1 : 1));
      const { items, nextCursor } = page(ranked, params, queryFingerprint("recommendations", params));
      const note =
        keys.length === 0
          ? "no recommendations have been written yet (results/recommendations/ is empty)"
          : byId.size === 0
            ? "no recommendations for the days of this window"
            : undefined;
      return {
        json: {
          window: window.info,
          recommendations: items.map((r) => r.item),
          ...(note ? { note } : {}),
          nextCursor,
        },
      };
    },
  },
  {
    path: "/v1/recommendations/{id}",
    operationId: "getRecommendation",
    summary: "One recommendation by id (its latest day)",
    description: "404 naming the id when no day holds it.",
    query: noParams,
    pathParams: recommendationPath,
    response: recommendationResponse,
    notFound: "no recommendation with this id",
    cache: "ttl",
    async run(ctx, input: z.output<typeof recommendationPath>) {
      const days = await ctx.days.days();
      const window = { from: "0000-00-00", to: "9999-99-99", days: [], missingDays: [] };
      const { byId } = await readRecommendations(ctx, window);
      const hit = byId.get(input.id);
      if (!hit)
        throw new ApiError(
          404,
          "not_found",
          `no recommendation with id "${input.id}"${days.length ? "" : " (no results yet)"}`,
          {
            parameter: "id",
          },
        );
      return { json: { date: hit.dt, recommendation: hit.item } };
    },
  },
  {
    path: "/v1/regressions",
    operationId: "getRegressions",
    summary: "Regression alerts as the daily regressions job stored them",
    description:
      "Serves state/regressions/alerts.json; 404 with a message until the regressions job has run.",
    query: noParams,
    response: regressionsResponse,
    notFound: "the regressions job has not stored any state yet",
    cache: "ttl",
    async run(ctx) {
      const key = REGRESSIONS_KEY;
      // Listed before read: the API's IAM allows listing its prefixes, and S3 refuses a missing key
      // as AccessDenied to a reader that could not list it.
      const listed = (await ctx.store.listDocuments("state/regressions/")).includes(key);
      const text = listed ? await ctx.store.readDocument(key) : undefined;
      if (text === undefined)
        throw new ApiError(
          404,
          "not_found",
          `no regressions yet: ${key} does not exist (run flowcost regressions, or wait for the daily job)`,
        );
      return { json: { source: key, state: parseDocument(key, text, z.unknown()) } };
    },
  },
  {
    path: "/v1/reports/weekly/{week}",
    operationId: "getWeeklyReport",
    summary: "The weekly report of an ISO week, as JSON, Markdown, HTML or CSV",
    description:
      "Serves reports/weekly/<week>.<md|html|csv> as the weekly job wrote it; JSON is the report's content, built from the stored days as the weekly job builds it. The format comes from ?format= or Accept (default json).",
    query: reportParams,
    pathParams: weekPath,
    response: z.unknown().describe("the report; see the weekly report's own documentation"),
    alternatives: ["text/markdown", "text/html", "text/csv"],
    notFound: "no report for this week in the requested format",
    cache: "ttl",
    async run(ctx, input: z.output<typeof weekPath> & z.output<typeof reportParams>) {
      const format = negotiate(ctx.request, input.format, REPORT_TYPES, "json");
      const key = `reports/weekly/${input.week}.${format}`;
      const stored = await ctx.store.listDocuments("reports/weekly/");
      const text = stored.includes(key) ? await ctx.store.readDocument(key) : undefined;
      if (text === undefined && format === "json") {
        // No stored JSON: the report's content built from the stored days, as the weekly job builds it.
        const report = await weeklyReportJson(ctx, input.week);
        if (report) return { json: report };
      }
      if (text === undefined) {
        const present = stored
          .filter((k) => k.startsWith(`reports/weekly/${input.week}.`))
          .map((k) => k.slice(k.lastIndexOf(".") + 1));
        throw new ApiError(
          404,
          "not_found",
          present.length
            ? `no ${format} report for ${input.week}; stored formats: ${present.join(", ")} (ask with ?format=)`
            : `no ${format} report stored for ${input.week} (run flowcost report, or wait for the weekly job)${
                format === "json"
                  ? "; no day of that week has results"
                  : "; format=json builds its content from the day results"
              }`,
          { parameter: present.length ? "format" : "week" },
        );
      }
      return { text, contentType: REPORT_TYPES[format] };
    },
  },
  {
    path: "/v1/export/focus",
    operationId: "exportFocus",
    summary: "The attributed dollars as FOCUS allocated-charge rows tied to their origin CUR lines",
    description: `${FOCUS_METHOD_DESCRIPTION} Per origin line, allocated + unattributed = the line's billed cost. JSON by default; CSV with ?format=csv or Accept: text/csv.`,
    query: focusParams,
    response: focusResponse,
    alternatives: ["text/csv"],
    cache: "days",
    async run(ctx, params: z.output<typeof focusParams>) {
      const window = await loadWindow(ctx, params);
      const rows = window.days.flatMap((d) => focusRows(d));
      const format = negotiate(
        ctx.request,
        params.format,
        { json: JSON_TYPE, csv: "text/csv; charset=utf-8" },
        "json",
      );
      if (format === "csv") return { text: focusCsv(rows), contentType: "text/csv; charset=utf-8" };
      const estimated = window.days.filter((d) => d.costBasis === "estimated").map((d) => d.dt);
      return {
        json: {
          window: window.info,
          specification: "FOCUS 1.3 (allocated charges)",
          allocatedMethod: { id: FOCUS_METHOD_ID, description: FOCUS_METHOD_DESCRIPTION },
          ...(estimated.length
            ? {
                note: `no CUR for ${estimated.join(", ")}: list-price estimates have no origin line to allocate`,
              }
            : {}),
          rows,
        },
      };
    },
  },
  {
    path: "/v1/health",
    operationId: "getHealth",
    summary: "Liveness and what the results store holds",
    description: "200 when the store answers.",
    query: noParams,
    response: healthResponse,
    cache: "none",
    async run(ctx) {
      const days = await ctx.days.days();
      return {
        json: {
          status: "ok",
          days: days.length,
          firstDay: days[0] ?? null,
          lastDay: days[days.length - 1] ?? null,
        },
      };
    },
  },
];

/**
 * A week's report content (core's buildWeeklyReport) from the stored days of the week and the
 * week before, with the week's latest recommendations document; undefined when no day of the
 * week has results.
 */
async function weeklyReportJson(ctx: RouteContext, id: string) {
  const week = parseIsoWeek(id);
  if (!week)
    throw new ApiError(400, "invalid_parameter", `week ${id} does not exist`, {
      parameter: "week",
      allowed: ALLOWED.week,
    });
  const available = await ctx.days.days();
  if (!available.some((dt) => dt >= week.start && dt <= week.end)) return undefined;
  const from = previousIsoWeek(week).start;
  const days = [];
  for (const dt of available.filter((d) => d >= from && d <= week.end)) {
    const doc = await ctx.days.day(dt);
    if (doc) days.push(doc);
  }
  const recKeys = (await ctx.store.listDocuments("results/recommendations/")).filter((k) => {
    const dt = /dt=(\d{4}-\d{2}-\d{2})\/recommendations\.json$/.exec(k)?.[1];
    return dt !== undefined && dt >= week.start && dt <= week.end;
  });
  const recKey = recKeys[recKeys.length - 1];
  const recText = recKey === undefined ? undefined : await ctx.store.readDocument(recKey);
  const recommendations =
    recKey === undefined || recText === undefined
      ? undefined
      : parseDocument(recKey, recText, recommendationsDocumentInput);
  return buildWeeklyReport({ week, days, recommendations });
}

/** Where the regressions job keeps its alert state (engineer ops's `ALERT_STATE_KEY`). */
export const REGRESSIONS_KEY = "state/regressions/alerts.json";

export const OPENAPI_PATH = "/v1/openapi.json";

function matchRoute(path: string): { route: RouteDefinition; params: Record<string, string> } | undefined {
  const parts = path.split("/");
  for (const route of ROUTES) {
    const pattern = route.path.split("/");
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    pattern.forEach((p, i) => {
      const value = parts[i] ?? "";
      if (p.startsWith("{")) params[p.slice(1, -1)] = decodeURIComponentSafe(value);
      else if (p !== value) ok = false;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

const decodeURIComponentSafe = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** A zod failure as the 400 body: the first bad parameter by name, and what it allows. */
function parameterError(error: z.ZodError, schema: z.ZodObject): ApiError {
  const issue = error.issues[0];
  const known = Object.keys(schema.shape);
  if (issue?.code === "unrecognized_keys") {
    const name = issue.keys[0] ?? "";
    return new ApiError(
      400,
      "unknown_parameter",
      `unknown parameter ${name}; this route takes ${known.length ? known.join(", ") : "no parameters"}`,
      { parameter: name, allowed: known.join(", ") },
    );
  }
  const name = String(issue?.path[0] ?? "");
  return new ApiError(400, "invalid_parameter", issue?.message ?? `${name} is invalid`, {
    parameter: name,
    allowed: (ALLOWED as Record<string, string>)[name],
  });
}

export interface Api {
  handle(request: ApiRequest): Promise<ApiResponse & { readonly error?: unknown }>;
}

/** The API over a results store. One instance per process: it holds the caches. */
export function createApi(options: ApiOptions): Api {
  const ttl = options.cacheTtlMs ?? 5000;
  const days = new DayCache(options.store, ttl, options.now);
  const cacheControl = `private, max-age=${options.maxAgeSeconds ?? 60}`;
  const responses = new Map<
    string,
    { fingerprint: string; at: number; status: number; headers: Record<string, string>; body: string }
  >();
  const inflight = new Map<
    string,
    Promise<{ status: number; headers: Record<string, string>; body: string }>
  >();
  let openapi: string | undefined;

  const finish = (
    request: ApiRequest,
    status: number,
    headers: Record<string, string>,
    body: string,
  ): ApiResponse => {
    const etag = `"${contentHash(body)}"`;
    const all = { ...headers, etag, "cache-control": cacheControl, vary: "Accept, Accept-Encoding" };
    if (status === 200 && etagMatches(request.headers["if-none-match"], etag))
      return { status: 304, headers: all, body: "" };
    return { status, headers: all, body };
  };

  async function compute(
    request: ApiRequest,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    if (request.path === OPENAPI_PATH) {
      const unknown = Object.keys(request.query)[0];
      if (unknown !== undefined)
        throw new ApiError(
          400,
          "unknown_parameter",
          `unknown parameter ${unknown}; this route takes no parameters`,
          {
            parameter: unknown,
            allowed: "",
          },
        );
      // Imported lazily: the document is built once, on first request.
      const { openApiDocument } = await import("./openapi.ts");
      openapi ??= JSON.stringify(openApiDocument());
      return { status: 200, headers: { "content-type": JSON_TYPE }, body: openapi };
    }
    const match = matchRoute(request.path);
    if (!match)
      throw new ApiError(
        404,
        "not_found",
        `no route GET ${request.path}; see ${OPENAPI_PATH} for the routes`,
      );
    const { route } = match;
    const query = route.query.safeParse(request.query);
    if (!query.success) throw parameterError(query.error, route.query);
    let input: Record<string, unknown> = query.data;
    if (route.pathParams) {
      const path = route.pathParams.safeParse(match.params);
      if (!path.success) throw parameterError(path.error, route.pathParams);
      input = { ...input, ...path.data };
    }
    const body = await route.run({ days, store: options.store, request }, input);
    return "json" in body
      ? { status: 200, headers: { "content-type": JSON_TYPE }, body: JSON.stringify(body.json) }
      : { status: 200, headers: { "content-type": body.contentType }, body: body.text };
  }

  return {
    async handle(request) {
      try {
        if (request.method !== "GET" && request.method !== "HEAD")
          throw new ApiError(
            405,
            "method_not_allowed",
            `method ${request.method} is not allowed; the API is read-only (GET)`,
          );
        const route = matchRoute(request.path)?.route;
        const mode = request.path === OPENAPI_PATH ? "days" : (route?.cache ?? "none");
        const key = JSON.stringify([
          request.path,
          Object.entries(request.query).sort(([a], [b]) => (a < b ? -1 : 1)),
          route?.alternatives ? (request.headers.accept ?? "") : "",
        ]);
        if (mode !== "none") {
          const fingerprint = await days.fingerprint();
          const hit = responses.get(key);
          if (hit && hit.fingerprint === fingerprint && (mode === "days" || options.now() - hit.at < ttl))
            return finish(request, hit.status, hit.headers, hit.body);
          // Concurrent requests for one answer share one computation (a 30-day window is seconds of work cold).
          const flight = `${key}|${fingerprint}`;
          let pending = inflight.get(flight);
          if (!pending) {
            pending = compute(request)
              .then((fresh) => {
                if (responses.size >= 500) responses.delete(responses.keys().next().value ?? "");
                responses.set(key, { fingerprint, at: options.now(), ...fresh });
                return fresh;
              })
              .finally(() => inflight.delete(flight));
            inflight.set(flight, pending);
          }
          const fresh = await pending;
          return finish(request, fresh.status, fresh.headers, fresh.body);
        }
        const fresh = await compute(request);
        return finish(request, fresh.status, fresh.headers, fresh.body);
      } catch (error) {
        return errorResponse(error);
      }
    },
  };
}

/**
 * The one error mapper (style.md §3.5): an {@link ApiError} or invalid input below 500 is the
 * caller's and its message is returned; anything else is a generic 500 that carries the error for
 * the host to log, never to send (no stack, no key, no bucket name).
 */
export function errorResponse(error: unknown): ApiResponse & { error?: unknown } {
  const headers = { "content-type": JSON_TYPE, "cache-control": "no-store" };
  if (error instanceof ApiError && error.status < 500) {
    const extra: Record<string, string> = error.status === 405 ? { allow: "GET, HEAD" } : {};
    return {
      status: error.status,
      headers: { ...headers, ...extra },
      body: errorBody({
        code: error.code,
        message: error.message,
        ...(error.parameter === undefined ? {} : { parameter: error.parameter }),
        ...(error.allowed === undefined ? {} : { allowed: error.allowed }),
      }),
    };
  }
  if (error instanceof InvalidInputError)
    return { status: 400, headers, body: errorBody({ code: "invalid_parameter", message: error.message }) };
  return {
    status: 500,
    headers,
    body: errorBody({
      code: "internal",
      message: "internal error; the server log has the details under this request's id",
    }),
    error,
  };
}
