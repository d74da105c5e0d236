import { catalog, glueTableWrite } from "./catalog";
import { PUBLISH_JOB_ACCESS } from "./publish-access";
import { slackWebhook } from "./secrets";
import { curExport, flowLogs, lake, lakeBucket, lakeObjects, settings } from "./storage";

/**
 * Scheduled jobs (EventBridge Scheduler through `CronV2`). Each job gets the schedule's own time
 * in its event (`<aws.scheduler.scheduled-time>`, kept across retries), so its window never comes
 * from an implicit "now" and a retry redoes exactly the same window (style.md §3.11).
 * Each is linked to the catalog and granted only the lake prefixes it owns (docs/deploy.md).
 */

/** Failed invocations land here after the retries, with the event that failed. */
export const jobsDlq = new sst.aws.Queue("JobsDlq");

const SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";

type Permission = { actions: string[]; resources: ReturnType<typeof $interpolate>[] | string[] };

interface JobOptions {
  readonly name: string;
  readonly schedule: `rate(${string})` | `cron(${string})`;
  readonly event?: Record<string, string>;
  readonly link?: unknown[];
  readonly permissions: Permission[];
  readonly environment?: Record<string, string>;
  readonly timeout?: `${number} minutes` | `${number} seconds`;
  /** Default 1024 MB. */
  readonly memory?: `${number} MB`;
  /** Component name when one handler runs on several schedules. */
  readonly id?: string;
  /** IANA time zone the cron expression is read in (default UTC). */
  readonly timezone?: string;
  /** Jobs that only read results documents do without the Athena catalog and its rights. */
  readonly catalog?: boolean;
}

function job(options: JobOptions) {
  const id = options.id ?? options.name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  return new sst.aws.CronV2(id, {
    schedule: options.schedule,
    ...(options.timezone ? { timezone: options.timezone } : {}),
    event: { job: options.name, time: SCHEDULED_TIME, ...options.event },
    retries: 2,
    dlq: jobsDlq.arn,
    function: {
      handler: `packages/functions/src/jobs/${options.name}.handler`,
      // SST's default is nodejs24.x; the project targets 22 (style.md §5).
      runtime: "nodejs22.x",
      architecture: "arm64",
      memory: options.memory ?? "1024 MB",
      timeout: options.timeout ?? "15 minutes",
      // The scheduler retries; a Lambda-level async retry would run the window a third time.
      retries: 0,
      // One run at a time: two overlapping runs of one window could each delete the other's
      // partition files when they switch partitions (AthenaEngine.materialize).
      concurrency: { reserved: 1 },
      link: [...(options.catalog === false ? [] : [catalog]), ...(options.link ?? [])],
      copyFiles: [{ from: "queries", to: "queries" }],
      environment: { FLOWCOST_QUERIES_DIR: "queries", ...options.environment },
      permissions: options.permissions,
    },
  });
}

const lakeList = {
  actions: ["s3:ListBucket", "s3:GetBucketLocation"],
  resources: [lake.arn],
};
const readWriteDelete = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"];

export const compactFlowsJob = job({
  name: "compact-flows",
  // :15 past the hour: the previous hour's records have mostly arrived (delivery lags ~10 min).
  schedule: "cron(15 * * * ? *)",
  environment: { FLOWCOST_FLOW_LOG_SOURCE: settings.flowLogBucket },
  permissions: [
    { actions: ["s3:GetObject"], resources: [flowLogs.objectsArn] },
    { actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [flowLogs.bucketArn] },
    lakeList,
    { actions: readWriteDelete, resources: [lakeObjects("curated/flows/"), lakeObjects("results/ledger/")] },
    { actions: ["s3:GetObject", "s3:PutObject"], resources: [lakeObjects("state/compact-flows/")] },
    glueTableWrite("curated_flows"),
  ],
});

/**
 * One schedule per cluster, so a slow or broken cluster never delays another's snapshots. With
 * several clusters, every schedule fires at the same times: each capture goes into its VPC's scope
 * folder (`inventory/aws/dt=/<ts>/<vpc-id>/`), so clusters in different VPCs never overwrite each
 * other's describe outputs and clusters sharing a VPC share one copy.
 */
const scopeAwsCaptures = settings.clusters.length > 1;
export const inventorySnapshotJobs = settings.clusters.map((cluster) =>
  job({
    name: "inventory-snapshot",
    id: `InventorySnapshot${cluster.replace(/[^A-Za-z0-9]/g, "")}`,
    schedule: "rate(5 minutes)",
    event: scopeAwsCaptures ? { cluster, awsScope: "vpc" } : { cluster },
    timeout: "4 minutes",
    permissions: [
      lakeList,
      // inventory/ holds the snapshots and AWS's ip-ranges.json; curated/aws_ip_ranges/ its table rows.
      {
        actions: ["s3:PutObject"],
        resources: [lakeObjects("inventory/"), lakeObjects("curated/aws_ip_ranges/")],
      },
      {
        actions: [
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeAvailabilityZones",
          "ec2:DescribeNatGateways",
          "elasticloadbalancing:DescribeLoadBalancers",
          "elasticloadbalancing:DescribeTargetGroups",
          "elasticloadbalancing:DescribeTags",
          // Recommendations: cross-zone settings, VPC endpoints, route tables and subnets.
          "elasticloadbalancing:DescribeLoadBalancerAttributes",
          "elasticloadbalancing:DescribeTargetGroupAttributes",
          "ec2:DescribeVpcEndpoints",
          "ec2:DescribeRouteTables",
          "ec2:DescribeSubnets",
        ],
        // EC2 and ELB Describe* calls support no resource-level scoping.
        resources: ["*"],
      },
      {
        actions: ["eks:DescribeCluster"],
        resources: [
          $interpolate`arn:${aws.getPartitionOutput({}).partition}:eks:${aws.getRegionOutput({}).region}:${settings.accountId}:cluster/${cluster}`,
        ],
      },
    ],
  }),
);

