import { z } from "zod";
import type { EngineName } from "./engine.ts";

/**
 * Every SQL file in `queries/` is registered here with its parameters (in `?` order) and the
 * schema of its rows. Engines return strings (Athena) or bigints (DuckDB); row schemas coerce,
 * so both engines' answers are checked by the same contract.
 */
export interface QueryDefinition<P extends z.ZodObject = z.ZodObject, R extends z.ZodObject = z.ZodObject> {
  /** snake_case; the file is `queries/<area>/<name>.sql` (or `.athena.sql` / `.duckdb.sql`). */
  readonly name: string;
  readonly area: string;
  readonly params: P;
  /** The order in which parameters fill the `?` placeholders. */
  readonly paramOrder: ReadonlyArray<keyof z.infer<P> & string>;
  readonly row: R;
  /** Output partition columns when the query is materialised into a partitioned table. */
  readonly partitionedBy: ReadonlyArray<string>;
  /** Engines whose SQL differs enough to need a sibling file. */
  readonly engineSpecific: ReadonlyArray<EngineName>;
  /** Engines the query runs on (both unless it names one); `queries/` holds its text for each. */
  readonly engines: ReadonlyArray<EngineName>;
}

export function defineQuery<P extends z.ZodObject, R extends z.ZodObject>(
  q: Omit<QueryDefinition<P, R>, "partitionedBy" | "engineSpecific" | "engines"> &
    Partial<Pick<QueryDefinition<P, R>, "partitionedBy" | "engineSpecific" | "engines">>,
): QueryDefinition<P, R> {
  const declared = Object.keys(q.params.shape).sort();
  const ordered = [...new Set(q.paramOrder)].sort();
  if (declared.join() !== ordered.join()) {
    throw new Error(`query ${q.name}: paramOrder must name every parameter once (${declared.join(", ")})`);
  }
  return { partitionedBy: [], engineSpecific: [], engines: ["athena", "duckdb"], ...q };
}

/** Values bound to `?`, in order. */
export function orderedParams<P extends z.ZodObject>(
  q: QueryDefinition<P>,
  params: z.input<P>,
): Array<string | number> {
  const parsed = q.params.parse(params) as Record<string, unknown>;
  return q.paramOrder.map((name) => {
    const value = parsed[name];
    if (typeof value !== "string" && typeof value !== "number") {
      throw new TypeError(`query ${q.name}: parameter ${name} must be a string or a number`);
    }
    return value;
  });
}

/** Column helpers: accept what either engine returns, produce one type. */
export const col = {
  string: z.string(),
  nullableString: z.string().nullable(),
  /** Integers: DuckDB BIGINT arrives as bigint, Athena as a decimal string. */
  int: z.union([z.bigint(), z.number(), z.string().regex(/^-?\d+$/)]).transform((v) => Number(v)),
  nullableInt: z
    .union([z.bigint(), z.number(), z.string().regex(/^-?\d+$/), z.null()])
    .transform((v) => (v === null ? null : Number(v))),
  number: z
    .union([z.number(), z.bigint(), z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/)])
    .transform(Number),
} as const;

export function queryFile(q: QueryDefinition, engine?: EngineName): string {
  if (engine && !q.engines.includes(engine)) {
    throw new Error(`query ${q.name} runs on ${q.engines.join(" and ")} only, not on ${engine}`);
  }
  const suffix = engine && q.engineSpecific.includes(engine) ? `.${engine}` : "";
  return `${q.area}/${q.name}${suffix}.sql`;
}
