import { gunzipSync } from "node:zlib";
import { buildDaySummary, createApi, reconcileDay } from "@flowcost/core";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { S3Lake } from "../../packages/functions/src/adapters/s3-lake.ts";
import { s3ResultsStore } from "../../packages/functions/src/adapters/s3-results-store.ts";
import { createHandler, handler } from "../../packages/functions/src/api/handler.ts";
import { attributedRow, curLine, GB } from "../support/builders.ts";
import { type LocalS3, startS3rver } from "../support/s3rver.ts";

const BUCKET = "flowcost-api-lake";
let s3: LocalS3;
let apiHandler: ReturnType<typeof createHandler>;

const context = {
  functionName: "api",
  awsRequestId: "lambda-req-1",
  getRemainingTimeInMillis: () => 29_000,
} as Context;

/** An API Gateway v2 (HTTP API, payload 2.0) event as the IAM-authorised route delivers it. */
function event(
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: "2.0",
    routeKey: "GET /v1/{proxy+}",
    rawPath: path,
    rawQueryString,
    headers: { host: "abc.execute-api.us-east-1.amazonaws.com", ...headers },
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    pathParameters: { proxy: path.replace(/^\/v1\//, "") },
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc",
      domainName: "abc.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "abc",
      http: { method: "GET", path, protocol: "HTTP/1.1", sourceIp: "10.0.0.1", userAgent: "curl/8" },
      requestId: "apigw-req-7",
      routeKey: "GET /v1/{proxy+}",
      stage: "$default",
      time: "22/Nov/2026:09:00:00 +0000",
      timeEpoch: 1_795_338_000_000,
    },
  } as APIGatewayProxyEventV2;
}

const line = curLine;

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  const store = s3ResultsStore(new S3Lake({ s3: s3.client, bucket: BUCKET }));
  const instances = (node: string) => ({ "node-a": "i-0aaa", "node-b": "i-0bbb" })[node];
  // 30 GB shop/frontend -> shop/catalog across AZs, billed 30 cents out and 30 in, plus 5 cents no flow explains.
  const reconciliation = reconcileDay(
    "2026-11-22",
    [attributedRow({ bytes: 30 * GB, list_cost_usd: 0.6 })],
    [
      line("inter_az_out", "i-0aaa", 30, 0.3),
      line("inter_az_in", "i-0bbb", 30, 0.3),
      line("inter_az_out", "i-0ccc", 5, 0.05),
    ],
    instances,
  );
  await store.writeDay(buildDaySummary({ reconciliation }));
  apiHandler = createHandler(() => createApi({ store, now: () => Date.now(), cacheTtlMs: 0 }));
});
afterAll(() => s3.stop());

describe("the API Lambda behind API Gateway v2, over the lake bucket (s3rver)", () => {
  test("GET /v1/costs answers the charge view from the day document: 65 cents, each owner once", async () => {
    const response = await apiHandler(event("/v1/costs", { groupBy: "workload" }), context);

    expect(response.statusCode).toBe(200);
    expect(response.headers?.["x-request-id"]).toBe("apigw-req-7");
    const body = JSON.parse(response.body ?? "");
    expect(body.view).toBe("charge");
    expect(
      body.groups.map((g: { key: { workload: string }; billedCostUsd: number }) => [
        g.key.workload,
        g.billedCostUsd,
      ]),
    ).toEqual([
      ["shop/catalog", 0.3],
      ["shop/frontend", 0.3],
      ["unattributed:i-0ccc", 0.05],
    ]);
    expect(body.totals.billedCostUsd).toBe(0.65);
  });

  test("gzip for clients that accept it, base64 as API Gateway expects binary bodies", async () => {
    const response = await apiHandler(
      event("/v1/openapi.json", {}, { "accept-encoding": "gzip, br" }),
      context,
    );

    expect(response.headers?.["content-encoding"]).toBe("gzip");
    expect(response.isBase64Encoded).toBe(true);
    const doc = JSON.parse(gunzipSync(Buffer.from(response.body ?? "", "base64")).toString("utf8"));
    expect(doc.openapi).toBe("3.1.0");
  });

  test("a bad parameter is a 400 naming it; If-None-Match with the ETag is a 304", async () => {
    const bad = await apiHandler(event("/v1/flows", { side: "sideways" }), context);
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body ?? "").error).toMatchObject({
      parameter: "side",
      allowed: "source, destination, both",
    });

    const first = await apiHandler(event("/v1/coverage"), context);
    const etag = String(first.headers?.etag ?? "");
    const second = await apiHandler(event("/v1/coverage", {}, { "if-none-match": etag }), context);
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe("");
  });

  test("a failure inside is a generic 500: no bucket, no key, no stack in the body", async () => {
    const broken = createHandler(() =>
      createApi({
        store: s3ResultsStore(new S3Lake({ s3: s3.client, bucket: "flowcost-missing-bucket" })),
        now: () => Date.now(),
      }),
    );

    const response = await broken(event("/v1/costs"), context);

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/flowcost-missing-bucket|results\/|NoSuchBucket|at /);
    expect(JSON.parse(response.body ?? "").error.code).toBe("internal");
  });

  test("the deployed handler without its configuration is the same generic 500, naming nothing", async () => {
    const saved = process.env.FLOWCOST_LAKE_BUCKET;
    delete process.env.FLOWCOST_LAKE_BUCKET;
    try {
      const response = await handler(event("/v1/health"), context);
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain("FLOWCOST_LAKE_BUCKET");
      expect(response.headers?.["x-request-id"]).toBe("apigw-req-7");
    } finally {
      if (saved !== undefined) process.env.FLOWCOST_LAKE_BUCKET = saved;
    }
  });
});
