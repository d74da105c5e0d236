import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  BUCKET_ACCESS,
  bucketNameProblem,
  ENCRYPTION_RULES,
  TLS_POLICY,
} from "../../../infra/bucket-security.ts";
import { readSettings } from "../../../infra/settings.ts";
import { REQUIRED_DEPLOY_ENV } from "../../support/deploy-settings.ts";

const INFRA = join(import.meta.dirname, "../../../infra");

describe("the buckets flowcost creates are locked down", () => {
  test("HTTPS only, TLS 1.2 or later, no CORS, encrypted at rest with SSE-S3 and SSE-C refused", () => {
    expect(BUCKET_ACCESS).toEqual({ enforceHttps: true, cors: false });
    expect(TLS_POLICY).toEqual([
      {
        effect: "deny",
        principals: "*",
        actions: ["s3:*"],
        paths: ["", "*"],
        conditions: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
      },
    ]);
    expect(ENCRYPTION_RULES).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, blockedEncryptionTypes: ["SSE-C"] },
    ]);
  });

  test("every bucket declared in infra/ takes the access settings, the TLS policy and an encryption configuration", async () => {
    const { readdir } = await import("node:fs/promises");
    const sources = await Promise.all(
      (await readdir(INFRA))
        .filter((f) => f.endsWith(".ts"))
        .map(async (f) => [f, await readFile(join(INFRA, f), "utf8")] as const),
    );
    const buckets = sources.flatMap(([file, text]) =>
      [...text.matchAll(/new sst\.aws\.Bucket\("(\w+)", \{([\s\S]*?)\n\}\);/g)].map((m) => ({
        file,
        name: m[1],
        body: m[2],
        text,
      })),
    );
    expect(buckets.map((b) => b.name).sort()).toEqual(["AthenaResults", "Lake"]);
    for (const b of buckets) {
      expect(b.body, b.name).toContain("...BUCKET_ACCESS");
      expect(b.body, b.name).toContain("policy: TLS_POLICY");
      expect(b.text, b.name).toContain(`encryptAtRest("${b.name}", `);
      expect(b.body, b.name).not.toMatch(/cors:|enforceHttps:|access:/);
    }
  });
});

describe("bucket names are checked before a deploy", () => {
  test.each([
    ["acme-flow-logs", undefined],
    ["flowcost-prod-lake-123456789012", undefined],
    ["ab", "is 2 characters long (S3 allows 3 to 63)"],
    ["a".repeat(64), "is 64 characters long (S3 allows 3 to 63)"],
    [
      "Acme_Logs",
      "may hold only lowercase letters, digits, dots and hyphens (no uppercase, underscores or spaces)",
    ],
    ["-acme", "must begin and end with a letter or digit"],
    ["acme..logs", "must not hold two adjacent dots"],
    ["192.168.1.1", "must not look like an IP address"],
    ["xn--acme", 'must not begin with "xn--" (reserved by S3)'],
    ["acme-s3alias", 'must not end with "-s3alias" (reserved by S3)'],
  ])("%s: %s", (name, problem) => {
    expect(bucketNameProblem(name)).toBe(problem);
  });

  const env = REQUIRED_DEPLOY_ENV;

  test("the flow-log accounts default to the deployment's account; a list must hold 12-digit ids, the error naming the variable", () => {
    expect(readSettings(env).flowLogAccounts).toEqual(["123456789012"]);
    expect(
      readSettings({ ...env, FLOWCOST_FLOW_LOG_ACCOUNTS: "123456789012, 210987654321" }).flowLogAccounts,
    ).toEqual(["123456789012", "210987654321"]);
    expect(() => readSettings({ ...env, FLOWCOST_FLOW_LOG_ACCOUNTS: "123456789012,o-abc123" })).toThrow(
      'flowcost: FLOWCOST_FLOW_LOG_ACCOUNTS must list 12-digit account ids, comma-separated (not "o-abc123")',
    );
  });

  test("an Organization id for flow-log keys is optional and must look like one, the error naming the variable", () => {
    expect(readSettings(env).flowLogOrganizationId).toBeUndefined();
    expect(
      readSettings({ ...env, FLOWCOST_FLOW_LOG_ORGANIZATION_ID: "o-a1b2c3d4e5" }).flowLogOrganizationId,
    ).toBe("o-a1b2c3d4e5");
    expect(() => readSettings({ ...env, FLOWCOST_FLOW_LOG_ORGANIZATION_ID: "123456789012" })).toThrow(
      'flowcost: FLOWCOST_FLOW_LOG_ORGANIZATION_ID must be an Organization id such as o-a1b2c3d4e5 (not "123456789012")',
    );
  });

  test("the flow-log and CUR bucket settings must be S3 bucket names, the error naming the variable", () => {
    expect(readSettings(env).flowLogBucket).toBe("acme-flow-logs");
    expect(() => readSettings({ ...env, FLOWCOST_FLOW_LOG_BUCKET: "Acme Logs" })).toThrow(
      'flowcost: FLOWCOST_FLOW_LOG_BUCKET "Acme Logs" is not an S3 bucket name: it may hold only lowercase letters',
    );
    expect(() => readSettings({ ...env, FLOWCOST_CUR_BUCKET: "s3://acme-billing" })).toThrow(
      'FLOWCOST_CUR_BUCKET "s3://acme-billing" is not an S3 bucket name',
    );
  });
});
