import "aws-sdk-client-mock-vitest/extend";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-athena";
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { col, defineQuery, type QueryDefinition, QueryFailedError, QueryTimeoutError } from "@flowcost/core";
import {
  AthenaEngine,
  type AthenaEngineOptions,
  athenaLiteral,
} from "@flowcost/functions/adapters/athena-engine";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);

/** A small query whose rows exercise strings, integers and NULLs. */
const workloadBytes = defineQuery({
  name: "workload_bytes",
  area: "test",
  params: z.object({ dt: z.string(), team: z.string(), bytesPerGb: z.number(), price: z.number() }),
  paramOrder: ["dt", "team", "bytesPerGb", "price"],
  row: z.object({ workload: col.string, bytes: col.int, service: col.nullableString }),
});
const params = { dt: "2026-11-22", team: "O'Brien's team", bytesPerGb: 1073741824, price: 0.01 };

const text = (v: string | undefined) => (v === undefined ? {} : { VarCharValue: v });
const row = (...cells: Array<string | undefined>): Row => ({ Data: cells.map(text) });
const header = row("workload", "bytes", "service");
const columnInfo = ["workload", "bytes", "service"].map((Name) => ({ Name, Type: "varchar" }));

interface Harness {
  engine: AthenaEngine;
  sleeps: number[];
  logs: Array<{ level: string; msg: string; extra?: object }>;
  /** Every Athena statement and S3 write, in the order they happened. */
  events: string[];
}

function harness(overrides: Partial<AthenaEngineOptions> = {}): Harness {
  let clock = 1_000_000;
  const sleeps: number[] = [];
  const logs: Harness["logs"] = [];
  const events: string[] = [];
  const engine = new AthenaEngine({
    athena: new AthenaClient({}),
    s3: new S3Client({}),
    workGroup: "flowcost",
    database: "flowcost_db",
    outputLocation: "s3://athena-results-bucket/flowcost/",
    lakeBucket: "lake-bucket",
    loadSql: async (q) => `SELECT * FROM ${q.name}_source WHERE dt = CAST(? AS varchar)`,
    timeoutMs: 60_000,
    pollMinMs: 250,
    pollMaxMs: 2_000,
    logger: {
      info: (msg, extra) => logs.push({ level: "info", msg, extra }),
      warn: (msg, extra) => logs.push({ level: "warn", msg, extra }),
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    runId: () => "r20261122t0700_ab12",
    ...overrides,
  });
  return { engine, sleeps, logs, events };
}

/** Athena that finishes each statement after one RUNNING poll, scanning 10 MiB. */
function succeedingAthena(events: string[] = []) {
  let next = 0;
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    events.push(input.QueryString.replace(/\s+/g, " ").trim());
    next += 1;
    return { QueryExecutionId: `qid-${next}` };
  });
  const polls = new Map<string, number>();
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    const seen = (polls.get(input.QueryExecutionId) ?? 0) + 1;
    polls.set(input.QueryExecutionId, seen);
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        Status: { State: seen === 1 ? "RUNNING" : "SUCCEEDED" },
        Statistics: { DataScannedInBytes: 10_485_760 },
      },
    };
  });
}

beforeEach(() => {
  athena.reset();
  s3.reset();
});

