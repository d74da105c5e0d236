import {
  attributeAndReconcileDayByPlace,
  attributionPlaces,
  DATASETS,
  dayWindow,
  pricesFor,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { curatedFlow } from "../support/builders.ts";
import { openSqlLake } from "../support/sql-lake.ts";

const D = Date.UTC(2026, 10, 22) / 1000; // 2026-11-22 00:00 UTC
const dt = "2026-11-22";
const DAY = 86400;
const A = "111111111111";
const B = "222222222222";
const C = "333333333333";

const pod = (ip: string, workload: string, node: string, az: string) => ({
  cluster: "prod",
  ip,
  kind: "pod",
  owner_id: `u-${workload}`,
  namespace: "shop",
  pod_name: `${workload}-0`,
  workload_kind: "Deployment",
  workload,
  node,
  az_id: az,
  resource_id: null,
  service: null,
  valid_from: D,
  valid_to: D + DAY,
});

/** One egress record of `bytes` between two pods, logged by `account` in `region`. */
const flow = (account: string | null, region: string, src: string, dst: string, bytes: number, az: string) =>
  curatedFlow(D + 600, D + 660, {
    account_id: account,
    region,
    interface_id: `eni-${src}`,
    az_id: az,
    srcaddr: src,
    dstaddr: dst,
    pkt_srcaddr: src,
    pkt_dstaddr: dst,
    bytes,
  });

describe("several accounts and Regions on DuckDB: each place's flows, once", async () => {
  const { engine } = await openSqlLake("sql-attribute-places");
  await engine.partitions.writeRows("ip_identity", DATASETS.ipIdentity, { dt }, [
    pod("10.0.1.10", "api", "node-a1", "use1-az1"),
    pod("10.0.2.20", "db", "node-a2", "use1-az2"),
    pod("10.9.1.10", "x", "node-c1", "use1-az1"),
    pod("10.9.2.20", "y", "node-c2", "use1-az2"),
    pod("10.1.1.10", "web", "node-b1", "usw2-az1"),
    pod("10.1.2.20", "cache", "node-b2", "usw2-az2"),
  ]);
  await engine.partitions.writeRows("curated_flows", DATASETS.curatedFlows, { dt, hour: "00" }, [
    flow(A, "us-east-1", "10.0.1.10", "10.0.2.20", 1_000, "use1-az1"),
    // An ENI an AWS service created (an NLB's) logs account-id `unknown`; it sends to db.
    flow("unknown", "us-east-1", "10.0.3.100", "10.0.2.20", 500, "use1-az1"),
    flow(C, "us-east-1", "10.9.1.10", "10.9.2.20", 300, "use1-az1"),
    flow(B, "us-west-2", "10.1.1.10", "10.1.2.20", 2_000, "usw2-az1"),
  ]);
  const places = [
    { accountId: A, region: "us-east-1" },
    { accountId: C, region: "us-east-1" },
    { accountId: "unknown", region: "us-east-1" },
    { accountId: B, region: "us-west-2" },
  ];
  const result = await attributeAndReconcileDayByPlace(
    {
      engine,
      pricesOf: (region) => pricesFor(region),
      hasCur: false,
      writeResults: async (_dt, rows) => rows.length,
    },
    dayWindow(dt),
    places,
  );
  const bytesBy = (account: string | null, region: string) =>
    result.reconciliation.rows
      .filter((r) => r.account_id === account && r.region === region)
      .reduce((s, r) => s + r.bytes, 0);

  test("each account's bytes are its own; the `unknown` record counts once, in its Region's first account", () => {
    expect(bytesBy(A, "us-east-1")).toBe(1_500);
    expect(bytesBy(C, "us-east-1")).toBe(300);
    expect(bytesBy(B, "us-west-2")).toBe(2_000);
    expect(result.reconciliation.rows.reduce((s, r) => s + r.bytes, 0)).toBe(3_800);
    expect(result.reconciliation.rows.some((r) => r.account_id === "unknown")).toBe(false);
  });

  test("each place's rows are priced at its Region's prices: $0.02/GB for both sides of a cross-AZ byte", () => {
    const cross = result.reconciliation.rows.find((r) => r.account_id === B && r.category === "cross_az");
    expect(cross?.list_cost_usd).toBeCloseTo((2_000 / 1024 ** 3) * 0.02, 12);
  });
});

describe("attributionPlaces: which places a day is attributed as", () => {
  test("a Region's accounts each a place, the first also taking records without an account id", () => {
    expect(
      attributionPlaces([
        { accountId: "unknown", region: "us-east-1" },
        { accountId: C, region: "us-east-1" },
        { accountId: A, region: "us-east-1" },
      ]).map((p) => [p.place.accountId, p.scope.claimsUnaccounted]),
    ).toEqual([
      [A, 1],
      [C, 0],
    ]);
  });

  test("a Region without any account id (account-id not logged) is one place reconciled to every account's lines there", () => {
    expect(attributionPlaces([{ accountId: "", region: "eu-west-1" }])).toEqual([
      {
        place: { accountId: "", region: "eu-west-1" },
        scope: { accountId: "*", region: "eu-west-1", claimsUnaccounted: 0 },
      },
    ]);
  });
});
