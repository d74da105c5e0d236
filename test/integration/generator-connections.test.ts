import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import { compactFlowLogs } from "@flowcost/local/jobs/compact";
import { findFlowLogFiles } from "@flowcost/local/lake/flow-log-files";
import { seededRandom } from "@flowcost/local/scenario/random";
import { splitConversation } from "@flowcost/local/scenario/traffic";
import { generateScenario } from "@flowcost/local/scenario/write";
import { describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";

/** One hour of the demo cluster's pod traffic (no NAT/LB/control plane), compacted. */
async function compactedScenario(connectionsPerConversation: number) {
  const lakeDir = await tempDir(`connections-${connectionsPerConversation}`);
  const scenario = await generateScenario({
    outDir: lakeDir,
    seed: 11,
    hours: 1,
    network: false,
    curFormat: "csv",
    connectionsPerConversation,
  });
  const engine = await DuckDbEngine.open({ lakeDir });
  try {
    const files = await findFlowLogFiles(scenario.flowLogRoot);
    const { hours, ledger } = await compactFlowLogs(engine, lakeDir, files);
    const [curated] = await engine.run(
      "SELECT count(*) AS rows, sum(bytes) AS bytes, sum(records) AS records FROM curated_flows",
    );
    return { scenario, hours, ledger, curated };
  } finally {
    engine.close();
  }
}

describe("the generator's connections per conversation: more records, the same bytes", async () => {
  const one = await compactedScenario(1);
  const four = await compactedScenario(4);

  test("the ground truth and the CUR bill do not depend on the connection count", () => {
    expect(four.scenario.truth).toEqual(one.scenario.truth);
    expect([...four.scenario.billedNetworkUsd]).toEqual([...one.scenario.billedNetworkUsd]);
  });

  test("every transfer record becomes four; the objects and their NODATA lines stay as they were", () => {
    const objects = one.scenario.files.flowLogs;
    expect(four.scenario.files.flowLogs).toBe(objects);
    expect(four.scenario.files.records).toBe(4 * one.scenario.files.records);
    expect(four.ledger.used).toBe(four.scenario.files.records);
    expect(four.ledger.nodata).toBe(objects);
    expect(four.ledger.rejected).toBe(0);
  });

  test("compaction folds a conversation's connections into the row one connection gives", () => {
    expect(Number(four.curated?.rows)).toBe(Number(one.curated?.rows));
    expect(Number(four.curated?.bytes)).toBe(Number(one.curated?.bytes));
    expect(Number(four.curated?.records)).toBe(4 * Number(one.curated?.records));
    expect(four.ledger.compacted).toBe(four.ledger.used);
  });

  test("a conversation's bytes split exactly, one byte at least per connection, on distinct ports", () => {
    const shapes = seededRandom(5);
    const split = splitConversation(shapes, 40000, 10, 3, 4);
    expect(split).toHaveLength(3);
    expect(split.reduce((s, c) => s + c.request, 0)).toBe(10);
    expect(split.reduce((s, c) => s + c.response, 0)).toBe(3);
    expect(split.every((c) => c.request >= 1 && c.response >= 1)).toBe(true);
    expect(split[0]?.clientPort).toBe(40000);
    expect(new Set(split.map((c) => c.clientPort)).size).toBe(3);
  });
});