describe("AthenaEngine.query", () => {
  test("2,345 rows over 3 pages of 1000: the header row is dropped once, every value arrives exactly", async () => {
    // Prepare
    const { engine } = harness();
    succeedingAthena();
    const all = Array.from({ length: 2345 }, (_, i) => row(`w-${i}`, String(i * 10), `ns/svc-${i % 7}`));
    // A data row equal to the header on a later page is data, not a header.
    all[999] = row("workload", "42", "service");
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: "qid-1", NextToken: undefined })
      .resolves({
        ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: [header, ...all.slice(0, 999)] },
        NextToken: "page-2",
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: "qid-1", NextToken: "page-2" })
      .resolves({
        ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: all.slice(999, 1999) },
        NextToken: "page-3",
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: "qid-1", NextToken: "page-3" })
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: all.slice(1999) } });

    // Act
    const result = await engine.query(workloadBytes, params);

    // Assess
    expect(result.rows).toHaveLength(2345);
    expect(result.rows[0]).toEqual({ workload: "w-0", bytes: 0, service: "ns/svc-0" });
    expect(result.rows[998]).toEqual({ workload: "w-998", bytes: 9980, service: "ns/svc-4" });
    expect(result.rows[999]).toEqual({ workload: "workload", bytes: 42, service: "service" });
    expect(result.rows[2344]).toEqual({ workload: "w-2344", bytes: 23440, service: "ns/svc-6" });
    expect(result.rows.reduce((sum, r) => sum + r.bytes, 0)).toBe((10 * 2344 * 2345) / 2 - 9990 + 42);
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 3);
    expect(athena).toHaveReceivedNthCommandWith(GetQueryResultsCommand, 1, {
      QueryExecutionId: "qid-1",
      MaxResults: 1000,
    });
    expect(athena).toHaveReceivedNthCommandWith(GetQueryResultsCommand, 3, {
      QueryExecutionId: "qid-1",
      MaxResults: 1000,
      NextToken: "page-3",
    });
  });

  test("a cell without VarCharValue is NULL; an empty string stays an empty string", async () => {
    const { engine } = harness();
    succeedingAthena();
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columnInfo },
        Rows: [header, row("api", "5", undefined), row("", "0", "")],
      },
    });

    const result = await engine.query(workloadBytes, params);

    expect(result.rows).toEqual([
      { workload: "api", bytes: 5, service: null },
      { workload: "", bytes: 0, service: "" },
    ]);
  });

  test("parameters go as ExecutionParameters SQL literals: strings quoted with quotes doubled, numbers bare", async () => {
    const { engine } = harness();
    succeedingAthena();
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: [header] },
    });

    await engine.query(workloadBytes, params);

    expect(athena).toHaveReceivedCommandExactlyOnceWith(StartQueryExecutionCommand, {
      QueryString: "SELECT * FROM workload_bytes_source WHERE dt = CAST(? AS varchar)",
      QueryExecutionContext: { Database: "flowcost_db", Catalog: "AwsDataCatalog" },
      WorkGroup: "flowcost",
      ResultConfiguration: { OutputLocation: "s3://athena-results-bucket/flowcost/" },
      ExecutionParameters: ["'2026-11-22'", "'O''Brien''s team'", "1073741824", "0.01"],
    });
    expect(athenaLiteral("it's")).toBe("'it''s'");
    expect(() => athenaLiteral(Number.NaN)).toThrow(/not a finite number/);
  });

  test("without an output location (the workgroup enforces one) no ResultConfiguration is sent", async () => {
    const { engine } = harness({ outputLocation: undefined, catalog: "lakehouse" });
    succeedingAthena();
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: [header] },
    });

    await engine.query(workloadBytes, params);

    const input = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input?.ResultConfiguration).toBeUndefined();
    expect(input?.QueryExecutionContext).toEqual({ Database: "flowcost_db", Catalog: "lakehouse" });
  });

  test("FAILED throws QueryFailedError with Athena's StateChangeReason and the query id", async () => {
    const { engine, logs } = harness();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "qid-failed" });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: "FAILED",
          StateChangeReason: "COLUMN_NOT_FOUND: line 3:8: Column 'bytez' cannot be resolved",
        },
        Statistics: { DataScannedInBytes: 0 },
      },
    });

    const error = await engine.query(workloadBytes, params).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as QueryFailedError).queryId).toBe("qid-failed");
    expect((error as Error).message).toBe(
      "query workload_bytes failed: FAILED: COLUMN_NOT_FOUND: line 3:8: Column 'bytez' cannot be resolved (query id qid-failed)",
    );
    expect(athena).not.toHaveReceivedCommand(GetQueryResultsCommand);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        extra: expect.objectContaining({ queryId: "qid-failed", state: "FAILED" }),
      }),
    );
  });

  test("CANCELLED throws QueryFailedError naming the state", async () => {
    const { engine } = harness();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "qid-cancelled" });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: "CANCELLED", StateChangeReason: "Query was cancelled by user" } },
    });

    await expect(engine.query(workloadBytes, params)).rejects.toThrow(
      "query workload_bytes failed: CANCELLED: Query was cancelled by user (query id qid-cancelled)",
    );
  });

  test("a throttled StartQueryExecution is retried with capped backoff and then succeeds", async () => {
    const { engine, sleeps } = harness();
    succeedingAthena();
    const throttled = () =>
      new TooManyRequestsException({
        message: "Rate exceeded",
        $metadata: {},
        Reason: "CONCURRENT_QUERY_LIMIT_EXCEEDED",
      });
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ QueryExecutionId: "qid-after-throttle" });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 1 } },
    });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo }, Rows: [header, row("api", "7", "ns/api")] },
    });

    const result = await engine.query(workloadBytes, params);

    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 4);
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(result.stats.queryId).toBe("qid-after-throttle");
    expect(result.rows).toEqual([{ workload: "api", bytes: 7, service: "ns/api" }]);
  });

  test("a throttle that never ends fails after the configured attempts, with Athena's error", async () => {
    const { engine } = harness({ maxAttempts: 3 });
    athena
      .on(StartQueryExecutionCommand)
      .rejects(new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} }));

    await expect(engine.query(workloadBytes, params)).rejects.toThrow("Rate exceeded");
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 3);
  });

  test("past the timeout the query is stopped and QueryTimeoutError names it; polls back off to the cap", async () => {
    const { engine, sleeps } = harness({ timeoutMs: 10_000 });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "qid-slow" });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "RUNNING" } } });
    athena.on(StopQueryExecutionCommand).resolves({});

    const error = await engine.query(workloadBytes, params).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect((error as QueryTimeoutError).queryId).toBe("qid-slow");
    expect((error as Error).message).toMatch(/^query workload_bytes failed: still RUNNING after 10000 ms/);
    expect(athena).toHaveReceivedCommandExactlyOnceWith(StopQueryExecutionCommand, {
      QueryExecutionId: "qid-slow",
    });
    expect(sleeps).toEqual([250, 500, 1000, 2000, 2000, 2000, 2000, 250]);
  });

  test("bytes scanned, the query id and elapsed time are reported and logged, never row data", async () => {
    const { engine, logs } = harness();
    succeedingAthena();
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columnInfo },
        Rows: [header, row("secret-workload", "123456", "payments/ledger")],
      },
    });

    const result = await engine.query(workloadBytes, params);

    expect(result.stats).toEqual({
      engine: "athena",
      queryId: "qid-1",
      bytesScanned: 10_485_760,
      elapsedMs: 250,
    });
    expect(logs).toEqual([
      {
        level: "info",
        msg: "athena query finished",
        extra: {
          queryName: "workload_bytes",
          queryId: "qid-1",
          state: "SUCCEEDED",
          elapsedMs: 250,
          bytesScanned: 10_485_760,
        },
      },
    ]);
    expect(JSON.stringify(logs)).not.toMatch(/secret-workload|123456|payments/);
  });

  test("a row that does not match the row schema fails naming the query, the row index and the query id", async () => {
    const { engine } = harness();
    succeedingAthena();
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columnInfo },
        Rows: [header, row("api", "5", "ns/api"), row("web", "5.5 GB", "ns/web")],
      },
    });

    const error = await engine.query(workloadBytes, params).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as Error).message).toMatch(
      /^query workload_bytes failed: row 1 does not match the row schema: .*bytes.*\(query id qid-1\)$/s,
    );
  });
});

