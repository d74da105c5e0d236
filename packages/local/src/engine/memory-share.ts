import type { DuckDBConnection } from "@duckdb/node-api";
import { quote } from "./sql-text.ts";

const MEMORY_UNITS: Record<string, number> = {
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

/**
 * DuckDB's share of the configured memory limit. DuckDB's resident memory runs past its buffer
 * limit (allocator slack, memory outside the buffer manager: measured ~250 MB over at 1 GB
 * during a partitioned Parquet write), so the streaming steps give it a share of the limit
 * that keeps the whole process, Node included, near the configured figure.
 */
export class MemoryShares {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly memoryLimit: string,
  ) {}

  /** Runs `work` with DuckDB's memory_limit at `share` of the configured limit, then restores it. */
  async withShare<T>(share: number, work: () => Promise<T>): Promise<T> {
    const bytes = parseMemoryLimit(this.memoryLimit);
    if (bytes === undefined) return work();
    await this.connection.run(`SET memory_limit = '${Math.floor((bytes * share) / 1048576)}MiB'`);
    try {
      return await work();
    } finally {
      await this.connection.run(`SET memory_limit = ${quote(this.memoryLimit)}`);
    }
  }
}
