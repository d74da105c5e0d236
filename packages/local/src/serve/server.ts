import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { type ApiRequest, createApi, errorBody, errorMessage } from "@flowcost/core";
import { lakeResultsStore } from "../lake/results-files.ts";

const gzipAsync = promisify(gzip);

/**
 * `flowcost serve`: the HTTP API's routes (the same module the API Lambda runs) on node:http,
 * over a local lake folder. Loopback by default, every request needs the bearer token, CORS is
 * off unless an origin is configured.
 */
export interface ServeOptions {
  readonly lakeDir: string;
  readonly token: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** An origin allowed to call from a browser (e.g. http://localhost:3000); CORS stays off without one. */
  readonly corsOrigin?: string;
  /** One structured log line per request (and per failure); never the token. */
  readonly log?: (entry: Record<string, unknown>) => void;
  readonly cacheTtlMs?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A token for a run without FLOWCOST_TOKEN: 32 random bytes, URL-safe. */
export const generateToken = () => randomBytes(32).toString("base64url");

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Bodies smaller than this are sent as they are: gzip would not pay for its header. */
const GZIP_MIN_BYTES = 1024;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const api = createApi({
    store: lakeResultsStore(options.lakeDir),
    now: () => Date.now(),
    cacheTtlMs: options.cacheTtlMs,
  });
  const expected = digest(`Bearer ${options.token}`);
  const log = options.log ?? (() => {});
  const gzipped = new Map<string, Buffer>();

  const authorised = (header: string | undefined) =>
    header !== undefined && timingSafeEqual(digest(header.trim().replace(/^bearer /i, "Bearer ")), expected);

  async function respond(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const url = new URL(req.url ?? "/", "http://localhost");
    const cors: Record<string, string> =
      options.corsOrigin && req.headers.origin === options.corsOrigin
        ? {
            "access-control-allow-origin": options.corsOrigin,
            "access-control-allow-headers": "authorization, if-none-match",
            "access-control-expose-headers": "etag, x-request-id",
            vary: "Origin",
          }
        : {};
    if (req.method === "OPTIONS" && cors["access-control-allow-origin"]) {
      res.writeHead(204, { ...cors, "access-control-allow-methods": "GET, HEAD", "x-request-id": requestId });
      res.end();
      return { status: 204, route: url.pathname };
    }
    if (!authorised(req.headers.authorization)) {
      const body = errorBody({
        code: "unauthorized",
        message:
          "a bearer token is required: Authorization: Bearer <the token flowcost serve printed, or FLOWCOST_TOKEN>",
      });
      res.writeHead(401, {
        ...cors,
        "content-type": "application/json; charset=utf-8",
        "www-authenticate": 'Bearer realm="flowcost"',
        "x-request-id": requestId,
      });
      res.end(body);
      return { status: 401, route: url.pathname };
    }
    const query: Record<string, string> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(",");
    const request: ApiRequest = {
      method: req.method ?? "GET",
      path: url.pathname.replace(/\/+$/, "") || "/",
      query,
      headers: {
        accept: req.headers.accept,
        "if-none-match": req.headers["if-none-match"],
      },
    };
    const response = await api.handle(request);
    if (response.error !== undefined)
      log({
        level: "ERROR",
        message: "request failed",
        requestId,
        route: request.path,
        error: describe(response.error),
      });
    let body: Buffer = Buffer.from(response.body, "utf8");
    const headers: Record<string, string | number> = {
      ...response.headers,
      ...cors,
      "x-request-id": requestId,
    };
    if (body.length >= GZIP_MIN_BYTES && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      // A response's ETag names its body: compress each body once.
      const etag = response.headers.etag;
      const cached = etag ? gzipped.get(etag) : undefined;
      body = cached ?? (await gzipAsync(body));
      if (etag && !cached) {
        if (gzipped.size >= 200) gzipped.delete(gzipped.keys().next().value ?? "");
        gzipped.set(etag, body);
      }
      headers["content-encoding"] = "gzip";
    }
    headers["content-length"] = body.length;
    res.writeHead(response.status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
    return { status: response.status, route: request.path, bytes: body.length };
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    respond(req, res, requestId)
      .then((outcome) =>
        log({
          level: "INFO",
          message: "request",
          requestId,
          method: req.method,
          ...outcome,
          query: [...new URL(req.url ?? "/", "http://localhost").searchParams.keys()],
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        }),
      )
      .catch((error: unknown) => {
        log({ level: "ERROR", message: "request failed", requestId, error: describe(error) });
        if (!res.headersSent) {
          res.writeHead(500, {
            "content-type": "application/json; charset=utf-8",
            "x-request-id": requestId,
          });
          res.end(
            errorBody({
              code: "internal",
              message: "internal error; the server log has the details under this request's id",
            }),
          );
        } else res.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** An error for the log: its class and message, and the stack (logs are the operator's, never the client's). */
function describe(error: unknown): Record<string, unknown> {
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { message: errorMessage(error) };
}