/** An hourly rollup materialised into a table partitioned like hourly_bytes. */
const hourlyBytes = defineQuery({
  name: "hourly_bytes",
  area: "test",
  params: z.object({ dayFrom: z.string(), windowStart: z.number() }),
  paramOrder: ["dayFrom", "windowStart"],
  row: z.object({
    workload: col.string,
    traffic_path: col.nullableInt,
    bytes: col.int,
    dt: col.string,
    hour: col.string,
  }),
  partitionedBy: ["dt", "hour"],
});
const hourlyParams = { dayFrom: "2026/11/22", windowStart: 1795327200 };
const hourlyLiterals = ["'2026/11/22'", "1795327200"];

/** The catalog's view of the target table (what the Glue DDL declares). */
function hourlyBytesMetadata(parameters: Record<string, string> = {}) {
  return {
    TableMetadata: {
      Name: "hourly_bytes",
      Columns: [
        { Name: "workload", Type: "string" },
        { Name: "traffic_path", Type: "int" },
        { Name: "bytes", Type: "bigint" },
      ],
      PartitionKeys: [
        { Name: "dt", Type: "string" },
        { Name: "hour", Type: "string" },
      ],
      Parameters: parameters,
    },
  };
}

/** S3 listing per prefix; every DeleteObjects is recorded in `events`. */
function lake(objects: Record<string, string[]>, events: string[]) {
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: Object.entries(objects)
      .filter(([key]) => key.startsWith(input.Prefix))
      .map(([Key]) => ({ Key })),
    IsTruncated: false,
  }));
  s3.on(DeleteObjectsCommand).callsFake((input: { Delete: { Objects: Array<{ Key: string }> } }) => {
    events.push(`DELETE ${input.Delete.Objects.map((o) => o.Key).join(" ")}`);
    return {};
  });
}

