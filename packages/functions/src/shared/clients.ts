import { AthenaClient } from "@aws-sdk/client-athena";
import { S3Client } from "@aws-sdk/client-s3";

/**
 * SDK clients, built once per cold start and shared by every invocation (style.md §3.3). The
 * region and credentials come from the Lambda environment. Jobs that need other services
 * (EC2, ELB, EKS) build theirs beside their adapter, so a job pays only for what it imports.
 */
export const athena = new AthenaClient({});
export const s3 = new S3Client({});
