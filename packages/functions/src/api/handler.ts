import { gzipSync } from "node:zlib";
import { type Api, type ApiRequest, type ApiResponse, createApi } from "@flowcost/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { S3Lake } from "../adapters/s3-lake.ts";
import { s3ResultsStore } from "../adapters/s3-results-store.ts";
import { apiConfig } from "../shared/config.ts";
import { logger } from "../shared/logger.ts";
import { withApi } from "../shared/middleware.ts";
import { s3 } from "../shared/s3-client.ts";

/**
 * The HTTP API on API Gateway v2 (IAM-authorised routes, infra/api.ts): the event becomes the
 * host-independent request, the one route module answers (the same code `flowcost serve` runs),
 * and the answer goes back gzip when the client accepts it (HTTP APIs do not compress).
 */

let api: Api | undefined;

/** One API per cold start: it keeps the parsed day documents between invocations. */
export function apiInstance(): Api {
  if (!api) {
    const c = apiConfig();
    api = createApi({
      store: s3ResultsStore(new S3Lake({ s3, bucket: c.lakeBucket })),
      now: () => Date.now(),
      cacheTtlMs: c.cacheTtlMs,
    });
  }
  return api;
}

/** The request as the route module reads it: API Gateway v2 lower-cases headers and comma-joins repeated parameters. */
export function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  return {
    method: event.requestContext.http.method,
    path: event.rawPath.replace(/\/+$/, "") || "/",
    query: event.queryStringParameters ?? {},
    headers: { accept: event.headers.accept, "if-none-match": event.headers["if-none-match"] },
  };
}

const GZIP_MIN_BYTES = 1024;

export function toLambdaResponse(
  event: APIGatewayProxyEventV2,
  response: ApiResponse,
  requestId: string,
): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...response.headers, "x-request-id": requestId };
  const body = event.requestContext.http.method === "HEAD" ? "" : response.body;
  if (Buffer.byteLength(body) >= GZIP_MIN_BYTES && /\bgzip\b/.test(event.headers["accept-encoding"] ?? "")) {
    headers["content-encoding"] = "gzip";
    return {
      statusCode: response.status,
      headers,
      body: gzipSync(body).toString("base64"),
      isBase64Encoded: true,
    };
  }
  return { statusCode: response.status, headers, body };
}

/** The handler over an API; tests pass one over their own store. */
export function createHandler(getApi: () => Api) {
  return withApi(async (event, requestId) => {
    const response = await getApi().handle(toApiRequest(event));
    // Logged here with the request id; the client only ever sees the generic 500 body.
    if (response.error !== undefined) logger.error("request failed", { error: response.error });
    return toLambdaResponse(event, response, requestId);
  });
}

export const handler = createHandler(apiInstance);
