import { gunzipSync } from "node:zlib";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  type Row,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { BYTES_PER_GB, type DaySummary, priceOverridesSchema } from "@flowcost/core";
import { AthenaEngine } from "@flowcost/functions/adapters/athena-engine";
import { CURATED_TABLES } from "@flowcost/local/engine/tables";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { S3Lake } from "../../../packages/functions/src/adapters/s3-lake.ts";
import { AttributeEvent, runAttribute } from "../../../packages/functions/src/jobs/attribute.ts";
import { lambdaSqlLoader } from "../../../packages/functions/src/shared/sql-files.ts";
import { attributedRow } from "../../support/builders.ts";
import { QUERIES_DIR } from "../../support/sql-files.ts";

/**
 * The attribute Lambda on a day of an Organization's central flow-log bucket: two accounts in two
 * Regions, and a payer's CUR holding those accounts' lines and a third account's. Athena and S3
 * are mocked (aws-sdk-client-mock); the Athena stand-in answers each of flowcost's real SQL
 * files the way the SQL would for the parameters it receives: attribute_flows prices its rows
 * with the prices it is sent, cur_network_lines keeps only the account and Region it is sent.
 */
const DT = "2026-11-22";
const BUCKET = "flowcost-prod-lake";
const ORG = [
  { accountId: "111122223333", region: "us-east-1", node: "a", nat: "nat-0111" },
  { accountId: "444455556666", region: "eu-west-2", node: "c", nat: "nat-0444" },
] as const;
const OUTSIDER = { accountId: "777788889999", region: "us-east-1" };
// eu-west-2's inter-AZ price is overridden (FLOWCOST_PRICES); its NAT price is the table's
// confirmed $0.05/GB, us-east-1's the table's $0.045/GB.
const PRICES = priceOverridesSchema.parse({ "eu-west-2": { interAzPerGbEachDirection: 0.015 } });

/** Each place's flows: 3 GiB across AZs between its two nodes' pods, 2 GiB through its NAT gateway. */
function placeRows(place: (typeof ORG)[number], prices: { interAz: number; nat: number }) {
  const cross = attributedRow({
    src_node: `node-${place.node}`,
    dst_node: `node-${place.node}2`,
    bytes: 3 * BYTES_PER_GB,
    list_cost_usd: 3 * prices.interAz * 2,
  });
  const nat = attributedRow({
    category: "nat",
    subcategory: "internet",
    src_node: `node-${place.node}`,
    dst_kind: "internet",
    dst_namespace: null,
    dst_workload_kind: null,
    dst_workload: null,
    dst_node: null,
    dst_az_id: null,
    nat_gateway: place.nat,
    bytes: 2 * BYTES_PER_GB,
    list_cost_usd: 2 * prices.nat,
  });
  return [cross, nat];
}

/** The payer's CUR network lines of the day, each with its usage account and Region. */
const CUR = [
  { ...ORG[0], usage_class: "inter_az_out", resource_id: "i-0a", cost: 0.03 },
  { ...ORG[0], usage_class: "inter_az_in", resource_id: "i-0a2", cost: 0.03 },
  { ...ORG[0], usage_class: "nat_bytes", resource_id: "nat-0111", cost: 0.09 },
  // No flow explains this instance's line: it stays unattributed in its own account's day.
  { ...ORG[0], usage_class: "inter_az_out", resource_id: "i-0zz", cost: 0.02 },
  { ...ORG[1], usage_class: "inter_az_out", resource_id: "i-0c", cost: 0.03 },
  { ...ORG[1], usage_class: "inter_az_in", resource_id: "i-0c2", cost: 0.03 },
  { ...ORG[1], usage_class: "nat_bytes", resource_id: "nat-0444", cost: 0.1 },
  // An account without flow logs in the bucket: never part of either place's bill.
  { ...OUTSIDER, usage_class: "nat_bytes", resource_id: "nat-0777", cost: 5 },
];

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);

/** ExecutionParameters back to values: numbers bare, strings quoted. */
const value = (literal: string) =>
  literal.startsWith("'") ? literal.slice(1, -1).replaceAll("''", "'") : Number(literal);
const text = (v: unknown) => (v === null || v === undefined ? {} : { VarCharValue: String(v) });
const resultSet = (rows: Array<Record<string, unknown>>, columns: string[]) => ({
  ResultSet: {
    ResultSetMetadata: { ColumnInfo: columns.map((Name) => ({ Name, Type: "varchar" })) },
    Rows: [
      { Data: columns.map((c) => ({ VarCharValue: c })) },
      ...rows.map((r): Row => ({ Data: columns.map((c) => text(r[c])) })),
    ],
  },
});
const inScope = (scope: unknown, actual: string) => scope === "*" || scope === actual;

/** What Athena was asked, by query name, with its parameter values. */
type Asked = { name: string; params: Array<string | number> };

