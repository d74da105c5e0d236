import { compactFlowsDirected, QUERIES, queryFile } from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { countPlaceholders, describePath, readQueryFile, sqlFiles } from "../support/sql-files.ts";

const files = (await sqlFiles()).filter((f) => !f.startsWith("ddl/"));

describe("queries/ and the registry agree", () => {
  test("every .sql file outside queries/ddl/ is named <area>/<name>[.athena|.duckdb].sql", () => {
    expect(files.filter((f) => describePath(f) === undefined)).toEqual([]);
  });

  test.each(files)("%s is registered under the name and area its path gives", (file) => {
    const path = describePath(file);
    const q = QUERIES.find((candidate) => candidate.name === path?.name);
    expect(
      q,
      `${file}: no query named ${path?.name} in QUERIES (packages/core/src/query/registry.ts)`,
    ).toBeDefined();
    expect(q?.area, `${file}: registered under area ${q?.area}`).toBe(path?.area);
    if (path?.engine) {
      expect(
        q?.engineSpecific,
        `${file}: a sibling engine file needs engineSpecific to list "${path.engine}"`,
      ).toContain(path.engine);
    }
  });

  test("every file a registered query reads exists, for each engine it runs on, and no other file does", () => {
    const needed = new Set(QUERIES.flatMap((q) => q.engines.map((engine) => queryFile(q, engine))));
    expect(
      [...needed].filter((f) => !files.includes(f)),
      "registered but missing",
    ).toEqual([]);
    expect(
      files.filter((f) => !needed.has(f)),
      "files no registration reads (unregistered, or an engine file not in engineSpecific)",
    ).toEqual([]);
  });

  test("a DuckDB-only query has no Athena text: asking for one names the query and the engine", () => {
    expect(queryFile(compactFlowsDirected, "duckdb")).toBe("flows/compact_flows_directed.duckdb.sql");
    expect(() => queryFile(compactFlowsDirected, "athena")).toThrow(
      "query compact_flows_directed runs on duckdb only, not on athena",
    );
  });

  test("query names are unique", () => {
    const names = QUERIES.map((q) => q.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  test.each(
    QUERIES.flatMap((q) =>
      [...new Set(q.engines.map((engine) => queryFile(q, engine)))].map((file) => ({ q, file })),
    ),
  )("$file has one ? per parameter in paramOrder", async ({ q, file }) => {
    const sql = await readQueryFile(file).catch(() => "");
    expect(countPlaceholders(sql), `${file}: paramOrder is [${q.paramOrder.join(", ")}]`).toBe(
      q.paramOrder.length,
    );
  });
});

test("a ? inside a comment, a string literal or a quoted identifier is not counted as a placeholder", () => {
  const sql =
    "-- why?\nSELECT '?', 'it''s?', \"col?\" /* or? */ FROM t WHERE a = CAST(? AS bigint) AND b = ?";
  expect(countPlaceholders(sql)).toBe(2);
});
