import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FORMAT } from "@flowcost/core";
import { CURATED_TABLES } from "@flowcost/local/engine/tables";
import { SparkSQL } from "dt-sql-parser";
import { describe, expect, test } from "vitest";
import {
  type CatalogTemplateValues,
  catalogTables,
  DDL_DIR,
  DDL_FILES,
  DdlError,
  fillTemplate,
  type GlueTableArgs,
  parseLogFormat,
  parseTableDdl,
  rawFlowLogColumns,
  templateVariables,
} from "../../../infra/glue-ddl.ts";

const ROOT = join(import.meta.dirname, "../../..");
const VALUES: CatalogTemplateValues = {
  FLOW_LOG_BUCKET: "acme-flow-logs",
  FLOW_LOG_PREFIX: "vpc/",
  FLOW_LOG_ACCOUNTS: "123456789012,210987654321",
  REGIONS: "us-east-1,eu-west-1",
  LAKE_BUCKET: "flowcost-prod-lake",
  CUR_BUCKET: "acme-billing",
  CUR_PREFIX: "exports/",
  CUR_EXPORT_NAME: "cur2",
};

function tables(): Map<string, GlueTableArgs> {
  const list = catalogTables({ root: ROOT, databaseName: "flowcost_prod", values: VALUES });
  return new Map(list.map((t) => [t.name, t]));
}

const duckToHive: Record<string, string> = {
  VARCHAR: "string",
  INTEGER: "int",
  BIGINT: "bigint",
  BOOLEAN: "boolean",
  DOUBLE: "double",
  "DECIMAL(18,2)": "decimal(18,2)",
};