function fakeAthena(): Asked[] {
  const asked: Asked[] = [];
  const answers = new Map<string, ReturnType<typeof resultSet> | { UpdateCount: number }>();
  let next = 0;
  athena.on(StartQueryExecutionCommand).callsFake((input) => {
    const sql: string = input.QueryString;
    const params = ((input.ExecutionParameters ?? []) as string[]).map(value);
    const id = `q-${++next}`;
    const name = /^-- (\w+):/.exec(sql)?.[1] ?? sql.split(/\s/)[0] ?? "";
    asked.push({ name, params });
    answers.set(id, answer(name, params));
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).callsFake((input) => ({
    QueryExecution: {
      QueryExecutionId: input.QueryExecutionId,
      Status: { State: "SUCCEEDED" },
      Statistics: { DataScannedInBytes: 10_485_760 },
    },
  }));
  athena.on(GetQueryResultsCommand).callsFake((input) => answers.get(input.QueryExecutionId));
  athena.on(GetTableMetadataCommand).callsFake((input) => {
    const spec = CURATED_TABLES[input.TableName as "stitched_flows"];
    return {
      TableMetadata: {
        Name: input.TableName,
        Columns: Object.keys(spec.columns)
          .filter((c) => c !== "dt")
          .map((Name) => ({ Name, Type: "string" })),
        PartitionKeys: [{ Name: "dt", Type: "string" }],
        Parameters: {},
      },
    };
  });
  return asked;
}

function answer(name: string, p: Array<string | number>) {
  switch (name) {
    case "day_places":
      return resultSet(
        [
          ...ORG.map((o) => ({ account_id: o.accountId, region: o.region, bytes: 5 * BYTES_PER_GB })),
          // Records of an ENI an AWS service created (an NLB's): account-id `unknown`.
          { account_id: "unknown", region: "us-east-1", bytes: BYTES_PER_GB },
        ],
        ["account_id", "region", "bytes"],
      );
    case "attribute_flows": {
      // bytesPerGb, interAzPerGb, natPerGb, vpcEndpointPerGb, internetPerGb, accountId, region, dt x4
      const [, interAz, nat, , , account, region] = p;
      const rows = ORG.filter((o) => inScope(account, o.accountId) && inScope(region, o.region)).flatMap(
        (o) => placeRows(o, { interAz: Number(interAz), nat: Number(nat) }),
      );
      return resultSet(rows, Object.keys(rows[0] ?? attributedRow()));
    }
    case "cur_network_lines": {
      const [account, region] = p;
      const rows = CUR.filter((l) => inScope(account, l.accountId) && inScope(region, l.region)).map((l) => ({
        dt: DT,
        usage_class: l.usage_class,
        resource_id: l.resource_id,
        usage_type: "x",
        usage_amount: 1,
        cost_usd: l.cost,
      }));
      return resultSet(rows, ["dt", "usage_class", "resource_id", "usage_type", "usage_amount", "cost_usd"]);
    }
    case "node_instances":
      return resultSet(
        ["a", "a2", "c", "c2"].map((n) => ({ node: `node-${n}`, instance_id: `i-0${n}` })),
        ["node", "instance_id"],
      );
    case "stitch_summary":
      return resultSet([], ["pairing", "flow_direction", "bytes", "rows"]);
    case "nat_destinations":
      return resultSet([], ["outside_ip", "aws_service", "bytes"]);
    default:
      // DDL and the stitched_flows INSERT (no rows without default-format flows).
      return { UpdateCount: 0 };
  }
}

/** An S3 bucket in a Map: PUT, GET, list (with folders) and batch delete. */
function fakeBucket(): Map<string, Uint8Array> {
  const objects = new Map<string, Uint8Array>();
  s3.on(PutObjectCommand).callsFake((input) => {
    objects.set(input.Key, input.Body as Uint8Array);
    return {};
  });
  s3.on(GetObjectCommand).callsFake((input) => {
    const bytes = objects.get(input.Key);
    if (!bytes) throw new NoSuchKey({ message: "NoSuchKey", $metadata: {} });
    return { Body: { transformToByteArray: async () => bytes } };
  });
  s3.on(ListObjectsV2Command).callsFake((input) => {
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? "")).sort();
    return {
      Contents: keys.map((Key) => ({ Key, Size: objects.get(Key)?.length ?? 0 })),
      IsTruncated: false,
    };
  });
  s3.on(DeleteObjectsCommand).callsFake((input) => {
    for (const o of input.Delete?.Objects ?? []) objects.delete(o.Key);
    return {};
  });
  return objects;
}

beforeEach(() => {
  athena.reset();
  s3.reset();
});
afterEach(() => {
  athena.reset();
  s3.reset();
});

