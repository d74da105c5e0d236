/// <reference path="./.sst/platform/config.d.ts" />

// A table of contents: resources live in infra/, one concern per file (style.md §3.1).
export default $config({
  app(input) {
    const production = input?.stage === "production";
    return {
      name: "flowcost",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    const infra = await import("./infra");
    return {
      lakeBucket: infra.lake.name,
      athenaResultsBucket: infra.athenaResults.name,
      database: infra.database.name,
      workGroup: infra.workGroup.name,
      api: infra.api.url,
      jobsDlq: infra.jobsDlq.url,
    };
  },
});
