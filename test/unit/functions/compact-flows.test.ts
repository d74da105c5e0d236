import type { MaterializeResult, MaterializeTarget, QueryDefinition, QueryEngine } from "@flowcost/core";
import { describe, expect, test } from "vitest";
import type { Watermark } from "../../../packages/functions/src/adapters/s3-lake.ts";
import {
  compactRecentHours,
  type WatermarkStore,
} from "../../../packages/functions/src/jobs/compact-flows.ts";

interface Call {
  readonly query: string;
  readonly params: unknown;
  readonly target: MaterializeTarget;
}

function fakeEngine(failOnCall?: number): QueryEngine & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    name: "athena",
    calls,
    query: () => Promise.reject(new Error("compact-flows never runs a plain query")),
    materialize: async (
      q: QueryDefinition,
      params: unknown,
      target: MaterializeTarget,
    ): Promise<MaterializeResult> => {
      calls.push({ query: q.name, params: structuredClone(params), target: structuredClone(target) });
      if (calls.length === failOnCall) throw new Error("query compact_flows failed: HIVE_BAD_DATA");
      return {
        rowsWritten: 10,
        partitionsWritten: [],
        stats: { engine: "athena", queryId: `q${calls.length}`, elapsedMs: 1 },
      };
    },
  };
}

function fakeLake(initial?: Watermark): WatermarkStore & { stored: Map<string, Watermark> } {
  const stored = new Map<string, Watermark>(initial ? [[initial.source, initial]] : []);
  return {
    stored,
    readWatermark: async (source) => stored.get(source),
    writeWatermark: async (w) => {
      stored.set(w.source, structuredClone(w));
    },
  };
}

// 2026-11-22T07:15:00Z: the hourly schedule's run at :15.
const SCHEDULED = "2026-11-22T07:15:00Z";
const H05 = Date.UTC(2026, 10, 22, 5) / 1000;

describe("compact-flows", () => {
  test("a run at 07:15 compacts 05:00-06:00 and 06:00-07:00 with the local job's parameters", async () => {
    const engine = fakeEngine();
    const lake = fakeLake();

    const result = await compactRecentHours({ engine, lake, source: "acme-flow-logs" }, SCHEDULED);

    expect(engine.calls).toEqual([
      {
        query: "compact_flows",
        params: {
          dayFrom: "2026/11/22",
          dayTo: "2026/11/22",
          windowStart: H05,
          windowEnd: H05 + 3600,
        },
        target: {
          table: "curated_flows",
          prefix: "curated/flows",
          partitions: [{ dt: "2026-11-22", hour: "05" }],
        },
      },
      {
        query: "compact_flows",
        params: {
          dayFrom: "2026/11/22",
          dayTo: "2026/11/22",
          windowStart: H05 + 3600,
          windowEnd: H05 + 7200,
        },
        target: {
          table: "curated_flows",
          prefix: "curated/flows",
          partitions: [{ dt: "2026-11-22", hour: "06" }],
        },
      },
    ]);
    expect(result.watermark).toEqual({
      source: "acme-flow-logs",
      completedThrough: H05 + 7200,
      updatedBy: SCHEDULED,
    });
    expect(lake.stored.get("acme-flow-logs")).toEqual(result.watermark);
  });

  test("just after midnight the windows are the previous day's last hours and read the next day's folder", async () => {
    const engine = fakeEngine();

    await compactRecentHours({ engine, lake: fakeLake(), source: "s" }, "2026-12-01T00:15:00Z");

    const h22 = Date.UTC(2026, 10, 30, 22) / 1000;
    expect(engine.calls.map((c) => [c.params, c.target.partitions])).toEqual([
      [
        { dayFrom: "2026/11/30", dayTo: "2026/11/30", windowStart: h22, windowEnd: h22 + 3600 },
        [{ dt: "2026-11-30", hour: "22" }],
      ],
      [
        { dayFrom: "2026/11/30", dayTo: "2026/12/01", windowStart: h22 + 3600, windowEnd: h22 + 7200 },
        [{ dt: "2026-11-30", hour: "23" }],
      ],
    ]);
  });

  test("a re-run of the same scheduled time makes the same calls and leaves the same watermark", async () => {
    const first = fakeEngine();
    const second = fakeEngine();
    const lake = fakeLake();

    await compactRecentHours({ engine: first, lake, source: "s" }, SCHEDULED);
    const afterFirst = structuredClone(lake.stored.get("s"));
    await compactRecentHours({ engine: second, lake, source: "s" }, SCHEDULED);

    expect(second.calls).toEqual(first.calls);
    expect(lake.stored.get("s")).toEqual(afterFirst);
  });

  test("a late retry of an older hour never moves the watermark backwards", async () => {
    const lake = fakeLake({
      source: "s",
      completedThrough: H05 + 10 * 3600,
      updatedBy: "2026-11-22T16:15:00Z",
    });

    const result = await compactRecentHours({ engine: fakeEngine(), lake, source: "s" }, SCHEDULED);

    expect(result.watermark.completedThrough).toBe(H05 + 10 * 3600);
  });

  test("a failed hour throws, so the scheduler retries, and the watermark stays where it was", async () => {
    const engine = fakeEngine(2);
    const lake = fakeLake({ source: "s", completedThrough: H05, updatedBy: "2026-11-22T06:15:00Z" });

    await expect(compactRecentHours({ engine, lake, source: "s" }, SCHEDULED)).rejects.toThrow(
      /HIVE_BAD_DATA/,
    );
    expect(lake.stored.get("s")?.completedThrough).toBe(H05);
  });
});
