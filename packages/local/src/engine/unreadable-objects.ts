import { errorMessage } from "@flowcost/core";
import type { FailedFlowLogObject, LocalFlowLogFile } from "../lake/flow-log-files.ts";
import { type RawSources, readCsv } from "./raw-flow-logs.ts";
import type { RejectedLines } from "./rejected-lines.ts";
import { pathLiteral } from "./sql-text.ts";

/**
 * Reads each object of the raw view alone and returns those that fail, by name, so one bad
 * object cannot stop a run (called only after a scan of the whole view failed). The probes'
 * rejected lines are not booked: the objects' lines are booked by the run's own scan.
 */
export async function findUnreadableObjects(engine: {
  run(sql: string): Promise<unknown>;
  readonly rawFlowLogs: { readonly sources: RawSources };
  readonly rejects: Pick<RejectedLines, "skip">;
}): Promise<FailedFlowLogObject[]> {
  const failed: FailedFlowLogObject[] = [];
  const { text, parquet, excluded } = engine.rawFlowLogs.sources;
  const probes: Array<[LocalFlowLogFile, string]> = [];
  for (const g of text) {
    for (const f of g.files) {
      if (!excluded.has(f.path)) probes.push([f, readCsv(g, [f.path], g.hasHeader)]);
    }
  }
  for (const g of parquet) {
    for (const f of g.files)
      if (!excluded.has(f.path)) probes.push([f, `read_parquet(${pathLiteral(f.path)})`]);
  }
  for (const [file, source] of probes) {
    try {
      await engine.run(`SELECT count(*) AS n FROM ${source}`);
    } catch (error) {
      failed.push({ file, reason: "unreadable_object", message: `${file.path}: ${errorMessage(error)}` });
    }
  }
  await engine.rejects.skip();
  return failed;
}
