import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import { API_LIST_PREFIXES, apiPermissions } from "../../../infra/api-permissions.ts";

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
