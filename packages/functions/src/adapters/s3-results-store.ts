import { gunzipSync, gzipSync } from "node:zlib";
import { NoSuchKey } from "@aws-sdk/client-s3";
import { createResultsStore, type DocumentBackend, type ResultsStore } from "@flowcost/core";
import type { S3Lake } from "./s3-lake.ts";

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * The lake bucket as a document backend. A document is one PUT (S3 replaces an object whole, so a
 * reader sees the old document or the new one). Bodies are stored gzip with `Content-Encoding:
 * gzip` (a day of a large cluster is megabytes of JSON; the API Lambda reads a month of them), and
 * read back by their gzip magic, so a plain document someone copied in reads as well.
 */
export function s3DocumentBackend(
  lake: Pick<S3Lake, "list" | "listObjects" | "getBytes" | "putBytes">,
): DocumentBackend {
  return {
    list: (prefix) => lake.list(prefix),
    listVersions: async (prefix) =>
      (await lake.listObjects(prefix)).map((o) => ({
        key: o.key,
        version: `${o.size}-${o.lastModified?.getTime() ?? ""}`,
      })),
    async get(key) {
      let bytes: Uint8Array;
      try {
        bytes = await lake.getBytes(key);
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
      const gzip = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
      return Buffer.from(gzip ? gunzipSync(bytes) : bytes).toString("utf8");
    },
    put: (key, body, contentType) =>
      lake.putBytes(key, gzipSync(body), { contentType, contentEncoding: "gzip" }),
  };
}

/** The results store over the lake bucket. */
export function s3ResultsStore(
  lake: Pick<S3Lake, "list" | "listObjects" | "getBytes" | "putBytes">,
): ResultsStore {
  return createResultsStore(s3DocumentBackend(lake));
}
