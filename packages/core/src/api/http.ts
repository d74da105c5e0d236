import { FlowcostError } from "../errors.ts";

/**
 * The HTTP exchange both hosts (API Gateway v2 + Lambda, `flowcost serve` on node:http) hand to
 * the one route module: what a request is after the host has authenticated it, and what the
 * route module answers. Compression and transport stay with the host.
 */
export interface ApiRequest {
  readonly method: string;
  /** The path without the query string, e.g. `/v1/costs`. */
  readonly path: string;
  /** Query parameters, one value each (a repeated parameter arrives comma-joined, as API Gateway v2 joins it). */
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A request the caller got wrong: a 4xx whose body names the parameter and what it allows. The
 * message is safe to show (it never holds internals).
 */
export class ApiError extends FlowcostError {
  readonly parameter: string | undefined;
  readonly allowed: string | undefined;
  readonly code: string;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { parameter?: string; allowed?: string } = {},
  ) {
    super(message, { status });
    this.code = code;
    this.parameter = options.parameter;
    this.allowed = options.allowed;
  }
}

export const JSON_TYPE = "application/json; charset=utf-8";

/** The error body every 4xx and 5xx has: a code, a message, and for a parameter its name and allowed values. */
export function errorBody(error: {
  code: string;
  message: string;
  parameter?: string;
  allowed?: string;
}): string {
  return JSON.stringify({
    error: {
      code: error.code,
      message: error.message,
      ...(error.parameter === undefined ? {} : { parameter: error.parameter }),
      ...(error.allowed === undefined ? {} : { allowed: error.allowed }),
    },
  });
}

/**
 * FNV-1a, 64 bits, as hex: a strong ETag's content hash without `node:crypto` (core is pure).
 * A hash collision between two versions of one response would only cost a stale 304.
 */
export function contentHash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ (c + i), 0x01000193) >>> 0;
  }
  return `${h1.toString(16).padStart(8, "0")}${h2.toString(16).padStart(8, "0")}`;
}

/** Whether an If-None-Match header names this ETag (a list, weak forms and `*` included). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .includes(etag);
}

const toBase64Url = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
};

const fromBase64Url = (text: string) => {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
};

/**
 * A page cursor: the query it belongs to and the sort position of the last item served
 * (keyset paging), so the next page starts right after that item whatever the page size.
 */
export interface CursorPosition {
  readonly query: string;
  readonly cost: number;
  readonly bytes: number;
  readonly key: string;
}

export function encodeCursor(p: CursorPosition): string {
  return toBase64Url(JSON.stringify([p.query, p.cost, p.bytes, p.key]));
}

export function decodeCursor(cursor: string, query: string): CursorPosition {
  const bad = (why: string) =>
    new ApiError(400, "invalid_parameter", `cursor ${why}`, {
      parameter: "cursor",
      allowed: "the nextCursor of a previous page of the same query",
    });
  let value: unknown;
  try {
    value = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw bad("is not a cursor this API issued");
  }
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    typeof value[0] !== "string" ||
    typeof value[1] !== "number" ||
    typeof value[2] !== "number" ||
    typeof value[3] !== "string"
  )
    throw bad("is not a cursor this API issued");
  if (value[0] !== query)
    throw bad("belongs to another query (from, to, groupBy, filters and side must not change)");
  return { query: value[0], cost: value[1], bytes: value[2], key: value[3] };
}
