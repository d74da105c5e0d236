import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  errorMessage,
  orderedParams,
  type QueryDefinition,
  QueryFailedError,
  type SqlLoader,
} from "@flowcost/core";
import type { z } from "zod";
import { stagingDir, swapPartitions } from "../lake/partitions.ts";
import type { RunTransaction } from "../lake/run-transaction.ts";
import type { CuratedViews } from "./curated-views.ts";
import { readRows } from "./duckdb-start.ts";
import type { MemoryShares } from "./memory-share.ts";
import { globUnder, ident, pathLiteral, quote } from "./sql-text.ts";
import { CURATED_TABLES, type CuratedTable } from "./tables.ts";

/** Rows per write of `writeJsonLines`: a day's rows are never one string in the heap. */
const JSON_LINES_CHUNK = 4096;

/** Writes rows as newline-delimited JSON, a chunk of lines at a time. */
async function writeJsonLines(path: string, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const file = await open(path, "w");
  try {
    for (let i = 0; i < rows.length; i += JSON_LINES_CHUNK) {
      const lines = rows.slice(i, i + JSON_LINES_CHUNK).map((r) => JSON.stringify(r));
      await file.write(`${i > 0 ? "\n" : ""}${lines.join("\n")}`);
    }
  } finally {
    await file.close();
  }
}

/** The partitions (`{ dt, hour }`) of staged rows keyed `dt=.../hour=...`, in order. */
function partitionsOf(rows: ReadonlyMap<string, number>): Array<Record<string, string>> {
  return [...rows.keys()]
    .sort()
    .map((rel) => Object.fromEntries(rel.split("/").map((kv) => kv.split("=", 2) as [string, string])));
}

/** A query result written to staging as Hive partitions, not yet swapped into the lake. */
export interface StagedResult {
  readonly staged: string;
  /** Rows per staged partition (`dt=.../hour=...`). */
  readonly rows: ReadonlyMap<string, number>;
  readonly partitions: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly elapsedMs: number;
}

/**
 * Writes to the lake's curated datasets: a query's rows (or rows computed in TypeScript) are
 * written to a staging folder as Hive partitions, then each owned partition is put in place
 * whole, and the curated views follow. Within a run (`options.run`) "in place" is the run's
 * staging, published with everything else the run wrote when it commits (RunTransaction);
 * without one each partition is swapped straight into the lake (see swapPartitions).
 */
