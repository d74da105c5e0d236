import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FLOW_NUMBER_LIMITS, withinFlowNumberLimits } from "@flowcost/core";
import { describe, expect, test } from "vitest";

const QUERIES = join(import.meta.dirname, "../../../../queries/flows");

/** Every `<field> BETWEEN min AND max` (the field possibly in coalesce(..., 0)) a SQL text holds. */
function bounds(sql: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const m of sql.matchAll(/(?:coalesce\()?"?([a-z_]+)"?(?:, 0\))? BETWEEN (-?\d+) AND (-?\d+)/g)) {
    const [, field, min, max] = m as unknown as [string, string, string, string];
    found.set(field, new Set([...(found.get(field) ?? []), `${min}..${max}`]));
  }
  return found;
}

describe("the number limits that decide number_range", () => {
  test.each(["compact_flows.sql", "compact_flows_directed.duckdb.sql", "flow_ledger.athena.sql"])(
    "%s checks every limited field with exactly FLOW_NUMBER_LIMITS' bounds",
    async (file) => {
      const found = bounds(await readFile(join(QUERIES, file), "utf8"));
      const expected = new Map(
        Object.entries(FLOW_NUMBER_LIMITS).map(([field, { min, max }]) => [
          field,
          new Set([`${min}..${max}`]),
        ]),
      );
      expect(found).toEqual(expected);
    },
  );

  test("a record of 2^63-1 or -1 bytes, port 65536 or protocol 256 is out of range; the limits themselves are in", () => {
    expect(withinFlowNumberLimits({ bytes: 9223372036854775807n })).toBe(false);
    expect(withinFlowNumberLimits({ bytes: -1 })).toBe(false);
    expect(withinFlowNumberLimits({ dstport: 65536 })).toBe(false);
    expect(withinFlowNumberLimits({ protocol: 256 })).toBe(false);
    expect(
      withinFlowNumberLimits({ bytes: 1e15, packets: 0, srcport: 65535, start: 0, end: 253402300799 }),
    ).toBe(true);
    expect(withinFlowNumberLimits({ bytes: null, packets: undefined })).toBe(true);
  });
});
