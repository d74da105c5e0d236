import { readSettings } from "./settings";

/** Plain deployment settings (bucket names and prefixes are not secrets): docs/deploy.md. */
export const settings = readSettings(process.env);

/** The lake's top-level prefixes (architecture.md, lake layout); each job writes only its own. */
export const LAKE_PREFIXES = [
  "inventory/",
  "curated/",
  "results/",
  "reports/",
  "state/",
  "staging/",
] as const;

const partition = aws.getPartitionOutput({}).partition;

/** The user's existing flow-log bucket: referenced by name, never managed or written here. */
export const flowLogs = {
  bucket: settings.flowLogBucket,
  bucketArn: $interpolate`arn:${partition}:s3:::${settings.flowLogBucket}`,
  /** Objects the flow log delivers, either key layout. */
  objectsArn: $interpolate`arn:${partition}:s3:::${settings.flowLogBucket}/${settings.flowLogPrefix}AWSLogs/*`,
};

/** The user's existing CUR 2.0 Data Export bucket: read-only, only the export's prefix. */
export const curExport = {
  bucket: settings.curBucket,
  bucketArn: $interpolate`arn:${partition}:s3:::${settings.curBucket}`,
  objectsArn: $interpolate`arn:${partition}:s3:::${settings.curBucket}/${settings.curPrefix}${settings.curExportName}/*`,
};

// A deterministic name, so the Glue DDL and the docs can name the lake before it exists.
const lakeBucketName = `flowcost-${$app.stage}-lake-${settings.accountId}`;
if (lakeBucketName.length > 63) {
  throw new Error(`flowcost: stage "${$app.stage}" is too long for the lake bucket name ${lakeBucketName}`);
}

/** The lake: inventory/, curated/, results/, reports/, state/ (architecture.md). */
export const lake = new sst.aws.Bucket("Lake", {
  // A job killed between staging rows and deleting them leaves them behind; none lives past a day.
  lifecycle: [{ id: "expire-staging", prefix: "staging/", expiresIn: "1 day" }],
  transform: {
    bucket: (args) => {
      args.bucket = lakeBucketName;
    },
  },
});
export const lakeBucket = lakeBucketName;

/** Athena's query results: written by every query, read once, so they expire after a week. */
export const athenaResults = new sst.aws.Bucket("AthenaResults", {
  lifecycle: [{ id: "expire-query-results", expiresIn: "7 days" }],
});

/** ARN of lake objects under a prefix, e.g. `curated/flows/`. */
export function lakeObjects(prefix: string) {
  return $interpolate`${lake.arn}/${prefix}*`;
}
