import {
  type DayWindow,
  dayWindow,
  type HourWindow,
  hourWindow,
  type MaterializeResult,
} from "@flowcost/core";
import { DuckDbEngine } from "./engine/duckdb-engine.ts";
import { attributeDay } from "./jobs/attribute.ts";
import { compactHour } from "./jobs/compact.ts";
import { buildIdentityDay, type IdentityJobResult } from "./jobs/identity.ts";
import { findFlowLogFiles } from "./lake/flow-log-files.ts";

export interface PipelineOptions {
  readonly lakeDir: string;
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Called as each step starts, for progress output. */
  readonly onStep?: (step: string) => void;
}

export interface DayResult {
  readonly day: DayWindow;
  readonly identity: IdentityJobResult;
  readonly rows: Awaited<ReturnType<typeof attributeDay>>["rows"];
}

export interface PipelineResult {
  readonly flowLogObjects: number;
  readonly hours: ReadonlyArray<{ window: HourWindow; result: MaterializeResult }>;
  readonly days: DayResult[];
  readonly regions: string[];
}

/**
 * The local equivalent of the scheduled jobs, in order: compact every hour the raw flow logs
 * cover, build identity for every day, attribute every day. Each step replaces its partitions,
 * so running it twice over the same folder gives the same lake.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const engine = await DuckDbEngine.open({
    lakeDir: options.lakeDir,
    memoryLimit: options.memoryLimit,
    threads: options.threads,
  });
  try {
    options.onStep?.("reading flow-log headers");
    const files = await findFlowLogFiles(options.lakeDir);
    await engine.setRawFlowLogs(files);

    // An object is filed by its records' `end`; records start up to 10 minutes earlier.
    const hourStarts = new Set<number>();
    for (const f of files) {
      if (f.fileTime === undefined) continue;
      hourStarts.add(hourWindow(f.fileTime).start);
      hourStarts.add(hourWindow(f.fileTime - 600).start);
    }
    const hours: PipelineResult["hours"][number][] = [];
    for (const start of [...hourStarts].sort()) {
      const window = hourWindow(start);
      options.onStep?.(`compacting ${window.dt} ${window.hour}:00`);
      hours.push({ window, result: await compactHour(engine, window) });
    }

    const regions = [...new Set(files.map((f) => f.region))].sort();
    const dayNames = [
      ...new Set(hours.filter((h) => h.result.rowsWritten > 0).map((h) => h.window.dt)),
    ].sort();
    const days: DayResult[] = [];
    for (const dt of dayNames) {
      const day = dayWindow(dt);
      options.onStep?.(`building identity for ${dt}`);
      const identity = await buildIdentityDay(engine, options.lakeDir, day);
      options.onStep?.(`attributing ${dt}`);
      const rows: DayResult["rows"] = [];
      for (const region of regions) rows.push(...(await attributeDay(engine, day, region)).rows);
      days.push({ day, identity, rows });
    }
    return { flowLogObjects: files.length, hours, days, regions };
  } finally {
    engine.close();
  }
}
