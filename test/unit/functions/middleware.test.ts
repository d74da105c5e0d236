import { InvalidInputError } from "@flowcost/core";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { ScheduledEvent, withHttp, withJob } from "../../../packages/functions/src/shared/middleware.ts";

const context = {
  functionName: "test",
  awsRequestId: "req-1",
  getRemainingTimeInMillis: () => 60_000,
} as Context;

function httpEvent(overrides: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "GET /costs",
    rawPath: "/costs",
    rawQueryString: "",
    headers: {},
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEventV2["requestContext"],
    ...overrides,
  };
}

describe("withJob", () => {
  test("the handler receives the parsed scheduled event", async () => {
    const handler = withJob(ScheduledEvent).handler(async (event) => ({ seen: event.time }));

    expect(await handler({ job: "compact-flows", time: "2026-11-22T07:15:00Z" }, context)).toEqual({
      seen: "2026-11-22T07:15:00Z",
    });
  });

  test("an event without a time throws naming the field, so the scheduler's retries and DLQ see it", async () => {
    const handler = withJob(ScheduledEvent).handler(async () => "ran");

    await expect(handler({ job: "compact-flows" }, context)).rejects.toThrow(
      /invalid scheduled event: .*time/s,
    );
  });

  test("a handler failure propagates unchanged", async () => {
    const handler = withJob(ScheduledEvent).handler(async () => {
      throw new Error("query compact_flows failed: HIVE_BAD_DATA");
    });

    await expect(handler({ time: "2026-11-22T07:15:00Z" }, context)).rejects.toThrow("HIVE_BAD_DATA");
  });
});

describe("withHttp", () => {
  const schema = z.object({ query: z.object({ from: z.iso.date() }) });

  test("parses the request and answers 200 with the handler's value as JSON", async () => {
    const handler = withHttp(schema).handler(async (input) => ({ from: input.query.from }));

    const response = await handler(httpEvent({ queryStringParameters: { from: "2026-11-01" } }), context);

    expect(response).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: '{"from":"2026-11-01"}',
    });
  });

  test("an invalid request is a 400 whose message names the parameter", async () => {
    const handler = withHttp(schema).handler(async () => "unreachable");

    const response = await handler(httpEvent({ queryStringParameters: { from: "yesterday" } }), context);

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? "{}").error).toMatch(/query\.from/);
  });

  test("a domain error below 500 is exposed with its status and message", async () => {
    const handler = withHttp(z.unknown()).handler(async () => {
      throw new InvalidInputError("unknown namespace: payments");
    });

    const response = await handler(httpEvent({}), context);

    expect(response).toEqual({
      statusCode: 400,
      headers: { "content-type": "application/json" },
      body: '{"error":"unknown namespace: payments"}',
    });
  });

  test("any other error is a generic 500 that reveals nothing of the failure", async () => {
    const handler = withHttp(z.unknown()).handler(async () => {
      throw new Error(
        "AccessDenied on s3://flowcost-prod-lake/results/ for arn:aws:iam::123456789012:role/x",
      );
    });

    const response = await handler(httpEvent({}), context);

    expect(response).toEqual({
      statusCode: 500,
      headers: { "content-type": "application/json" },
      body: '{"error":"internal error"}',
    });
  });
});
