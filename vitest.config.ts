import { defineConfig } from "vitest/config";

const env = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_REGION: "us-east-1",
  // Error-path tests make the one logger print expected failures; tests assert on results, not logs.
  POWERTOOLS_LOG_LEVEL: "SILENT",
};

export default defineConfig({
  test: {
    projects: [
      // Some unit tests parse SQL grammars or bundle code: generous on a loaded 2-core machine.
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], env, testTimeout: 30_000 } },
      { test: { name: "sql", include: ["test/sql/**/*.test.ts"], env, testTimeout: 60_000 } },
      // Generated cases per parser: a few in `npm test`, thousands in `npm run test:property`.
      {
        test: {
          name: "property",
          include: ["test/property/**/*.test.ts"],
          env,
          testTimeout: 1_800_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          env,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
