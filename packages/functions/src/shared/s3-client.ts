import { S3Client } from "@aws-sdk/client-s3";

/**
 * The S3 client, built once per cold start (style.md §3.3). Its own module so that a function that
 * needs only S3 (the API) does not bundle and load the Athena client with it.
 */
export const s3 = new S3Client({});