describe("AthenaEngine.materialize", () => {
  test("writes through a per-run table, repoints each owned partition, drops the emptied one, then deletes old files", async () => {
    // Prepare: hour 06 has an earlier run's file; hour 07 had rows before and the query now leaves it empty.
    const { engine, events } = harness({ loadSql: async () => "SELECT * FROM raw" });
    succeedingAthena(events);
    athena.on(GetTableMetadataCommand).resolves(hourlyBytesMetadata());
    athena.on(GetQueryResultsCommand).resolves({ UpdateCount: 120 });
    const run = "lake/hourly/dt=2026-11-22/hour=06/run=r20261122t0700_ab12";
    const files = {
      "lake/hourly/dt=2026-11-22/hour=06/run=r20261121t0700_ffff/part-0.parquet": ["old"],
      [`${run}/20261122_070012_00012_abcde_0.parquet`]: ["new"],
      "lake/hourly/dt=2026-11-22/hour=07/run=r20261121t0800_eeee/part-0.parquet": ["old"],
    };
    lake(files, events);

    // Act
    const result = await engine.materialize(hourlyBytes, hourlyParams, {
      table: "hourly_bytes",
      prefix: "lake/hourly",
      partitions: [
        { dt: "2026-11-22", hour: "06" },
        { hour: "07", dt: "2026-11-22" },
      ],
    });

    // Assess
    expect(events).toEqual([
      "CREATE EXTERNAL TABLE `hourly_bytes__run_r20261122t0700_ab12` (`workload` string, `traffic_path` int, `bytes` bigint) PARTITIONED BY (`dt` string, `hour` string, `run` string) STORED AS PARQUET " +
        "LOCATION 's3://lake-bucket/lake/hourly/' TBLPROPERTIES ('parquet.compression' = 'SNAPPY')",
      `INSERT INTO "hourly_bytes__run_r20261122t0700_ab12" SELECT "workload", "traffic_path", "bytes", "dt", "hour", CAST(? AS varchar) AS "run" ` +
        "FROM ( SELECT * FROM raw ) AS materialized WHERE " +
        `("dt" = CAST(? AS varchar) AND "hour" = CAST(? AS varchar)) OR ("dt" = CAST(? AS varchar) AND "hour" = CAST(? AS varchar))`,
      "DROP TABLE IF EXISTS `hourly_bytes__run_r20261122t0700_ab12`",
      "ALTER TABLE `hourly_bytes` ADD IF NOT EXISTS PARTITION (`dt` = '2026-11-22', `hour` = '06') " +
        `LOCATION 's3://lake-bucket/${run}/'`,
      `ALTER TABLE \`hourly_bytes\` PARTITION (\`dt\` = '2026-11-22', \`hour\` = '06') SET LOCATION 's3://lake-bucket/${run}/'`,
      "ALTER TABLE `hourly_bytes` DROP IF EXISTS PARTITION (`dt` = '2026-11-22', `hour` = '07')",
      "DELETE lake/hourly/dt=2026-11-22/hour=06/run=r20261121t0700_ffff/part-0.parquet",
      "DELETE lake/hourly/dt=2026-11-22/hour=07/run=r20261121t0800_eeee/part-0.parquet",
    ]);
    expect(athena).toHaveReceivedNthCommandWith(StartQueryExecutionCommand, 2, {
      ExecutionParameters: [
        "'r20261122t0700_ab12'",
        ...hourlyLiterals,
        "'2026-11-22'",
        "'06'",
        "'2026-11-22'",
        "'07'",
      ],
    });
    expect(result).toEqual({
      rowsWritten: 120,
      partitionsWritten: ["dt=2026-11-22/hour=06"],
      stats: { engine: "athena", queryId: "qid-2", bytesScanned: 10_485_760, elapsedMs: 1500 },
    });
  });

  test("250 owned partitions are written by 3 INSERTs of at most 100 partitions each", async () => {
    const { engine, events } = harness({ loadSql: async () => "SELECT * FROM raw" });
    succeedingAthena(events);
    athena.on(GetTableMetadataCommand).resolves(hourlyBytesMetadata());
    athena.on(GetQueryResultsCommand).resolves({ UpdateCount: 10 });
    const partitions = Array.from({ length: 250 }, (_, i) => ({
      dt: `2026-11-${String(1 + Math.floor(i / 24)).padStart(2, "0")}`,
      hour: String(i % 24).padStart(2, "0"),
    }));
    lake(
      Object.fromEntries(
        partitions.map((p) => [
          `lake/hourly/dt=${p.dt}/hour=${p.hour}/run=r20261122t0700_ab12/f.parquet`,
          [],
        ]),
      ),
      events,
    );

    const result = await engine.materialize(hourlyBytes, hourlyParams, {
      table: "hourly_bytes",
      prefix: "lake/hourly",
      partitions,
    });

    const inserts = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => c.args[0].input)
      .filter((i) => i.QueryString?.startsWith("INSERT INTO"));
    expect(inserts.map((i) => (i.QueryString?.match(/\("dt" = /g) ?? []).length)).toEqual([100, 100, 50]);
    expect(inserts.map((i) => i.ExecutionParameters?.length)).toEqual([203, 203, 103]);
    expect(inserts[2]?.ExecutionParameters?.slice(-2)).toEqual(["'2026-11-11'", "'09'"]);
    expect(events.filter((e) => e.includes("ADD IF NOT EXISTS"))).toHaveLength(3);
    expect(events.filter((e) => e.includes("SET LOCATION"))).toHaveLength(250);
    expect(result.rowsWritten).toBe(30);
    expect(result.partitionsWritten).toHaveLength(250);
    expect(result.stats.bytesScanned).toBe(3 * 10_485_760);
  });

  test("a failed INSERT leaves the target table untouched and the staging table dropped", async () => {
    const { engine, events } = harness({ loadSql: async () => "SELECT * FROM raw" });
    athena.on(GetTableMetadataCommand).resolves(hourlyBytesMetadata());
    athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
      events.push(input.QueryString.split(" ").slice(0, 2).join(" "));
      return { QueryExecutionId: input.QueryString.startsWith("INSERT") ? "qid-insert" : "qid-ddl" };
    });
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
      QueryExecution: {
        Status:
          input.QueryExecutionId === "qid-insert"
            ? { State: "FAILED", StateChangeReason: "HIVE_TOO_MANY_OPEN_PARTITIONS" }
            : { State: "SUCCEEDED" },
      },
    }));
    lake({}, events);

    await expect(
      engine.materialize(hourlyBytes, hourlyParams, {
        table: "hourly_bytes",
        prefix: "lake/hourly",
        partitions: [{ dt: "2026-11-22", hour: "06" }],
      }),
    ).rejects.toThrow("FAILED: HIVE_TOO_MANY_OPEN_PARTITIONS (query id qid-insert)");
    expect(events).toEqual(["CREATE EXTERNAL", "INSERT INTO", "DROP TABLE"]);
  });

  test("refuses a target with partition projection, whose registered locations Athena would ignore", async () => {
    const { engine } = harness();
    athena.on(GetTableMetadataCommand).resolves(hourlyBytesMetadata({ "projection.enabled": "true" }));

    await expect(
      engine.materialize(hourlyBytes, hourlyParams, {
        table: "hourly_bytes",
        prefix: "lake/hourly",
        partitions: [{ dt: "2026-11-22", hour: "06" }],
      }),
    ).rejects.toThrow(/uses partition projection/);
    expect(athena).not.toHaveReceivedCommand(StartQueryExecutionCommand);
  });

  test("a partition value that could escape the DDL or the S3 key is refused before anything runs", async () => {
    const { engine } = harness();

    await expect(
      engine.materialize(hourlyBytes, hourlyParams, {
        table: "hourly_bytes",
        prefix: "lake/hourly",
        partitions: [{ dt: "2026-11-22') LOCATION 's3://elsewhere/", hour: "06" }],
      }),
    ).rejects.toThrow(/partition value dt/);
    expect(athena).not.toHaveReceivedAnyCommand();
  });

  test("a row-schema column missing from the catalog table is named", async () => {
    const { engine } = harness();
    const metadata = hourlyBytesMetadata();
    metadata.TableMetadata.Columns = metadata.TableMetadata.Columns.filter((c) => c.Name !== "traffic_path");
    athena.on(GetTableMetadataCommand).resolves(metadata);

    await expect(
      engine.materialize(hourlyBytes as QueryDefinition, hourlyParams, {
        table: "hourly_bytes",
        prefix: "lake/hourly",
        partitions: [{ dt: "2026-11-22", hour: "06" }],
      }),
    ).rejects.toThrow("query hourly_bytes failed: table hourly_bytes has no column traffic_path");
  });
});
