import type { z } from "zod";
import type { QueryDefinition } from "./catalog.ts";

export type EngineName = "athena" | "duckdb";

export interface QueryStats {
  readonly engine: EngineName;
  /** Athena's QueryExecutionId; DuckDB has none. */
  readonly queryId?: string;
  /** Athena's DataScannedInBytes (the $5/TB meter); DuckDB reports none. */
  readonly bytesScanned?: number;
  readonly elapsedMs: number;
}

export interface QueryResult<R> {
  readonly rows: R[];
  readonly stats: QueryStats;
}

/** Where a materialised SELECT lands: a lake dataset, replacing exactly these partitions. */
export interface MaterializeTarget {
  /** Table name in the catalog (Athena) and the view name locally, e.g. `curated_flows`. */
  readonly table: string;
  /** Lake prefix relative to the lake root, e.g. `curated/flows`. */
  readonly prefix: string;
  /**
   * The partitions this run owns, e.g. [{dt: '2026-11-22', hour: '07'}]. All are replaced,
   * including ones the query leaves empty, so a re-run never leaves stale rows behind.
   */
  readonly partitions: ReadonlyArray<Readonly<Record<string, string>>>;
}

export interface MaterializeResult {
  readonly rowsWritten: number;
  readonly partitionsWritten: ReadonlyArray<string>;
  readonly stats: QueryStats;
}

/** The one port both engines implement (style.md §3.8). */
export interface QueryEngine {
  readonly name: EngineName;
  query<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
  ): Promise<QueryResult<z.output<R>>>;
  materialize<P extends z.ZodObject, R extends z.ZodObject>(
    q: QueryDefinition<P, R>,
    params: z.input<P>,
    target: MaterializeTarget,
  ): Promise<MaterializeResult>;
}
