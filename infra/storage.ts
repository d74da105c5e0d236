import { BUCKET_ACCESS, bucketNameProblem, ENCRYPTION_RULES, TLS_POLICY } from "./bucket-security";
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

// A deterministic name, so the Glue DDL and the docs can name the lake before it exists. The
// stage is part of it, so it is checked against S3's naming rules before anything deploys.
const lakeBucketName = `flowcost-${$app.stage}-lake-${settings.accountId}`;
const lakeNameProblem = bucketNameProblem(lakeBucketName);
if (lakeNameProblem) {
  throw new Error(
    `flowcost: the lake bucket name ${lakeBucketName} (from stage "${$app.stage}") ${lakeNameProblem}; choose a shorter, lowercase stage`,
  );
}

/** Encryption at rest, declared for each bucket flowcost creates (bucket-security.ts). */
function encryptAtRest(name: string, bucket: sst.aws.Bucket) {
  return new aws.s3.BucketServerSideEncryptionConfiguration(`${name}Encryption`, {
    bucket: bucket.name,
    rules: ENCRYPTION_RULES,
  });
}

/** The lake: inventory/, curated/, results/, reports/, state/ (architecture.md). */
export const lake = new sst.aws.Bucket("Lake", {
  ...BUCKET_ACCESS,
  policy: TLS_POLICY,
  // A job killed between staging rows and deleting them leaves them behind; none lives past a day.
  lifecycle: [{ id: "expire-staging", prefix: "staging/", expiresIn: "1 day" }],
  transform: {
    bucket: (args) => {
      args.bucket = lakeBucketName;
    },
  },
});
encryptAtRest("Lake", lake);
export const lakeBucket = lakeBucketName;

/** Athena's query results: written by every query, read once, so they expire after a week. */
export const athenaResults = new sst.aws.Bucket("AthenaResults", {
  ...BUCKET_ACCESS,
  policy: TLS_POLICY,
  lifecycle: [{ id: "expire-query-results", expiresIn: "7 days" }],
});
encryptAtRest("AthenaResults", athenaResults);

/** ARN of lake objects under a prefix, e.g. `curated/flows/`. */
export function lakeObjects(prefix: string) {
  return $interpolate`${lake.arn}/${prefix}*`;
}
