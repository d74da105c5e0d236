import { AthenaClient } from "@aws-sdk/client-athena";

/**
 * SDK clients, built once per cold start and shared by every invocation (style.md §3.3). The
 * region and credentials come from the Lambda environment. Jobs that need other services
 * (EC2, ELB, EKS) build theirs beside their adapter, so a job pays only for what it imports.
 */
export const athena = new AthenaClient({});
export { s3 } from "./s3-client.ts";
