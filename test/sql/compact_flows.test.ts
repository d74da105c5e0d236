import { compactFlows, compactFlowsDirected } from "@flowcost/core";
import { findFlowLogFiles } from "@flowcost/local/lake/flow-log-files";
import { describe, expect, test } from "vitest";
import { describeRun, openSqlLake, project, sortRows, writeFlowLogObject } from "../support/sql-lake.ts";

/** A v5 custom format, as a CreateFlowLogs LogFormat would order it. */
const FIELDS = [
  "version",
  "account-id",
  "region",
  "vpc-id",
  "interface-id",
  "az-id",
  "flow-direction",
  "srcaddr",
  "dstaddr",
  "pkt-srcaddr",
  "pkt-dstaddr",
  "srcport",
  "dstport",
  "protocol",
  "packets",
  "bytes",
  "start",
  "end",
  "action",
  "log-status",
  "traffic-path",
  "pkt-src-aws-service",
  "pkt-dst-aws-service",
];
const T = Date.UTC(2026, 10, 22, 7, 0, 0) / 1000; // the window: 2026-11-22 07:00 UTC
const base = { version: 5, "account-id": "123456789012", region: "us-east-1", "vpc-id": "vpc-0abc" };
const apiToDb = {
  ...base,
  "interface-id": "eni-0aaa",
  "az-id": "use1-az1",
  "flow-direction": "egress",
  srcaddr: "10.0.1.5",
  dstaddr: "10.0.2.6",
  "pkt-srcaddr": "10.0.1.10",
  "pkt-dstaddr": "10.0.2.20",
  protocol: 6,
  action: "ACCEPT",
  "log-status": "OK",
  "traffic-path": 1,
};
const records = [
  // Two connections from different client ports to one service port in one minute: one group.
  { ...apiToDb, srcport: 43512, dstport: 5432, packets: 10, bytes: 1000, start: T + 5, end: T + 55 },
  { ...apiToDb, srcport: 43999, dstport: 5432, packets: 5, bytes: 500, start: T + 30, end: T + 70 },
  // The next minute is its own row.
  { ...apiToDb, srcport: 43512, dstport: 5432, packets: 3, bytes: 300, start: T + 60, end: T + 119 },
  // The receiver's ENI logs the same bytes as ingress: kept as its own row (attribution counts egress).
  {
    ...apiToDb,
    "interface-id": "eni-0bbb",
    "az-id": "use1-az2",
    "flow-direction": "ingress",
    srcport: 43512,
    dstport: 5432,
    packets: 10,
    bytes: 1000,
    start: T + 6,
    end: T + 56,
    "traffic-path": "-",
  },
  // DNS over UDP: the lower port (53) is the service port, whichever side sent.
  {
    ...apiToDb,
    "pkt-dstaddr": "10.0.3.2",
    dstaddr: "10.0.3.2",
    protocol: 17,
    srcport: 53,
    dstport: 61000,
    packets: 1,
    bytes: 90,
    start: T + 120,
    end: T + 120,
  },
  // ICMP has no ports: no service port.
  { ...apiToDb, protocol: 1, srcport: 0, dstport: 0, packets: 2, bytes: 168, start: T + 180, end: T + 181 },
  // A rejected connection is traffic of its own kind, not merged with accepted bytes.
  {
    ...apiToDb,
    srcport: 43512,
    dstport: 5432,
    packets: 1,
    bytes: 60,
    start: T + 10,
    end: T + 10,
    action: "REJECT",
  },
  // NODATA and SKIPDATA are never traffic.
  {
    ...base,
    "interface-id": "eni-0aaa",
    "az-id": "use1-az1",
    start: T + 10,
    end: T + 70,
    "log-status": "NODATA",
  },
  {
    ...base,
    "interface-id": "eni-0aaa",
    "az-id": "use1-az1",
    start: T + 20,
    end: T + 80,
    "log-status": "SKIPDATA",
  },
  // Window bounds: start is inclusive, end exclusive.
  { ...apiToDb, srcport: 40000, dstport: 443, packets: 1, bytes: 11, start: T - 1, end: T + 20 },
  { ...apiToDb, srcport: 40000, dstport: 443, packets: 1, bytes: 22, start: T, end: T + 20 },
  { ...apiToDb, srcport: 40000, dstport: 443, packets: 1, bytes: 33, start: T + 3599, end: T + 3630 },
  { ...apiToDb, srcport: 40000, dstport: 443, packets: 1, bytes: 44, start: T + 3600, end: T + 3630 },
];

const params = {
  dt: "2026-11-22",
  hour: "07",
  dayFrom: "2026/11/22",
  dayTo: "2026/11/22",
  windowStart: T,
  windowEnd: T + 3600,
};
const KEYS = [
  "interface_id",
  "az_id",
  "flow_direction",
  "srcaddr",
  "dstaddr",
  "pkt_srcaddr",
  "pkt_dstaddr",
  "protocol",
  "service_port",
  "action",
  "traffic_path",
  "minute",
  "first_start",
  "last_end",
  "bytes",
  "packets",
  "records",
  "dt",
  "hour",
] as const;

/** A lake holding the one flow-log object above. */
async function lakeWithTheObject(name: string) {
  const lake = await openSqlLake(name);
  await writeFlowLogObject(lake.lakeDir, {
    accountId: "123456789012",
    region: "us-east-1",
    fileTime: T + 300,
    fields: FIELDS,
    records,
  });
  return lake;
}

