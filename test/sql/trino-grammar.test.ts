import { QUERIES, queryFile } from "@flowcost/core";
import { SparkSQL, TrinoSQL } from "dt-sql-parser";
import { describe, expect, test } from "vitest";
import { readQueryFile, sqlFiles } from "../support/sql-files.ts";

const trino = new TrinoSQL();
const spark = new SparkSQL();

const describeErrors = (errors: ReadonlyArray<{ startLine: number; startColumn: number; message: string }>) =>
  errors.map((e) => `line ${e.startLine}:${e.startColumn} ${e.message}`).join("\n");

describe("every query's Athena text is Trino SQL", () => {
  test.each(
    QUERIES.filter((q) => q.engines.includes("athena")).map((q) => ({
      name: q.name,
      file: queryFile(q, "athena"),
    })),
  )("$file parses with the Trino grammar", async ({ file }) => {
    const sql = await readQueryFile(file);
    const errors = trino.validate(sql);
    expect(errors, `${file}:\n${describeErrors(errors)}\n--- SQL ---\n${sql}`).toEqual([]);
  });

  test("the Trino grammar rejects what Athena would reject (the check is not vacuous)", () => {
    expect(trino.validate("SELECT a FROM t WHERE")).not.toEqual([]);
    expect(trino.validate("SELECT a, FROM t")).not.toEqual([]);
  });
});

/**
 * Athena DDL is Hive DDL; the Spark grammar accepts it (AWS's own flow-log DDL included).
 * `${NAME}` template variables are what infra fills in; give them plausible values first.
 */
const ddlFiles = await sqlFiles("ddl/athena");
const fillTemplate = (sql: string) =>
  sql.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
    /^[A-Z_]+$/.test(name) ? `tmpl_${name.toLowerCase()}` : `\${${name}}`,
  );

describe("Athena DDL files parse", () => {
  test.each(ddlFiles)("%s parses with the Spark (Hive DDL) grammar", async (file) => {
    const sql = fillTemplate(await readQueryFile(file));
    const errors = spark.validate(sql);
    expect(errors, `${file}:\n${describeErrors(errors)}\n--- SQL ---\n${sql}`).toEqual([]);
  });
});
