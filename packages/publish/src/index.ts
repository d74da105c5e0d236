export * from "./regressions-run.ts";
export * from "./report-charts.ts";
export * from "./report-html.ts";
export * from "./webhook-client.ts";
export * from "./weekly-report-run.ts";
