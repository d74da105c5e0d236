import { CostExplorerClient, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { type AttributedRow, addDays, daySummaryKey } from "@flowcost/core";
import type { SlackWebhookClient } from "@flowcost/publish";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";
import { PUBLISH_JOB_ACCESS } from "../../../infra/publish-access.ts";
import { S3Lake } from "../../../packages/functions/src/adapters/s3-lake.ts";
import { s3ResultsStore } from "../../../packages/functions/src/adapters/s3-results-store.ts";
import { regressionsJob } from "../../../packages/functions/src/jobs/regressions.ts";
import { weeklyReportJob } from "../../../packages/functions/src/jobs/weekly-report.ts";
import { crossAzDay, exporterRow } from "../../support/day-summaries.ts";

const s3 = mockClient(S3Client);
const ce = mockClient(CostExplorerClient);

/** Every call a job makes, as the IAM action it needs and the key it touches. */
let calls: Array<{ action: string; key: string }>;
let objects: Map<string, Uint8Array>;

beforeEach(() => {
  s3.reset();
  ce.reset();
  calls = [];
  objects = new Map();
  s3.on(ListObjectsV2Command).callsFake((input) => {
    calls.push({ action: "s3:ListBucket", key: input.Prefix ?? "" });
    return {
      Contents: [...objects.keys()]
        .filter((k) => k.startsWith(input.Prefix ?? ""))
        .map((Key) => ({ Key, Size: 1 })),
      IsTruncated: false,
    };
  });
  s3.on(GetObjectCommand).callsFake((input) => {
    calls.push({ action: "s3:GetObject", key: input.Key ?? "" });
    const body = objects.get(input.Key ?? "");
    if (!body) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
    return { Body: { transformToByteArray: async () => body } };
  });
  s3.on(PutObjectCommand).callsFake((input) => {
    calls.push({ action: "s3:PutObject", key: input.Key ?? "" });
    objects.set(input.Key ?? "", input.Body as Uint8Array);
    return {};
  });
  ce.on(GetCostAndUsageCommand).callsFake(() => {
    calls.push({ action: "ce:GetCostAndUsage", key: "*" });
    return { ResultsByTime: [] };
  });
});

/** `n` billed days from `first` under results/summary/, $0.10 a side, plus `extra(dt)` rows. */
function seedDays(first: string, n: number, extra: (dt: string) => AttributedRow[] = () => []) {
  for (let i = 0; i < n; i++) {
    const dt = addDays(first, i);
    const summary = crossAzDay(dt, { usdPerSide: 0.1, extra: extra(dt) });
    objects.set(daySummaryKey(dt), new TextEncoder().encode(JSON.stringify(summary)));
  }
}

/** Whether the job's access table grants a call. */
function granted(
  access: { read: readonly string[]; write: readonly string[]; other: readonly string[] },
  call: { action: string; key: string },
) {
  if (call.action === "s3:ListBucket") return true; // on the lake bucket, as every job
  if (call.action === "s3:GetObject") return access.read.some((p) => call.key.startsWith(p));
  if (call.action === "s3:PutObject") return access.write.some((p) => call.key.startsWith(p));
  return access.other.includes(call.action);
}
/** Every grant was needed: each prefix and action was used at least once. */
function used(access: { read: readonly string[]; write: readonly string[]; other: readonly string[] }) {
  return {
    read: access.read.filter((p) => calls.some((c) => c.action === "s3:GetObject" && c.key.startsWith(p))),
    write: access.write.filter((p) => calls.some((c) => c.action === "s3:PutObject" && c.key.startsWith(p))),
    other: access.other.filter((a) => calls.some((c) => c.action === a)),
  };
}

const slack = { post: async () => {}, target: "x" } as unknown as SlackWebhookClient;
const lake = () =>
  s3ResultsStore(new S3Lake({ s3: s3 as unknown as S3Client, bucket: "flowcost-test-lake-111122223333" }));

describe("least privilege: each publishing job's calls against its IAM grants (infra/publish-access.ts)", () => {
  test("regressions: reads day summaries and its state, writes only its state, asks Cost Explorer", async () => {
    seedDays("2026-11-08", 15, (dt) => (dt === "2026-11-22" ? [exporterRow(dt, 900)] : []));
    const result = await regressionsJob(
      {
        store: lake(),
        ce: ce as unknown as CostExplorerClient,
        slack,
        region: "us-east-1",
        alerts: { minIncreaseUsd: 5, minPercent: 25, cooldownDays: 3, allClear: false },
      },
      "2026-11-23T04:30:00Z",
    );
    expect(result.run.cooldown.alerts.length).toBeGreaterThan(0);
    const access = PUBLISH_JOB_ACCESS.regressions;
    expect(calls.filter((c) => !granted(access, c))).toEqual([]);
    expect(used(access)).toEqual(access);
    expect(new Set(calls.map((c) => c.action))).toEqual(
      new Set(["s3:ListBucket", "s3:GetObject", "s3:PutObject", "ce:GetCostAndUsage"]),
    );
  });

  test("weekly-report: reads day summaries and recommendations, writes only reports/weekly/", async () => {
    seedDays("2026-11-09", 14);
    objects.set(
      "results/recommendations/dt=2026-11-22/recommendations.json",
      new TextEncoder().encode(JSON.stringify({ dt: "2026-11-22", recommendations: [] })),
    );
    const result = await weeklyReportJob(
      { store: lake(), slack, link: (key) => key },
      "2026-11-23T07:00:00Z",
    );
    expect(result.week).toBe("2026-W47");
    const access = PUBLISH_JOB_ACCESS["weekly-report"];
    expect(calls.filter((c) => !granted(access, c))).toEqual([]);
    expect(used(access)).toEqual(access);
    expect(calls.some((c) => c.action.startsWith("ce:"))).toBe(false);
  });
});
