import { describe, expect, test } from "vitest";
import {
  ConfigError,
  parseConfig,
  parsePublishConfig,
} from "../../../packages/functions/src/shared/config.ts";

const LINKS = {
  FlowcostCatalog: {
    database: "flowcost_prod",
    workGroup: "flowcost-prod",
    lakeBucket: "flowcost-prod-lake-123456789012",
  },
};

describe("Lambda config", () => {
  test("links and environment become one frozen object with defaults", () => {
    const config = parseConfig(LINKS, {
      AWS_REGION: "eu-west-1",
      FLOWCOST_FLOW_LOG_SOURCE: "acme-flow-logs",
    });

    expect(config).toEqual({
      catalog: {
        database: "flowcost_prod",
        workGroup: "flowcost-prod",
        lakeBucket: "flowcost-prod-lake-123456789012",
      },
      region: "eu-west-1",
      flowLogSource: "acme-flow-logs",
      queryTimeoutMs: 600_000,
      prices: {},
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.catalog)).toBe(true);
  });

  test("FLOWCOST_PRICES overrides list prices by Region; a misspelt item names the setting and the item", () => {
    const env = { AWS_REGION: "us-west-2" };
    const config = parseConfig(LINKS, { ...env, FLOWCOST_PRICES: '{"us-west-2":{"natGatewayPerGb":0.045}}' });
    expect(config.prices).toEqual({ "us-west-2": { natGatewayPerGb: 0.045 } });
    expect(() => parseConfig(LINKS, { ...env, FLOWCOST_PRICES: '{"us-west-2":{"natPerGb":0.045}}' })).toThrow(
      /FLOWCOST_PRICES: .*natPerGb/,
    );
  });

  test("alert settings and the Slack webhook secret: defaults, values, and errors that name the setting, never the secret", () => {
    const env = { AWS_REGION: "us-east-1", FLOWCOST_LAKE_BUCKET: "flowcost-prod-lake-123456789012" };
    const url = "https://hooks.slack.com/services/T000/B000/s3cr3t";
    const config = parsePublishConfig(
      { SlackWebhookUrl: { value: url } },
      {
        ...env,
        FLOWCOST_ALERT_MIN_INCREASE_USD: "20",
        FLOWCOST_ALERT_ALL_CLEAR: "true",
        FLOWCOST_API_URL: "https://api.example.com",
      },
    );
    expect(config.alerts).toEqual({
      minIncreaseUsd: 20,
      minPercent: 25,
      cooldownDays: 3,
      allClear: true,
      apiUrl: "https://api.example.com",
    });
    expect(config.slackWebhookUrl).toBe(url);
    expect(config.lakeBucket).toBe("flowcost-prod-lake-123456789012");
    expect(parsePublishConfig({ SlackWebhookUrl: { value: "none" } }, env).slackWebhookUrl).toBeUndefined();
    expect(() => parsePublishConfig({}, { ...env, FLOWCOST_ALERT_COOLDOWN_DAYS: "1.5" })).toThrow(
      /FLOWCOST_ALERT_COOLDOWN_DAYS/,
    );
    expect(() => parsePublishConfig({}, { AWS_REGION: "us-east-1" })).toThrow(
      "FLOWCOST_LAKE_BUCKET: missing",
    );
    let bad = "";
    try {
      parsePublishConfig({ SlackWebhookUrl: { value: url } }, { ...env, FLOWCOST_API_URL: "not a url" });
    } catch (e) {
      bad = String(e);
    }
    expect(bad).toContain("FLOWCOST_API_URL");
    expect(bad).not.toContain("s3cr3t");
  });

  test("a missing link names the link to add", () => {
    expect(() => parseConfig({}, { AWS_REGION: "eu-west-1" })).toThrow(
      new ConfigError(
        "invalid flowcost configuration: Resource.FlowcostCatalog (link the catalog in infra/jobs.ts): missing",
      ),
    );
  });

  test("a missing or bad key names the exact key", () => {
    const { workGroup: _, ...withoutWorkGroup } = LINKS.FlowcostCatalog;
    expect(() => parseConfig({ FlowcostCatalog: withoutWorkGroup }, { AWS_REGION: "eu-west-1" })).toThrow(
      "invalid flowcost configuration: Resource.FlowcostCatalog.workGroup: missing",
    );
    expect(() => parseConfig(LINKS, {})).toThrow("AWS_REGION: missing");
    expect(() => parseConfig(LINKS, { AWS_REGION: "eu-west-1", FLOWCOST_QUERY_TIMEOUT_MS: "-5" })).toThrow(
      /FLOWCOST_QUERY_TIMEOUT_MS: /,
    );
  });
});
