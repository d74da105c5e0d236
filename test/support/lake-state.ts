import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

/** Published paths only: a run's work folders (`.staging`, `.trash`) and temp files are not the lake. */
const isPublished = (rel: string) => rel.split("/").every((part) => !part.startsWith("."));

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

async function publishedFiles(lake: string): Promise<string[]> {
  const entries = await readdir(lake, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(lake.length + 1))
    .filter(isPublished)
    .sort();
}

/** Every published file of the lake and the SHA-256 of its bytes. */
export async function lakeBytes(lake: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of await publishedFiles(lake)) out[rel] = sha(await readFile(join(lake, rel)));
  return out;
}

/**
 * What a reader gets from the lake: each Parquet partition folder's rows (in a fixed order: two
 * runs write the same rows in different orders and files) and every other file's bytes.
 */
export async function lakeContent(lake: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const partitions = new Map<string, string[]>();
  for (const rel of await publishedFiles(lake)) {
    if (rel.endsWith(".parquet")) {
      const dir = dirname(rel);
      partitions.set(dir, [...(partitions.get(dir) ?? []), join(lake, rel)]);
    } else out[rel] = sha(await readFile(join(lake, rel)));
  }
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    for (const [dir, files] of partitions) {
      const list = files.map((f) => `'${f.replaceAll("'", "''")}'`).join(", ");
      const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet([${list}]) ORDER BY ALL`);
      out[`${dir}/*.parquet`] = sha(JSON.stringify(reader.getRowsJson()));
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return out;
}
