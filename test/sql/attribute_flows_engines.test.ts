import { copyFile, cp } from "node:fs/promises";
import { join } from "node:path";
import { dayWindow } from "@flowcost/core";
import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import { QUERIES_DIR } from "@flowcost/local/engine/sql-files";
import { attributeDay } from "@flowcost/local/jobs/attribute";
import { runPipeline } from "@flowcost/local/pipeline";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";

/**
 * attribute_flows has two texts: the local one resolves identity per conversation in two passes,
 * the Athena one per record (Trino re-runs a WITH query for every reference to it). They must
 * agree to the byte and the cent, or the cloud and `flowcost analyze` would tell different
 * stories. Both run here on DuckDB over a lake with every trap the generator makes (IP reuse
 * included, so the local text's second pass runs).
 */
describe("attribute_flows: the Athena text and the local text give the same rows", async () => {
  const lakeDir = await tempDir("engines");
  const athenaQueries = await tempDir("athena-queries");
  await cp(QUERIES_DIR, athenaQueries, { recursive: true });
  await copyFile(
    join(QUERIES_DIR, "attribution/attribute_flows.athena.sql"),
    join(athenaQueries, "attribution/attribute_flows.sql"),
  );
  const scenario = await generateScenario({ outDir: lakeDir, seed: 11 });
  await runPipeline({ lakeDir });
  const day = dayWindow(scenario.day);

  const attributeWith = async (queriesDir?: string) => {
    const engine = await DuckDbEngine.open({ lakeDir, queriesDir });
    try {
      return (await attributeDay(engine, day, "us-east-1", lakeDir)).rows;
    } finally {
      engine.close();
    }
  };

  test("every row, byte count and billed cent is identical", async () => {
    const local = await attributeWith();
    const athena = await attributeWith(athenaQueries);
    expect(local.length).toBeGreaterThan(20);
    expect(athena).toEqual(local);
  });
});
