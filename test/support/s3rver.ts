import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

// s3rver ships no types: this is the part of its API the tests use.
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string; configs: never[] }>;
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor;

export interface LocalS3 {
  readonly client: S3Client;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A client for s3rver (or a proxy in front of it) with the settings style.md §5 requires. */
export function localS3Client(endpoint: string, extra: S3ClientConfig = {}): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...extra,
  });
}

/**
 * A real S3 HTTP endpoint on 127.0.0.1 (s3rver, files in a temp folder) on a free port, with the
 * client settings style.md §5 requires: path-style addressing and checksums only when required
 * (otherwise streamed uploads are stored with their aws-chunked framing). Paginated listing
 * needs NODE_OPTIONS=--openssl-legacy-provider, which `npm test` sets.
 */
export async function startS3rver(buckets: ReadonlyArray<string>): Promise<LocalS3> {
  for (const name of buckets) {
    if (name.length < 3 || name.length > 63) throw new RangeError(`bucket name must be 3-63 chars: ${name}`);
  }
  const directory = await mkdtemp(join(tmpdir(), "flowcost-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = localS3Client(endpoint);
  return {
    client,
    endpoint,
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
