import type { Context } from "aws-lambda";
import { describe, expect, test } from "vitest";
import { ScheduledEvent, withJob } from "../../../packages/functions/src/shared/middleware.ts";

const context = {
  functionName: "test",
  awsRequestId: "req-1",
  getRemainingTimeInMillis: () => 60_000,
} as Context;

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
