import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/**
 * How long an S3 request may go without an answer (its response headers; a body then streams
 * without this limit) before it is abandoned as a TimeoutError, which the SDK's standard retry
 * treats as transient: a hung connection is retried with backoff rather than holding the job
 * until the Lambda's own timeout. The SDK only warns on this timeout unless
 * `throwOnRequestTimeout` is set.
 */
export const S3_REQUEST_TIMEOUT_MS = 30_000;

/** The S3 client's request settings, shared with the fault tests (which shorten the timeout). */
export function s3RequestSettings(
  requestTimeoutMs = S3_REQUEST_TIMEOUT_MS,
): Pick<S3ClientConfig, "requestHandler"> {
  return { requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } };
}

/**
 * The S3 client, built once per cold start (style.md §3.3). Its own module so that a function that
 * needs only S3 (the API) does not bundle and load the Athena client with it.
 */
export const s3 = new S3Client(s3RequestSettings());
