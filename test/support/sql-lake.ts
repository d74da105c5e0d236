import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { defaultLayoutKey, orderedParams, type QueryDefinition } from "@flowcost/core";
import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import { localSqlLoader } from "@flowcost/local/engine/sql-files";
import { afterAll } from "vitest";
import type { z } from "zod";
import { tempDir } from "./temp.ts";

const gz = promisify(gzip);

/** A fresh lake folder and a DuckDB engine over it, closed after the test file. */
export async function openSqlLake(prefix: string): Promise<{ lakeDir: string; engine: DuckDbEngine }> {
  const lakeDir = await tempDir(prefix);
  const engine = await DuckDbEngine.open({ lakeDir, memoryLimit: "512MB", threads: 1 });
  afterAll(() => engine.close());
  return { lakeDir, engine };
}

/**
 * One gzip text flow-log object as VPC Flow Logs delivers it: a header line naming the fields,
 * space-separated records with `-` for "not applicable", under the default S3 key layout.
 */
export async function writeFlowLogObject(
  lakeDir: string,
  o: {
    accountId: string;
    region: string;
    fileTime: number;
    fields: ReadonlyArray<string>;
    records: ReadonlyArray<Readonly<Record<string, string | number>>>;
  },
): Promise<string> {
  const key = defaultLayoutKey({
    accountId: o.accountId,
    region: o.region,
    flowLogId: "fl-0a1b2c3d4e5f60718",
    fileTime: o.fileTime,
    hash: "9f8e7d6c",
  });
  const lines = o.records.map((r) => o.fields.map((f) => String(r[f] ?? "-")).join(" "));
  const path = join(lakeDir, "flowlogs", key);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await gz(`${[o.fields.join(" "), ...lines].join("\n")}\n`));
  return path;
}

/** The query's DuckDB text and bound values, for failure messages. */
export async function describeRun<P extends z.ZodObject>(q: QueryDefinition<P>, params: z.input<P>) {
  const sql = await localSqlLoader()(q, "duckdb");
  return `${q.name} with parameters ${JSON.stringify(orderedParams(q, params))}\n--- SQL ---\n${sql}`;
}

/** Keeps only the named columns of each row, so a test states the facts it is about. */
export function project<T extends Record<string, unknown>, K extends keyof T>(
  rows: ReadonlyArray<T>,
  keys: ReadonlyArray<K>,
): Array<Pick<T, K>> {
  return rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])) as Pick<T, K>);
}

/** A stable order for comparing row sets. */
export function sortRows<T>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}