/**
 * Every hour at :20 the current UTC day's identity from its snapshots (at 00:20 also the previous
 * day's, whose end the first snapshots after midnight settle). Rows go through
 * `staging/ip_identity/` as JSON lines, which Athena reads (with the job's credentials) into
 * `ip_identity`'s Parquet partition; the job then deletes them.
 */
export const buildIdentityJob = job({
  name: "build-identity",
  schedule: "cron(20 * * * ? *)",
  // It holds a day's parsed snapshots at once (core buildIdentity): measured ~0.37 MB per pod
  // (1,000 pods: 450 MB peak RSS; 3,000 pods: 1.26 GB), so 3 GB covers ~7,000 pods per day.
  memory: "3072 MB",
  permissions: [
    lakeList,
    { actions: ["s3:GetObject"], resources: [lakeObjects("inventory/")] },
    {
      actions: readWriteDelete,
      resources: [lakeObjects("curated/ip_identity/"), lakeObjects("staging/ip_identity/")],
    },
    // `ip_identity*` covers `ip_identity` (partition switch), its per-run tables and
    // `ip_identity_staging` (projected: read through the catalog link, no partitions to write).
    glueTableWrite("ip_identity"),
  ],
});

const attributePermissions: Permission[] = [
  lakeList,
  { actions: ["s3:GetObject"], resources: [lakeObjects("curated/")] },
  // The recommendations read the day's snapshots, describe outputs and ip-ranges.json.
  { actions: ["s3:GetObject"], resources: [lakeObjects("inventory/")] },
  { actions: ["s3:GetObject"], resources: [curExport.objectsArn] },
  { actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [curExport.bucketArn] },
  {
    actions: readWriteDelete,
    resources: [
      lakeObjects("results/daily/"),
      lakeObjects("results/summary/"),
      lakeObjects("results/recommendations/"),
    ],
  },
  // The day's stitched flows (flow logs without packet addresses), written before attribution.
  { actions: readWriteDelete, resources: [lakeObjects("curated/stitched_flows/")] },
  glueTableWrite("stitched_flows"),
];

/** The complete previous UTC day, once its flow logs and CUR lines have settled. */
export const attributeDailyJob = job({
  name: "attribute",
  id: "AttributeDaily",
  environment: settings.prices ? { FLOWCOST_PRICES: settings.prices } : undefined,
  schedule: "cron(30 3 * * ? *)",
  event: { mode: "daily" },
  permissions: attributePermissions,
});

/** Today so far, every hour, marked provisional until the daily run replaces it. */
export const attributeProvisionalJob = job({
  name: "attribute",
  id: "AttributeProvisional",
  environment: settings.prices ? { FLOWCOST_PRICES: settings.prices } : undefined,
  schedule: "cron(40 * * * ? *)",
  event: { mode: "provisional" },
  permissions: attributePermissions,
});

export const registerCurJob = job({
  name: "register-cur",
  schedule: "cron(0 6 * * ? *)",
  permissions: [
    { actions: ["s3:GetObject"], resources: [curExport.objectsArn] },
    { actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [curExport.bucketArn] },
    lakeList,
    { actions: ["s3:GetObject", "s3:PutObject"], resources: [lakeObjects("state/register-cur/")] },
  ],
});

/** The IAM statements of a publishing job, from its access table (infra/publish-access.ts). */
function publishPermissions(name: keyof typeof PUBLISH_JOB_ACCESS): Permission[] {
  const access = PUBLISH_JOB_ACCESS[name];
  return [
    lakeList,
    { actions: ["s3:GetObject"], resources: access.read.map(lakeObjects) },
    { actions: ["s3:PutObject"], resources: access.write.map(lakeObjects) },
    ...(access.other.length ? [{ actions: [...access.other], resources: ["*"] }] : []),
  ];
}

const publishEnvironment = { FLOWCOST_LAKE_BUCKET: lakeBucket, ...settings.publishEnvironment };

/**
 * The weekly FinOps report, Monday 08:00 in the report's time zone (FLOWCOST_REPORT_TIMEZONE, an
 * IANA name; default UTC): the last ISO week over in UTC, to reports/weekly/, and a Slack summary.
 */
export const weeklyReportJob = job({
  name: "weekly-report",
  schedule: "cron(0 8 ? * MON *)",
  timezone: settings.reportTimezone,
  catalog: false,
  link: [slackWebhook],
  timeout: "5 minutes",
  environment: publishEnvironment,
  permissions: publishPermissions("weekly-report"),
});

/** Regression alerts, daily after the attribute job (03:30 UTC) has closed the previous day. */
export const regressionsJob = job({
  name: "regressions",
  schedule: "cron(30 4 * * ? *)",
  catalog: false,
  link: [slackWebhook],
  timeout: "5 minutes",
  environment: publishEnvironment,
  permissions: publishPermissions("regressions"),
});