describe("queries/ddl/athena", () => {
  test("every file is one statement the SparkSQL grammar accepts after its variables are filled", () => {
    const parser = new SparkSQL();
    for (const file of DDL_FILES) {
      const sql = readFileSync(join(ROOT, DDL_DIR, file), "utf8");
      expect(parser.validate(sql), file).toEqual([]);
      expect(parser.validate(fillTemplate(file, sql, VALUES)), file).toEqual([]);
    }
  });

  test("curated tables declare exactly the local engine's columns, partitions and types", () => {
    const byName = tables();
    for (const [table, spec] of Object.entries(CURATED_TABLES)) {
      const glue = byName.get(table);
      const expectedColumns = Object.entries(spec.columns)
        .filter(([name]) => !(spec.partitions as readonly string[]).includes(name))
        .map(([name, type]) => ({ name, type: duckToHive[type] }));
      expect(glue?.storageDescriptor.columns).toEqual(expectedColumns);
      expect(glue?.partitionKeys).toEqual(spec.partitions.map((name) => ({ name, type: "string" })));
      expect(glue?.storageDescriptor.location).toBe(`s3://flowcost-prod-lake/${spec.prefix}/`);
    }
  });

  test("curated tables are Glue-partitioned, not projected, so the engine's location switch is what readers see", () => {
    for (const table of ["curated_flows", "ip_identity"]) {
      const glue = tables().get(table);
      expect(glue?.parameters, table).toEqual({
        EXTERNAL: "TRUE",
        classification: "parquet",
        "parquet.compression": "ZSTD",
      });
      expect(glue?.storageDescriptor.serDeInfo.serializationLibrary).toBe(
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
      );
    }
  });

  test("results_daily reads the attribute job's gzip JSON lines, one day per projected dt= folder", () => {
    const glue = tables().get("results_daily");
    expect(glue?.storageDescriptor).toMatchObject({
      location: "s3://flowcost-prod-lake/results/daily/",
      inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      serDeInfo: { serializationLibrary: "org.openx.data.jsonserde.JsonSerDe" },
    });
    expect(glue?.parameters).toEqual({
      EXTERNAL: "TRUE",
      classification: "json",
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd",
      "projection.dt.range": "2024-01-01,NOW",
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "DAYS",
      "storage.location.template": "s3://flowcost-prod-lake/results/daily/dt=${dt}/",
    });
  });

  test("results_daily's account_id and region come last, so objects written before them read with both null", () => {
    const columns = tables()
      .get("results_daily")
      ?.storageDescriptor.columns.map((c) => c.name);
    expect(columns?.slice(-3)).toEqual(["cost_basis", "account_id", "region"]);
  });

  test("the cur table reads product_region_code, which scopes a payer's export to one Region", () => {
    expect(tables().get("cur")?.storageDescriptor.columns).toContainEqual({
      name: "product_region_code",
      type: "string",
    });
  });

  test("build-identity's staging table reads JSON lines per run, dt and run injected by the one query", () => {
    const glue = tables().get("ip_identity_staging");
    expect(glue?.storageDescriptor.serDeInfo.serializationLibrary).toBe("org.openx.data.jsonserde.JsonSerDe");
    expect(glue?.storageDescriptor.columns).toEqual(tables().get("ip_identity")?.storageDescriptor.columns);
    expect(glue?.partitionKeys.map((k) => k.name)).toEqual(["dt", "run"]);
    expect(glue?.parameters).toMatchObject({
      classification: "json",
      "projection.dt.type": "injected",
      "projection.run.type": "injected",
      "storage.location.template": "s3://flowcost-prod-lake/staging/ip_identity/dt=${dt}/run=${run}/",
    });
  });

  test("a JSON table must be text, and only the OpenX JSON SerDe is understood", () => {
    const columns = "CREATE EXTERNAL TABLE t (a string) PARTITIONED BY (dt string) ";
    expect(() =>
      parseTableDdl(
        "json.sql",
        `${columns}ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' STORED AS PARQUET LOCATION 's3://b/t/'`,
      ),
    ).toThrow(/json\.sql: expected exactly one of/);
    expect(() =>
      parseTableDdl(
        "json.sql",
        `${columns}ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://b/t/'`,
      ),
    ).toThrow(/json\.sql: a JSON SerDe table must be STORED AS TEXTFILE/);
    expect(() =>
      parseTableDdl(
        "hive.sql",
        `${columns}ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://b/t/'`,
      ),
    ).toThrow(/hive\.sql: unsupported SerDe 'org\.apache\.hive\.hcatalog\.data\.JsonSerDe'/);
  });

  test("the raw text table reads the default key layout of every configured account: header skipped, account/region/day projected", () => {
    const glue = tables().get("raw_flow_logs");
    expect(glue?.storageDescriptor.location).toBe("s3://acme-flow-logs/vpc/AWSLogs/");
    expect(glue?.partitionKeys).toEqual([
      { name: "account", type: "string" },
      { name: "region", type: "string" },
      { name: "day", type: "string" },
    ]);
    expect(glue?.parameters).toMatchObject({
      "skip.header.line.count": "1",
      "projection.account.values": "123456789012,210987654321",
      "projection.region.values": "us-east-1,eu-west-1",
      "projection.day.format": "yyyy/MM/dd",
      "storage.location.template": "s3://acme-flow-logs/vpc/AWSLogs/${account}/vpcflowlogs/${region}/${day}",
    });
    expect(glue?.storageDescriptor.serDeInfo.parameters).toEqual({
      "field.delim": " ",
      "serialization.format": " ",
      "serialization.null.format": "-",
    });
  });

  test("the raw text table's columns follow the demo's v5 format, then every other field", () => {
    const glue = tables().get("raw_flow_logs");
    const demoFormat =
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end " +
      "action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id " +
      "flow-direction traffic-path";
    expect(glue?.storageDescriptor.columns).toEqual(rawFlowLogColumns(parseLogFormat(demoFormat)));
    expect(glue?.storageDescriptor.columns.slice(20, 26).map((c) => c.name)).toEqual([
      "pkt_dstaddr",
      "record_region",
      "az_id",
      "flow_direction",
      "traffic_path",
      "sublocation_type",
    ]);
  });

  test("a configured LogFormat reorders the text columns; the default v2 format keeps its 14 first", () => {
    const list = catalogTables({
      root: ROOT,
      databaseName: "flowcost_prod",
      values: VALUES,
      flowLogFormat: parseLogFormat(DEFAULT_FORMAT.map((f) => `\${${f}}`).join(" ")),
      files: ["raw_flow_logs.sql"],
    });
    const names = list[0]?.storageDescriptor.columns.map((c) => c.name) ?? [];
    expect(names.slice(0, 14)).toEqual([
      "version",
      "account_id",
      "interface_id",
      "srcaddr",
      "dstaddr",
      "srcport",
      "dstport",
      "protocol",
      "packets",
      "bytes",
      "start",
      "end",
      "action",
      "log_status",
    ]);
    expect(names).toContain("pkt_src_aws_service");
    expect(new Set(names).size).toBe(names.length);
  });

  test("the Parquet flow-log table projects the Hive-compatible hourly keys", () => {
    const glue = tables().get("raw_flow_logs_parquet");
    expect(glue?.partitionKeys.map((k) => k.name)).toEqual([
      "aws-account-id",
      "aws-service",
      "aws-region",
      "year",
      "month",
      "day",
      "hour",
    ]);
    expect(glue?.parameters["storage.location.template"]).toBe(
      "s3://acme-flow-logs/vpc/AWSLogs/aws-account-id=${aws-account-id}/aws-service=${aws-service}/" +
        "aws-region=${aws-region}/year=${year}/month=${month}/day=${day}/hour=${hour}",
    );
    expect(glue?.parameters["projection.aws-account-id.values"]).toBe("123456789012,210987654321");
  });

  test("the CUR table reads only the export's data/ folder by billing period, with map columns", () => {
    const glue = tables().get("cur");
    expect(glue?.storageDescriptor.location).toBe("s3://acme-billing/exports/cur2/data/");
    expect(glue?.parameters["storage.location.template"]).toBe(
      "s3://acme-billing/exports/cur2/data/BILLING_PERIOD=${billing_period}/",
    );
    expect(glue?.parameters["projection.billing_period.interval.unit"]).toBe("MONTHS");
    const types = Object.fromEntries(glue?.storageDescriptor.columns.map((c) => [c.name, c.type]) ?? []);
    expect(types).toMatchObject({
      line_item_unblended_cost: "double",
      line_item_usage_start_date: "timestamp",
      product: "map<string,string>",
      discount: "map<string,double>",
    });
  });

  test("each file documents every template variable it uses", () => {
    for (const file of DDL_FILES) {
      const sql = readFileSync(join(ROOT, DDL_DIR, file), "utf8");
      const header = sql
        .split("\n")
        .filter((l) => l.startsWith("--"))
        .join("\n");
      for (const name of templateVariables(sql))
        expect(header, `${file} \${${name}}`).toContain(`\${${name}}`);
    }
  });

  test("a missing template value and an unreadable statement fail naming the file", () => {
    expect(() => fillTemplate("cur.sql", "LOCATION 's3://${CUR_BUCKET}/'", {})).toThrow(
      new DdlError("cur.sql", "template variable ${CUR_BUCKET} has no value"),
    );
    expect(() => parseTableDdl("bad.sql", "CREATE TABLE x AS SELECT 1")).toThrow(/bad\.sql: expected CREATE/);
    expect(() => rawFlowLogColumns(["version", "bogus-field"])).toThrow(
      /unknown flow-log field "bogus-field"/,
    );
  });
});