export class PartitionWriter {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly options: {
      readonly lakeDir: string;
      readonly run?: RunTransaction;
    },
    private readonly loadSql: SqlLoader,
    private readonly curated: CuratedViews,
    private readonly memory: MemoryShares,
  ) {}

  /** A fresh folder to stage a result in, inside the run's folder when there is a run. */
  private scratch(): string {
    return this.options.run?.scratchDir() ?? stagingDir(this.options.lakeDir);
  }

  /** Puts the owned partitions of a staged folder in place (the run's, or the lake's). */
  private place(
    staged: string,
    prefix: string,
    partitions: ReadonlyArray<Readonly<Record<string, string>>>,
  ): Promise<string[]> {
    if (this.options.run) return this.options.run.adoptPartitions(staged, prefix, partitions);
    return swapPartitions(this.options.lakeDir, staged, join(this.options.lakeDir, prefix), partitions);
  }

  /**
   * Runs the query into staging as Hive partitions (zstd Parquet, no bloom filters: nothing
   * reads curated files by point lookups), without preserving row order (which would serialise
   * the scan and hold rows back). Rows per partition come from the files' footers.
   */
  async stage<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
  ): Promise<StagedResult> {
    const started = performance.now();
    if (q.partitionedBy.length === 0) throw new Error(`query ${q.name} declares no partition columns`);
    const sql = await this.loadSql(q, "duckdb");
    const staged = this.scratch();
    await mkdir(dirname(staged), { recursive: true });
    try {
      await this.connection.run("SET preserve_insertion_order = false");
      // Each open partition holds a row group being built, outside what DuckDB can spill: with
      // DuckDB's defaults a 5M-record run over 24 hours ran out of a 700 MB limit. Flushing
      // small row groups and keeping few partition files open bounds that memory.
      await this.connection.run("SET partitioned_write_flush_threshold = 65536");
      await this.connection.run("SET partitioned_write_max_open_files = 8");
      const copy = async () => {
        const prepared = await this.connection.prepare(
          `COPY (${sql}) TO ${quote(staged)} (FORMAT parquet, COMPRESSION zstd, WRITE_BLOOM_FILTER false, ` +
            `PARTITION_BY (${q.partitionedBy.map(ident).join(", ")}), WRITE_PARTITION_COLUMNS false)`,
        );
        prepared.bind(orderedParams(q, params));
        await prepared.run();
      };
      // At 5M records under a 700 MB limit two threads sometimes ran out where one did not.
      await this.memory.oneThreadIfShort(copy, () => rm(staged, { recursive: true, force: true }));
    } catch (error) {
      await rm(staged, { recursive: true, force: true });
      throw new QueryFailedError(q.name, errorMessage(error), { cause: error });
    } finally {
      await this.connection.run("RESET preserve_insertion_order");
      await this.connection.run("RESET partitioned_write_flush_threshold");
      await this.connection.run("RESET partitioned_write_max_open_files");
    }
    const rows = new Map<string, number>();
    const files = await readdir(staged, { recursive: true }).catch(() => [] as string[]);
    if (files.some((f) => f.endsWith(".parquet"))) {
      for (const r of await readRows(
        this.connection,
        `SELECT file_name AS file, sum(num_rows) AS n FROM parquet_file_metadata(${globUnder(staged, `${q.partitionedBy.map(() => "*").join("/")}/*.parquet`)}) GROUP BY file_name`,
      )) {
        const rel = dirname(String(r.file).slice(staged.length + 1));
        rows.set(rel, (rows.get(rel) ?? 0) + Number(r.n));
      }
    }
    return { staged, rows, partitions: partitionsOf(rows), elapsedMs: performance.now() - started };
  }

  /** Puts the owned partitions of a staged result in place (each whole, empty ones removed). */
  async publish(
    staged: StagedResult,
    prefix: string,
    owned: ReadonlyArray<Readonly<Record<string, string>>>,
  ): Promise<string[]> {
    const written = await this.place(staged.staged, prefix, owned);
    await this.curated.refresh();
    return written;
  }

  /**
   * One staged result of several stagings of the same query (compaction's passes), in the first's
   * folder: every file of a later one is moved into the same partition under a name of its own
   * (`p<index>-<name>`), as the views read every Parquet file of a partition; rows per partition
   * add up. The later folders are removed.
   */
  async merge(parts: ReadonlyArray<StagedResult>): Promise<StagedResult> {
    const [into, ...rest] = parts;
    if (into === undefined) throw new Error("no staged result to merge");
    if (rest.length === 0) return into;
    const rows = new Map(into.rows);
    for (const [i, part] of rest.entries()) {
      for (const rel of part.rows.keys()) {
        await mkdir(join(into.staged, rel), { recursive: true });
        for (const name of await readdir(join(part.staged, rel)))
          await rename(join(part.staged, rel, name), join(into.staged, rel, `p${i + 1}-${name}`));
        rows.set(rel, (rows.get(rel) ?? 0) + (part.rows.get(rel) ?? 0));
      }
      await rm(part.staged, { recursive: true, force: true });
    }
    const elapsedMs = parts.reduce((sum, p) => sum + p.elapsedMs, 0);
    return { staged: into.staged, rows, partitions: partitionsOf(rows), elapsedMs };
  }

  /** Drops a staged result (a run that must redo its query). */
  async discard(staged: StagedResult): Promise<void> {
    await rm(staged.staged, { recursive: true, force: true });
  }

  /**
   * Removes partitions of a curated dataset, through the same swap as a write (a swap with nothing
   * staged), so the views follow: curated data changes only through the engine.
   */
  async drop(prefix: string, partitions: ReadonlyArray<Readonly<Record<string, string>>>): Promise<void> {
    await this.place(this.scratch(), prefix, partitions);
    await this.curated.refresh();
  }

  /**
   * Writes rows computed in TypeScript (identity intervals) as one partition of a curated table,
   * through the same staging-and-swap path as query results.
   */
  async writeRows(
    table: CuratedTable,
    prefix: string,
    partition: Readonly<Record<string, string>>,
    rows: ReadonlyArray<Record<string, unknown>>,
  ): Promise<number> {
    const spec = CURATED_TABLES[table];
    const staged = this.scratch();
    const input = join(staged, "_input.jsonl");
    await mkdir(staged, { recursive: true });
    await writeJsonLines(input, rows);
    const data = Object.entries(spec.columns).filter(([c]) => !(c in partition));
    const columns = data.map(([c, t]) => `${quote(c)}: '${t}'`).join(", ");
    const constants = Object.entries(partition).map(([k, v]) => `${quote(v)} AS ${ident(k)}`);
    if (rows.length > 0) {
      await this.connection.run(
        `COPY (SELECT ${[...data.map(([c]) => ident(c)), ...constants].join(", ")} FROM read_json(${pathLiteral(input)}, ` +
          `format = 'newline_delimited', columns = {${columns}})) TO ${quote(join(staged, "out"))} ` +
          `(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${Object.keys(partition).map(ident).join(", ")}), WRITE_PARTITION_COLUMNS false)`,
      );
    }
    try {
      await this.place(join(staged, "out"), prefix, [partition]);
    } finally {
      await rm(staged, { recursive: true, force: true });
    }
    await this.curated.refresh();
    return rows.length;
  }
}
