import type { DuckDBConnection } from "@duckdb/node-api";
import { errorMessage } from "@flowcost/core";
import { quote } from "./sql-text.ts";

/** DuckDB's size units (KB = 1000 bytes, KiB = 1024), as `--memory-limit` takes them too. */
export const MEMORY_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `1GB`, `512 MiB` -> bytes (DuckDB's units); undefined for anything else (left to DuckDB). */
export function parseMemoryLimit(limit: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(limit);
  const unit = MEMORY_UNITS[(match?.[2] ?? "b").toLowerCase()];
  return match && unit !== undefined ? Number(match[1]) * unit : undefined;
}

/** Whether DuckDB failed for want of memory ("Out of Memory Error: ..."), not for the input. */
export function isOutOfMemory(error: unknown): boolean {
  return /out of memory/i.test(errorMessage(error));
}

/**
 * DuckDB's share of the configured memory limit while it streams the raw objects (compaction and
 * the ledger's scans): the rest covers Node (its heap, the gzip scan's buffers) and what DuckDB
 * holds beyond its own limit. At 0.7 a 19.85M-record run peaked at 1,044 MiB under a 1 GB limit.
 */
export const RAW_SCAN_MEMORY_SHARE = 0.6;

/** DuckDB's read_csv buffer size by default, and the least the raw scans use (bytes). */
const CSV_BUFFER_DEFAULT = 32_000_000;
const CSV_BUFFER_LEAST = 8_000_000;

/**
 * read_csv's buffer size for the raw scans under a memory limit: DuckDB's default (32 MB) while it
 * is at most a sixteenth of DuckDB's share of the limit for the raw scan, smaller below that
 * (not under 8 MB, four times the longest line DuckDB reads by default). The reader holds a few
 * buffers per thread outside what it can spill: at --memory-limit 256MB (146 MiB for DuckDB) the
 * default buffers failed compaction ("could not allocate block of size 30.5 MiB (118.1 MiB/146.0
 * MiB used)") with one thread or two; 8 MB buffers ran. From about 950 MB up the default stands,
 * so larger limits read exactly as before.
 */
export function csvBufferBytes(memoryLimit: string): number | undefined {
  const bytes = parseMemoryLimit(memoryLimit);
  if (bytes === undefined) return undefined;
  const fitting = Math.floor((bytes * RAW_SCAN_MEMORY_SHARE) / 16);
  return fitting >= CSV_BUFFER_DEFAULT ? undefined : Math.max(CSV_BUFFER_LEAST, fitting);
}

/**
 * DuckDB's share of the configured memory limit. DuckDB's resident memory runs past its buffer
 * limit (allocator slack, memory outside the buffer manager: measured ~250 MB over at 1 GB
 * during a partitioned Parquet write), so the streaming steps give it a share of the limit
 * that keeps the whole process, Node included, near the configured figure.
 */
export class MemoryShares {
  /** DuckDB's threads at this moment: the engine's, or fewer inside a share or a retry. */
  private threadsNow: number;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly memoryLimit: string,
    private readonly threads = 2,
  ) {
    this.threadsNow = threads;
  }

  private async setThreads(threads: number): Promise<void> {
    if (threads === this.threadsNow) return;
    await this.connection.run(`SET threads = ${threads}`);
    this.threadsNow = threads;
  }

  /**
   * Runs `work`, and when it runs out of memory on several threads, runs it again, whole, on one
   * (after `cleanUp`, which drops what the failed attempt left), then restores the threads it
   * found. Each thread aggregates and writes with its own buffers, so one thread sometimes
   * finishes where two run out of memory: slower beats failing.
   */
  async oneThreadIfShort<T>(work: () => Promise<T>, cleanUp?: () => Promise<void>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.threadsNow <= 1 || !isOutOfMemory(error)) throw error;
      await cleanUp?.();
      const found = this.threadsNow;
      await this.setThreads(1);
      try {
        return await work();
      } finally {
        await this.setThreads(found);
      }
    }
  }

  /** DuckDB's memory at `share` of the configured limit, in bytes (undefined if DuckDB parses it). */
  shareBytes(share: number): number | undefined {
    const bytes = parseMemoryLimit(this.memoryLimit);
    return bytes === undefined ? undefined : Math.floor((bytes * share) / 1048576) * 1048576;
  }

  /**
   * Runs `work` with DuckDB's memory_limit at `share` of the configured limit, then restores it.
   * With `leastPerThread` (bytes), fewer threads run when the share cannot give each that much:
   * every thread holds its own hash tables and buffers outside what DuckDB can spill, so under a
   * small limit one thread finishes where two run out of memory.
   *
   * With `oneThreadRetry`, work that runs out of memory on several threads runs again, whole, on
   * one (the work must replace what it writes). What each thread needs grows with the input, so no
   * fixed `leastPerThread` fits every day: at 1GB the attribution of 6.44M records (1.68M compacted
   * rows) ran out of its 476 MiB on two threads in 1 run of 4, and finished on one.
   */
  async withShare<T>(
    share: number,
    work: () => Promise<T>,
    options: { leastPerThread?: number; oneThreadRetry?: boolean } = {},
  ): Promise<T> {
    const bytes = parseMemoryLimit(this.memoryLimit);
    if (bytes === undefined) return work();
    const shareBytes = bytes * share;
    const least = options.leastPerThread;
    const threads =
      least === undefined
        ? this.threads
        : Math.max(1, Math.min(this.threads, Math.floor(shareBytes / least)));
    await this.connection.run(`SET memory_limit = '${Math.floor(shareBytes / 1048576)}MiB'`);
    await this.setThreads(threads);
    try {
      return await (options.oneThreadRetry ? this.oneThreadIfShort(work) : work());
    } finally {
      await this.connection.run(`SET memory_limit = ${quote(this.memoryLimit)}`);
      await this.setThreads(this.threads);
    }
  }
}
