/**
 * How every bucket flowcost creates is locked down, as plain data so a unit test can check it
 * without a deployment (storage.ts applies it to each bucket):
 * - HTTPS only: SST's bucket policy denies any request without TLS (`aws:SecureTransport`), set
 *   explicitly rather than left to SST's default; a second statement denies TLS below 1.2.
 * - No CORS: SST's default is `*` origins with every method; flowcost's buckets are read by
 *   Lambdas and Athena, never by a browser, so no CORS configuration is made.
 * - Encryption at rest: SSE-S3 (AES-256), declared rather than relying on
 *   S3's account default, and SSE-C refused (nobody should write objects only they can read).
 * - Public access blocked (SST's default for a bucket without `access`, which none sets).
 */
export const BUCKET_ACCESS = { enforceHttps: true, cors: false } as const;

/** Extra bucket-policy statements, in SST's `policy` argument shape (paths relative to the bucket). */
export const TLS_POLICY = [
  {
    effect: "deny" as const,
    principals: "*" as const,
    actions: ["s3:*"],
    paths: ["", "*"],
    conditions: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
  },
];

/** The server-side encryption rule for aws.s3.BucketServerSideEncryptionConfiguration. */
export const ENCRYPTION_RULES = [
  {
    applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
    blockedEncryptionTypes: ["SSE-C"],
  },
];

/**
 * Why a name is not a valid S3 bucket name (general purpose buckets), or undefined when it is:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `is ${name.length} characters long (S3 allows 3 to 63)`;
  if (!/^[a-z0-9.-]+$/.test(name))
    return "may hold only lowercase letters, digits, dots and hyphens (no uppercase, underscores or spaces)";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must begin and end with a letter or digit";
  if (name.includes("..")) return "must not hold two adjacent dots";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not look like an IP address";
  for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"])
    if (name.startsWith(prefix)) return `must not begin with "${prefix}" (reserved by S3)`;
  for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"])
    if (name.endsWith(suffix)) return `must not end with "${suffix}" (reserved by S3)`;
  return undefined;
}
