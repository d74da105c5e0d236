import { gunzipSync, gzipSync } from "node:zlib";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { z } from "zod";

/**
 * The lake on S3 (architecture.md, lake layout): gzip JSON objects, listing with paging, prefix
 * replacement and job watermarks. Keys are relative to the bucket root, exactly as a local lake
 * folder mirrors them.
 */
export interface S3LakeOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Names a replacement run's staging folder; a test seam. */
  readonly runId?: () => string;
}

export interface LakeObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date | undefined;
}

export class LakeObjectError extends Error {
  readonly key: string;
  constructor(key: string, message: string, options: { cause?: unknown } = {}) {
    super(`${key}: ${message}`, options);
    this.name = "LakeObjectError";
    this.key = key;
  }
}

/** compact-flows' progress: the last hour it completed (its exclusive end, Unix seconds). */
export const Watermark = z.object({
  source: z.string(),
  /** Exclusive end of the last completed hour, Unix seconds. */
  completedThrough: z.number().int().nonnegative(),
  /** The scheduled time of the run that wrote it, ISO 8601. */
  updatedBy: z.string(),
});
export type Watermark = z.infer<typeof Watermark>;

const DELETE_BATCH = 1000;

function checkPrefix(prefix: string): void {
  if (!/^[a-z0-9][a-zA-Z0-9_=./-]*\/$/.test(prefix) || prefix.includes("..")) {
    throw new RangeError(`lake prefix must be relative and end in "/": "${prefix}"`);
  }
}

export class S3Lake {
  readonly bucket: string;
  private readonly s3: S3Client;
  private readonly runId: () => string;

  constructor(options: S3LakeOptions) {
    this.s3 = options.s3;
    this.bucket = options.bucket;
    this.runId =
      options.runId ?? (() => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
  }

  /** Writes `value` as gzip JSON. */
  async putJson(key: string, value: unknown): Promise<void> {
    await this.putBytes(key, gzipSync(JSON.stringify(value)), {
      contentType: "application/json",
      contentEncoding: "gzip",
    });
  }

  /**
   * Writes bytes as they are. `contentEncoding: "gzip"` only for objects read back through HTTP
   * clients; a `.gz` file that Athena decompresses by its name goes without it.
   */
  async putBytes(
    key: string,
    body: Uint8Array,
    headers: { readonly contentType: string; readonly contentEncoding?: "gzip" },
  ): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: headers.contentType,
        ...(headers.contentEncoding ? { ContentEncoding: headers.contentEncoding } : {}),
      }),
    );
  }

  /** An object's bytes; S3's NoSuchKey when the key is absent. */
  async getBytes(key: string): Promise<Uint8Array> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!response.Body) throw new LakeObjectError(key, "object has no body");
    return response.Body.transformToByteArray();
  }

  /** Reads a gzip JSON object and parses it with `schema`; undefined when the key is absent. */
  async getJson<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.getBytes(key);
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(gunzipSync(bytes).toString("utf8"));
    } catch (error) {
      throw new LakeObjectError(key, "not gzip JSON", { cause: error });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new LakeObjectError(key, z.prettifyError(parsed.error));
    return parsed.data;
  }

  /** Every key under `prefix`, in S3's (lexicographic) order, following continuation tokens. */
  async list(prefix: string): Promise<string[]> {
    return (await this.listObjects(prefix)).map((o) => o.key);
  }

  /** Every object under `prefix` with its size and last-modified time, in S3's order. */
  async listObjects(prefix: string): Promise<LakeObject[]> {
    const objects: LakeObject[] = [];
    for await (const page of this.pages(prefix)) {
      for (const o of page.Contents ?? []) {
        if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified });
      }
    }
    return objects;
  }

  /** The names of the folders right under `prefix` (S3's common prefixes, without the slash). */
  async listFolders(prefix: string): Promise<string[]> {
    const folders: string[] = [];
    for await (const page of this.pages(prefix, "/")) {
      for (const p of page.CommonPrefixes ?? []) {
        if (p.Prefix) folders.push(p.Prefix.slice(prefix.length).replace(/\/$/, ""));
      }
    }
    return folders;
  }

  /** ListObjectsV2 pages under `prefix`, following continuation tokens. */
  private async *pages(prefix: string, delimiter?: string) {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ContinuationToken: token,
        }),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(keys: ReadonlyArray<string>): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const result = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        throw new LakeObjectError(
          failed[0]?.Key ?? batch[0] ?? "",
          `could not delete ${failed.length} object(s): ${failed[0]?.Code ?? "unknown error"}`,
        );
      }
    }
  }

  /**
   * Replaces everything under `prefix` with `objects` (relative names → gzip JSON values).
   * The run writes under `<prefix>_run=<id>/` first, so a failure while writing leaves the old
   * content whole; then it copies in by writing the final keys and removes the old and the
   * staging objects. S3 has no rename, so the switch is per object: a reader listing during
   * the switch can see new objects beside old ones that are about to go, never a half-written one.
   */
  async replacePrefix(
    prefix: string,
    objects: ReadonlyArray<{ name: string; value: unknown }>,
  ): Promise<void> {
    checkPrefix(prefix);
    const staging = `${prefix.slice(0, -1)}_run=${this.runId()}/`;
    try {
      for (const o of objects) await this.putJson(`${staging}${o.name}`, o.value);
    } catch (error) {
      await this.delete(await this.list(staging));
      throw error;
    }
    const before = await this.list(prefix);
    for (const o of objects) await this.putJson(`${prefix}${o.name}`, o.value);
    const fresh = new Set(objects.map((o) => `${prefix}${o.name}`));
    await this.delete(before.filter((key) => !fresh.has(key)));
    await this.delete(await this.list(staging));
  }

  watermarkKey(source: string): string {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(source)) throw new RangeError(`invalid watermark source "${source}"`);
    return `state/compact-flows/${source}.json`;
  }

  readWatermark(source: string): Promise<Watermark | undefined> {
    return this.getJson(this.watermarkKey(source), Watermark);
  }

  writeWatermark(watermark: Watermark): Promise<void> {
    return this.putJson(this.watermarkKey(watermark.source), Watermark.parse(watermark));
  }
}