describe("compact_flows on DuckDB", async () => {
  const { lakeDir, engine } = await lakeWithTheObject("sql-compact");
  await engine.rawFlowLogs.define(await findFlowLogFiles(lakeDir));
  const result = await engine.query(compactFlows, params);
  const context = await describeRun(compactFlows, params);
  const rows = sortRows(project(result.rows, KEYS));

  const row = (o: Partial<Record<(typeof KEYS)[number], unknown>>) => ({
    interface_id: "eni-0aaa",
    az_id: "use1-az1",
    flow_direction: "egress",
    srcaddr: "10.0.1.5",
    dstaddr: "10.0.2.6",
    pkt_srcaddr: "10.0.1.10",
    pkt_dstaddr: "10.0.2.20",
    protocol: 6,
    action: "ACCEPT",
    traffic_path: 1,
    dt: "2026-11-22",
    hour: "07",
    ...o,
  });

  test("aggregates per minute, folds client ports into the service port, drops NODATA/SKIPDATA, honours the window", () => {
    expect(rows, context).toEqual(
      sortRows([
        row({
          service_port: 5432,
          minute: T,
          first_start: T + 5,
          last_end: T + 70,
          bytes: 1500,
          packets: 15,
          records: 2,
        }),
        row({
          service_port: 5432,
          minute: T + 60,
          first_start: T + 60,
          last_end: T + 119,
          bytes: 300,
          packets: 3,
          records: 1,
        }),
        row({
          interface_id: "eni-0bbb",
          az_id: "use1-az2",
          flow_direction: "ingress",
          traffic_path: null,
          service_port: 5432,
          minute: T,
          first_start: T + 6,
          last_end: T + 56,
          bytes: 1000,
          packets: 10,
          records: 1,
        }),
        row({
          dstaddr: "10.0.3.2",
          pkt_dstaddr: "10.0.3.2",
          protocol: 17,
          service_port: 53,
          minute: T + 120,
          first_start: T + 120,
          last_end: T + 120,
          bytes: 90,
          packets: 1,
          records: 1,
        }),
        row({
          protocol: 1,
          service_port: null,
          minute: T + 180,
          first_start: T + 180,
          last_end: T + 181,
          bytes: 168,
          packets: 2,
          records: 1,
        }),
        row({
          action: "REJECT",
          service_port: 5432,
          minute: T,
          first_start: T + 10,
          last_end: T + 10,
          bytes: 60,
          packets: 1,
          records: 1,
        }),
        row({
          service_port: 443,
          minute: T,
          first_start: T,
          last_end: T + 20,
          bytes: 22,
          packets: 1,
          records: 1,
        }),
        row({
          service_port: 443,
          minute: T + 3540,
          first_start: T + 3599,
          last_end: T + 3630,
          bytes: 33,
          packets: 1,
          records: 1,
        }),
      ]),
    );
  });

  test("every OK byte inside the window is kept once: 3,173 of the object's 3,228", () => {
    expect(
      result.rows.reduce((sum, r) => sum + r.bytes, 0),
      context,
    ).toBe(3173);
  });
});

describe("compact_flows_directed on DuckDB: compact_flows' rows and the ledger's status counts from one scan", async () => {
  const { lakeDir, engine } = await lakeWithTheObject("sql-compact-directed");
  const files = await findFlowLogFiles(lakeDir);
  await engine.rawFlowLogs.define(files);
  const expected = sortRows(project((await engine.query(compactFlows, params)).rows, KEYS));
  const viewStatus = await engine.run("SELECT * FROM raw_flow_status ORDER BY ALL");
  const staged = await engine.rawFlowStatus.adopt(
    await engine.partitions.stage(compactFlowsDirected, { ...params, passes: 1, pass: 0 }),
  );
  const curated = await engine.run(
    `SELECT * FROM read_parquet('${staged.staged}/*/*/*.parquet', hive_partitioning = true, hive_types = {'dt': VARCHAR, 'hour': VARCHAR})`,
  );
  const status = await engine.run("SELECT * FROM raw_flow_status ORDER BY ALL");
  const file = files[0]?.path;

  test("every format here logs flow-direction, so the local job would pick it", () => {
    expect(engine.rawFlowLogs.logDirection()).toBe(true);
  });

  test("the staged partitions hold exactly compact_flows' rows, and only the window's hour", () => {
    expect(staged.partitions).toEqual([{ dt: "2026-11-22", hour: "07" }]);
    const rows = curated.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
    );
    expect(sortRows(project(rows, KEYS))).toEqual(expected);
  });

  test("the status counts per object equal a scan of its own: 11 traffic records, one NODATA, one SKIPDATA window", () => {
    expect(status).toEqual(viewStatus);
    const counts = status.map((r) => ({
      file: r.source_file,
      status: r.log_status,
      traffic: r.traffic,
      records: Number(r.records),
      gap: r.gap_interface_id === null ? null : [r.gap_interface_id, Number(r.gap_start), Number(r.gap_end)],
    }));
    expect(counts).toEqual([
      { file, status: "NODATA", traffic: false, records: 1, gap: null },
      { file, status: "OK", traffic: true, records: 11, gap: null },
      { file, status: "SKIPDATA", traffic: false, records: 1, gap: ["eni-0aaa", T + 20, T + 80] },
    ]);
  });
});
