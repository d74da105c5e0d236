import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import { API_LIST_PREFIXES, apiCors, apiPermissions } from "../../../infra/api-permissions.ts";
import { readSettings } from "../../../infra/settings.ts";
import { REQUIRED_DEPLOY_ENV } from "../../support/deploy-settings.ts";

const ROOT = join(import.meta.dirname, "../../..");
const LAKE = "arn:aws:s3:::flowcost-prod-lake-123456789012";

describe("the API function's rights: read the result documents it serves, nothing else", () => {
  const permissions = apiPermissions(LAKE, (prefix) => `${LAKE}/${prefix}*`);

  test("its IAM actions are exactly s3:ListBucket and s3:GetObject", () => {
    expect(permissions.flatMap((p) => p.actions).sort()).toEqual(["s3:GetObject", "s3:ListBucket"]);
  });

  test("listing only its prefixes, reading only objects under them: no write, no wildcard, no other prefix", () => {
    expect(permissions).toEqual([
      {
        actions: ["s3:ListBucket"],
        resources: [LAKE],
        conditions: [
          {
            test: "StringLike",
            variable: "s3:prefix",
            values: [
              "results/summary/*",
              "results/recommendations/*",
              "reports/weekly/*",
              "state/regressions/*",
            ],
          },
        ],
      },
      {
        actions: ["s3:GetObject"],
        resources: API_LIST_PREFIXES.map((p) => `${LAKE}/${p}*`),
      },
    ]);
  });

  test("infra/api.ts gives the function these permissions only: no catalog link, no other statement", () => {
    const source = readFileSync(join(ROOT, "infra/api.ts"), "utf8");
    expect(source).toContain("permissions: apiPermissions(lake.arn, lakeObjects)");
    expect(source).not.toMatch(/\blink:/);
    expect(source.match(/permissions:/g)).toHaveLength(1);
    expect(source).toContain('handler: "packages/functions/src/api/handler.handler"');
  });

  test("the API bundle holds no DuckDB, no Athena client and nothing of packages/local", async () => {
    const result = await build({
      entryPoints: [join(ROOT, "packages/functions/src/api/handler.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes("packages/functions/src/api/handler.ts"))).toBe(true);
    expect(inputs.filter((i) => /duckdb|client-athena|packages\/local\//.test(i))).toEqual([]);
  });
});

describe("the API's CORS is closed unless origins are configured", () => {
  const env = REQUIRED_DEPLOY_ENV;

  test("infra/api.ts sets cors from the setting (SST's default, cors unset, allows every origin)", () => {
    const source = readFileSync(join(ROOT, "infra/api.ts"), "utf8");
    expect(source).toContain("cors: apiCors(settings.apiCorsOrigins),");
  });

  test("no origins configured: cors false", () => {
    expect(readSettings(env).apiCorsOrigins).toEqual([]);
    expect(apiCors(readSettings(env).apiCorsOrigins)).toBe(false);
  });

  test("configured origins: those origins only, GET only, the SigV4 headers", () => {
    const origins = readSettings({
      ...env,
      FLOWCOST_API_CORS_ORIGINS: "https://costs.example.com, http://localhost:3000",
    }).apiCorsOrigins;
    expect(apiCors(origins)).toEqual({
      allowOrigins: ["https://costs.example.com", "http://localhost:3000"],
      allowMethods: ["GET"],
      allowHeaders: [
        "authorization",
        "content-type",
        "if-none-match",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-security-token",
      ],
      exposeHeaders: ["etag", "x-request-id"],
    });
  });

  test("a wildcard or a URL with a path is refused at deploy, naming the variable", () => {
    expect(() => readSettings({ ...env, FLOWCOST_API_CORS_ORIGINS: "*" })).toThrow(
      'flowcost: FLOWCOST_API_CORS_ORIGINS must list origins such as https://costs.example.com, comma-separated (not "*")',
    );
    expect(() =>
      readSettings({ ...env, FLOWCOST_API_CORS_ORIGINS: "https://ok.example.com,https://x.example.com/app" }),
    ).toThrow('(not "https://x.example.com/app")');
  });
});
