/**
 * What the API function may do, and nothing more: read the result documents it serves. No
 * Athena, no Glue, no write, no other prefix. A plain module (no SST globals), so a unit test can
 * check the exact set of actions and resources.
 */

/** The prefixes the API lists; S3 applies the listing condition to the request's prefix. */
export const API_LIST_PREFIXES = [
  "results/summary/",
  "results/recommendations/",
  "reports/weekly/",
  "state/regressions/",
] as const;

/** The objects the API reads: the same prefixes' documents. */
export const API_READ_PREFIXES = API_LIST_PREFIXES;

export interface ApiPermission<R> {
  readonly actions: string[];
  readonly resources: R[];
  readonly conditions?: Array<{ test: string; variable: string; values: string[] }>;
}

/**
 * The API function's IAM statements over the lake bucket: `s3:ListBucket` only for its own
 * prefixes (the `s3:prefix` condition), `s3:GetObject` only on objects under them. The API lists
 * before it reads, so it never asks for a key it was not allowed to see (S3 answers AccessDenied,
 * not NoSuchKey, for a missing key without the listing right).
 */
export function apiPermissions<R>(lakeArn: R, objects: (prefix: string) => R): ApiPermission<R>[] {
  return [
    {
      actions: ["s3:ListBucket"],
      resources: [lakeArn],
      conditions: [
        { test: "StringLike", variable: "s3:prefix", values: API_LIST_PREFIXES.map((p) => `${p}*`) },
      ],
    },
    { actions: ["s3:GetObject"], resources: API_READ_PREFIXES.map(objects) },
  ];
}

/** The headers a browser sends with a SigV4-signed GET (and `if-none-match` for the ETags). */
const SIGNED_REQUEST_HEADERS = [
  "authorization",
  "content-type",
  "if-none-match",
  "x-amz-content-sha256",
  "x-amz-date",
  "x-amz-security-token",
];

/**
 * The HTTP API's CORS setting: off (`false`) unless origins are configured
 * (FLOWCOST_API_CORS_ORIGINS), then those origins only, GET only. SST's default for
 * ApiGatewayV2 (`cors` left unset) is every origin, header and method.
 */
export function apiCors(origins: ReadonlyArray<string>):
  | false
  | {
      allowOrigins: string[];
      allowMethods: Array<"GET">;
      allowHeaders: string[];
      exposeHeaders: string[];
    } {
  if (origins.length === 0) return false;
  return {
    allowOrigins: [...origins],
    allowMethods: ["GET"],
    allowHeaders: SIGNED_REQUEST_HEADERS,
    exposeHeaders: ["etag", "x-request-id"],
  };
}