describe("attribute Lambda: an Organization's day, two accounts in two Regions", async () => {
  const run = async () => {
    const asked = fakeAthena();
    const objects = fakeBucket();
    const client = new S3Client({});
    const engine = new AthenaEngine({
      athena: new AthenaClient({}),
      s3: client,
      workGroup: "flowcost",
      database: "flowcost_db",
      lakeBucket: BUCKET,
      loadSql: lambdaSqlLoader(QUERIES_DIR),
      pollMinMs: 1,
      sleep: async () => {},
    });
    const out = await runAttribute(
      { engine, lake: new S3Lake({ s3: client, bucket: BUCKET }), region: "us-east-1", prices: PRICES },
      AttributeEvent.parse({ time: "2026-11-23T03:30:00Z", mode: "daily" }),
    );
    const body = objects.get(`results/daily/dt=${DT}/rows.json.gz`) ?? new Uint8Array();
    const rows = gunzipSync(body)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summaryKey = [...objects.keys()].find(
      (k) => k.includes(`dt=${DT}`) && k.startsWith("results/summary/"),
    );
    const summary = JSON.parse(
      gunzipSync(objects.get(summaryKey ?? "") ?? new Uint8Array()).toString("utf8"),
    ) as DaySummary;
    return { asked, out, rows, summary };
  };
  const { asked, out, rows, summary } = await run();
  const cents = (place: { region: string }) =>
    rows
      .filter((r) => r.region === place.region)
      .reduce((s, r) => s + Math.round(Number(r.billed_cost_usd) * 100), 0);

  test("each account and Region is attributed on its own, with its Region's prices (table + FLOWCOST_PRICES); `unknown` accounts join their Region's", () => {
    // Places come in Region order.
    expect(out.places).toEqual([ORG[1], ORG[0]].map((o) => ({ accountId: o.accountId, region: o.region })));
    const calls = asked.filter((a) => a.name === "attribute_flows").map((a) => a.params.slice(1, 8));
    // interAzPerGb, natPerGb, vpcEndpointPerGb, internetPerGb, accountId, region, claimsUnaccounted:
    // the `unknown` records of us-east-1 are its account's, not a place of their own.
    expect(calls).toEqual([
      [0.015, 0.05, 0.01, 0.09, "444455556666", "eu-west-2", 1],
      [0.01, 0.045, 0.01, 0.09, "111122223333", "us-east-1", 1],
    ]);
    // Stitching runs once for the day (records pair only within their own account and Region).
    expect(asked.filter((a) => a.name === "INSERT")).toHaveLength(1);
  });

  test("results/daily rows name their account and Region and carry that Region's list dollars", () => {
    expect(rows).toHaveLength(5);
    const list = (region: string, category: string) =>
      rows.find((r) => r.region === region && r.category === category)?.list_cost_usd;
    expect(list("us-east-1", "cross_az")).toBeCloseTo(0.06, 10);
    expect(list("us-east-1", "nat")).toBeCloseTo(0.09, 10);
    expect(list("eu-west-2", "cross_az")).toBeCloseTo(0.09, 10);
    expect(list("eu-west-2", "nat")).toBeCloseTo(0.1, 10);
    for (const o of ORG)
      expect(rows.filter((r) => r.region === o.region).every((r) => r.account_id === o.accountId)).toBe(true);
  });

  test("each place reconciles to its own account's CUR lines to the cent; the third account's bill is in neither", () => {
    expect(cents(ORG[0])).toBe(17);
    expect(cents(ORG[1])).toBe(16);
    const unattributed = rows.filter((r) => r.category === "unattributed");
    expect(unattributed).toEqual([
      expect.objectContaining({ src_resource: "i-0zz", billed_cost_usd: 0.02, account_id: "111122223333" }),
    ]);
    expect(out.result.reconciliation).toMatchObject({
      billedCents: 33,
      allocatedCents: 31,
      unattributedCents: 2,
    });
    expect(asked.filter((a) => a.name === "cur_network_lines").map((a) => a.params.slice(0, 2))).toEqual(
      [ORG[1], ORG[0]].map((o) => [o.accountId, o.region]),
    );
  });

  test("the day document warns of eu-west-2's stand-in prices (list-cost column only: the CUR bills the day), not of us-east-1's", () => {
    expect(summary.warnings).toEqual([
      {
        code: "list-price-placeholder",
        message:
          "eu-west-2: no looked-up list price for nlbPerHour, nlbPerLcuHour, interfaceEndpointPerAzHour, interfaceEndpointPerGb, internetEgressTiers; us-east-1's stand in for the list-cost column only (billed dollars come from the CUR). Set them in FLOWCOST_PRICES (docs/pricing.md)",
      },
    ]);
  });

  test("the day document's rows name their account and Region; the day itself names neither", () => {
    expect(summary.account).toBeUndefined();
    expect(summary.region).toBeUndefined();
    expect(summary.reconciliation).toMatchObject({ billedCents: 33, unattributedCents: 2 });
    const byRegion = (region: string) => summary.rows.filter((r) => r.region === region);
    expect(byRegion("us-east-1").map((r) => [r.account, r.category, r.billedCents])).toEqual([
      ["111122223333", "cross_az", 6],
      ["111122223333", "nat", 9],
      ["111122223333", "unattributed", 2],
    ]);
    expect(byRegion("eu-west-2").map((r) => [r.account, r.category, r.billedCents])).toEqual([
      ["444455556666", "cross_az", 6],
      ["444455556666", "nat", 10],
    ]);
  });
});
