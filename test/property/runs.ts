import fc from "fast-check";

/**
 * How many generated cases each property runs. `npm test` runs a few per parser so the suite
 * stays quick; `npm run test:property` runs thousands (PROPERTY_RUNS, default there 2000) with a
 * seed that changes per run unless PROPERTY_SEED pins one (fast-check prints the seed and the
 * shrunk counterexample of any failure, so a failure can be replayed).
 */
export const RUNS = Number(process.env.PROPERTY_RUNS ?? 40);

export const propertyOptions = (runs = RUNS): fc.Parameters<unknown> => ({
  numRuns: runs,
  ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}),
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path into a JSON value (object keys and array indexes), the root included. */
function paths(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const out = [at];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...at, i]));
  } else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

type Edit = { pick: number; action: "delete" | "replace" | "duplicate"; value: Json };

function apply(base: Json, edit: Edit): Json {
  const all = paths(base);
  const path = all[edit.pick % all.length] ?? [];
  if (path.length === 0) return edit.action === "replace" ? edit.value : base;
  const root = structuredClone(base);
  let parent = root as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (edit.action === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (edit.action === "duplicate" && Array.isArray(parent)) {
    parent.push(structuredClone(parent[last as number] as Json));
  } else {
    parent[last] = edit.value;
  }
  return root;
}

/** Values that break parsers: wrong types, empty, huge, negative, odd strings, nested junk. */
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.constantFrom(-1, 0, 2 ** 63, Number.MAX_SAFE_INTEGER, 1e308, -0),
  fc.string(),
  fc.constantFrom(
    "",
    "-",
    "*",
    "?",
    "[",
    "'; DROP TABLE x; --",
    "../../etc/passwd",
    "10.0.0.1/32",
    "use1-az9",
  ),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** A real document with one to three random edits (delete a key or item, replace a value, duplicate an item). */
export function mutated(base: unknown): fc.Arbitrary<unknown> {
  const edit = fc.record({
    pick: fc.nat(),
    action: fc.constantFrom("delete", "replace", "duplicate") as fc.Arbitrary<Edit["action"]>,
    value: nasty,
  });
  return fc
    .array(edit, { minLength: 1, maxLength: 3 })
    .map((edits) => edits.reduce((doc, e) => apply(doc, e), base as Json));
}
