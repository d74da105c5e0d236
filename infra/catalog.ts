import { type CatalogTemplateValues, catalogTables, parseLogFormat } from "./glue-ddl";
import { athenaResults, curExport, lake, lakeBucket, settings } from "./storage";

/**
 * The Glue database and tables, the Athena workgroup, and one `sst.Linkable` that hands their
 * names to functions with the permissions to query them (style.md §3.1). Writing a table's
 * partitions is a per-job grant (`glueTableWrite`), not part of the link.
 */
const region = aws.getRegionOutput({}).region;
const partition = aws.getPartitionOutput({}).partition;

const databaseName = `flowcost_${$app.stage.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`;

export const database = new aws.glue.CatalogDatabase("Database", {
  name: databaseName,
  description: "flowcost: raw flow logs, CUR 2.0, curated flows, IP identity and results",
});

const templateValues: CatalogTemplateValues = {
  FLOW_LOG_BUCKET: settings.flowLogBucket,
  FLOW_LOG_PREFIX: settings.flowLogPrefix,
  FLOW_LOG_ACCOUNTS: settings.flowLogAccounts.join(","),
  REGIONS: settings.regions.join(","),
  LAKE_BUCKET: lakeBucket,
  CUR_BUCKET: curExport.bucket,
  CUR_PREFIX: settings.curPrefix,
  CUR_EXPORT_NAME: settings.curExportName,
};

// The DDL in queries/ddl/athena/ is the one definition; glue-ddl.ts maps it to Glue's shape.
export const tables = [
  ...catalogTables({
    root: process.cwd(),
    databaseName,
    flowLogFormat: parseLogFormat(settings.flowLogFormat),
    values: templateValues,
  }),
].map(
  (table) =>
    new aws.glue.CatalogTable(
      `Table${table.name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`,
      { ...table, databaseName: database.name },
      { dependsOn: [lake] },
    ),
);

export const workGroup = new aws.athena.Workgroup("WorkGroup", {
  name: `flowcost-${$app.stage}`,
  description: "flowcost queries: enforced output location and a per-query scan cutoff",
  configuration: {
    enforceWorkgroupConfiguration: true,
    publishCloudwatchMetricsEnabled: true,
    bytesScannedCutoffPerQuery: settings.athenaBytesScannedCutoff,
    engineVersion: { selectedEngineVersion: "Athena engine version 3" },
    resultConfiguration: {
      outputLocation: $interpolate`s3://${athenaResults.name}/results/`,
      encryptionConfiguration: { encryptionOption: "SSE_S3" },
    },
  },
});

const glueArn = (resource: string) =>
  $interpolate`arn:${partition}:glue:${region}:${settings.accountId}:${resource}`;

/** Glue actions to register and switch partitions of `table` and its per-run staging tables. */
export function glueTableWrite(table: string) {
  return {
    actions: [
      "glue:CreateTable",
      "glue:DeleteTable",
      "glue:GetTable",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
      "glue:DeletePartition",
      "glue:BatchDeletePartition",
      "glue:GetPartition",
      "glue:GetPartitions",
    ],
    resources: [
      glueArn("catalog"),
      glueArn(`database/${databaseName}`),
      // `<table>` and the engine's staging tables `<table>__run_<id>`.
      glueArn(`table/${databaseName}/${table}*`),
    ],
  };
}

/** Names functions need to query, with exactly the rights to run queries in this workgroup. */
export const catalog = new sst.Linkable("FlowcostCatalog", {
  properties: {
    database: database.name,
    workGroup: workGroup.name,
    lakeBucket,
    resultsBucket: athenaResults.name,
  },
  include: [
    sst.aws.permission({
      actions: [
        "athena:StartQueryExecution",
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:StopQueryExecution",
        "athena:GetWorkGroup",
      ],
      resources: [workGroup.arn],
    }),
    // AthenaEngine.materialize reads the target's column types from the catalog, so the Parquet
    // a run writes matches the Glue table exactly.
    sst.aws.permission({
      actions: ["athena:GetTableMetadata"],
      resources: [
        $interpolate`arn:${partition}:athena:${region}:${settings.accountId}:datacatalog/AwsDataCatalog`,
      ],
    }),
    sst.aws.permission({
      actions: [
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetTables",
        "glue:GetPartition",
        "glue:GetPartitions",
        "glue:BatchGetPartition",
      ],
      resources: [
        glueArn("catalog"),
        glueArn(`database/${databaseName}`),
        glueArn(`table/${databaseName}/*`),
      ],
    }),
    // Athena writes each query's result file with the caller's credentials.
    sst.aws.permission({
      actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      resources: [$interpolate`${athenaResults.arn}/results/*`],
    }),
    sst.aws.permission({
      actions: ["s3:GetBucketLocation", "s3:ListBucket"],
      resources: [athenaResults.arn],
    }),
  ],
});
