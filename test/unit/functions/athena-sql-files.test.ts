import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { col, defineQuery } from "@flowcost/core";
import { lambdaQueriesDir, lambdaSqlLoader } from "@flowcost/functions/shared/sql-files";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { tempDir } from "../../support/temp.ts";

const split = defineQuery({
  name: "split_query",
  area: "flows",
  params: z.object({}),
  paramOrder: [],
  row: z.object({ n: col.int }),
  engineSpecific: ["athena"],
});

describe("the Lambda SQL loader (queries/ shipped beside the bundle)", async () => {
  const dir = await tempDir("lambda-queries");
  await mkdir(join(dir, "flows"), { recursive: true });
  await writeFile(
    join(dir, "flows/split_query.athena.sql"),
    '-- athena\nSELECT count(*) AS n FROM "$path";\n',
  );
  await writeFile(join(dir, "flows/split_query.sql"), "SELECT 1 AS n;");

  test("Athena reads the query's .athena.sql sibling, DuckDB the common file, without the trailing semicolon", async () => {
    const load = lambdaSqlLoader(dir);
    expect(await load(split, "athena")).toBe('-- athena\nSELECT count(*) AS n FROM "$path"');
    expect(await load(split, "duckdb")).toBe("SELECT 1 AS n");
  });

  test("the folder comes from the option, else FLOWCOST_QUERIES_DIR, else <cwd>/queries (Lambda's /var/task)", () => {
    const saved = process.env.FLOWCOST_QUERIES_DIR;
    try {
      process.env.FLOWCOST_QUERIES_DIR = "/opt/flowcost/queries";
      expect(lambdaQueriesDir("/given")).toBe("/given");
      expect(lambdaQueriesDir()).toBe("/opt/flowcost/queries");
      delete process.env.FLOWCOST_QUERIES_DIR;
      expect(lambdaQueriesDir()).toBe(join(process.cwd(), "queries"));
    } finally {
      if (saved === undefined) delete process.env.FLOWCOST_QUERIES_DIR;
      else process.env.FLOWCOST_QUERIES_DIR = saved;
    }
  });

  test("a missing file fails naming the path it looked for", async () => {
    const missing = defineQuery({ ...split, name: "not_shipped", engineSpecific: [] });
    await expect(lambdaSqlLoader(dir)(missing, "athena")).rejects.toThrow(
      `cannot read query file ${join(dir, "flows/not_shipped.sql")}`,
    );
  });
});
