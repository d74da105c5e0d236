import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  compactFlows,
  DATASETS,
  type DataGap,
  type FileLedger,
  fileLedger,
  flowDataGaps,
  flowLedger,
  type HourWindow,
  hourWindow,
  type MaterializeResult,
  partitionPrefix,
  type RunLedger,
  rawFlowLogDay,
  runLedger,
} from "@flowcost/core";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";
import { type LocalFlowLogFile, scanTextObjects } from "../lake/flow-log-files.ts";

/** compact-flows for one hour: raw records -> curated/flows/dt=/hour= (replaced whole). */
export async function compactHour(engine: DuckDbEngine, window: HourWindow) {
  // Records of an hour can sit in the next day's folder (objects are filed by `end`).
  const nextDay = new Date((window.end + 60) * 1000).toISOString().slice(0, 10);
  return engine.materialize(
    compactFlows,
    {
      dt: window.dt,
      hour: window.hour,
      dayFrom: rawFlowLogDay(window.dt),
      dayTo: rawFlowLogDay(nextDay),
      windowStart: window.start,
      windowEnd: window.end,
    },
    {
      table: "curated_flows",
      prefix: DATASETS.curatedFlows,
      partitions: [{ dt: window.dt, hour: window.hour }],
    },
  );
}

export interface CompactionResult {
  readonly hours: ReadonlyArray<{ window: HourWindow; result: MaterializeResult }>;
  readonly ledger: RunLedger;
}

/**
 * The reading and compaction step: loads every flow-log object once, compacts every hour that
 * holds traffic, and books each object's records in the ledger (stored under
 * `results/ledger/dt=<object's day>/ledger.json`, one per day of objects, replaced whole).
 *
 * A truncated gzip is found by decompressing each text object in Node alongside DuckDB's read
 * (DuckDB itself returns the readable lines without an error); such an object's records are
 * taken back out before compaction and it is reported as failed, by name.
 */
export async function compactFlowLogs(
  engine: DuckDbEngine,
  lakeDir: string,
  files: ReadonlyArray<LocalFlowLogFile>,
  options: {
    readonly onStep?: (step: string) => void;
    /** Called once every object has been read (before compaction starts). */
    readonly onLoaded?: () => void;
    /** Compacts only the hours it accepts (a run limited to a window); all by default. */
    readonly hourFilter?: (window: HourWindow) => boolean;
    readonly onHourDone?: (window: HourWindow, done: number, total: number) => void;
  } = {},
): Promise<CompactionResult> {
  const { onStep } = options;
  const text = files.filter((f) => f.encoding === "text");
  const scanning = scanTextObjects(text.map((f) => f.path));
  onStep?.(`reading ${files.length} flow-log objects`);
  const load = await engine.setRawFlowLogs(files);
  const scans = await scanning;
  options.onLoaded?.();

  const failures = new Map<string, NonNullable<FileLedger["failure"]>>();
  for (const f of load.failed) failures.set(f.file.path, { reason: f.reason, message: f.message });
  for (const scan of scans.values()) {
    if (scan.error === undefined || failures.has(scan.path)) continue;
    failures.set(scan.path, {
      reason: "truncated_gzip",
      message: `${scan.path}: the gzip stream is truncated or corrupt (${scan.error})`,
    });
    await engine.dropRawFlowLogFile(scan.path);
  }

  const hours: Array<{ window: HourWindow; result: MaterializeResult }> = [];
  const windows = (await engine.rawTrafficHours())
    .map((start) => hourWindow(start))
    .filter((w) => options.hourFilter?.(w) ?? true);
  for (const window of windows) {
    onStep?.(`compacting ${window.dt} ${window.hour}:00`);
    hours.push({ window, result: await compactHour(engine, window) });
    options.onHourDone?.(window, hours.length, windows.length);
  }

  const days = [...new Set(files.map((f) => rawFlowLogDay(f.day)))].sort();
  const range = { dayFrom: days[0] ?? "0000/00/00", dayTo: days.at(-1) ?? "0000/00/00" };
  const counted = new Map((await engine.query(flowLedger, range)).rows.map((r) => [r.file, r]));
  const dataGaps: DataGap[] = (await engine.query(flowDataGaps, range)).rows.map((g) => ({
    interfaceId: g.interface_id,
    start: g.start,
    end: g.end,
    file: g.file,
  }));

  const ledgers = files.map((file) => {
    const c = counted.get(file.path);
    const failure = failures.get(file.path);
    const rejectedByReason = { ...(load.rejected.get(file.path) ?? {}) };
    const scan = scans.get(file.path);
    const read =
      file.encoding === "parquet"
        ? (load.parquetRows.get(file.path) ?? 0)
        : Math.max(0, (scan?.lines ?? 0) - (scan && startsWithHeader(file, load) ? 1 : 0));
    if (failure) {
      // Nothing of a failed object is used: every line it holds is rejected for the failure.
      return fileLedger({
        file: file.path,
        read,
        used: 0,
        nodata: 0,
        skipdata: 0,
        rejectedByReason: { [failure.reason]: read },
        failure,
      });
    }
    const used = c?.used ?? 0;
    const nodata = c?.nodata ?? 0;
    const skipdata = c?.skipdata ?? 0;
    const invalid = (c?.records ?? 0) - used - nodata - skipdata;
    if (invalid > 0) rejectedByReason.invalid_record = (rejectedByReason.invalid_record ?? 0) + invalid;
    return fileLedger({ file: file.path, read, used, nodata, skipdata, rejectedByReason });
  });

  const compacted = await engine.compactedRecords(
    hours.filter((h) => h.result.partitionsWritten.length > 0).map((h) => h.window),
  );
  const ledger = runLedger(
    ledgers,
    dataGaps.filter((g) => !failures.has(g.file)),
    compacted,
  );
  await writeLedgers(lakeDir, files, ledger);
  return { hours, ledger };
}

/** Whether the object's first line is a header (objects without one use the default v2 layout). */
function startsWithHeader(file: LocalFlowLogFile, load: { headerless: ReadonlySet<string> }): boolean {
  return !load.headerless.has(file.path);
}

/** One ledger per day of objects, each replaced whole (written aside, then renamed into place). */
async function writeLedgers(lakeDir: string, files: ReadonlyArray<LocalFlowLogFile>, ledger: RunLedger) {
  const dayOf = new Map(files.map((f) => [f.path, f.day]));
  for (const dt of [...new Set(files.map((f) => f.day))].sort()) {
    const mine = new Set(files.filter((f) => f.day === dt).map((f) => f.path));
    // `compacted` is a run figure (partitions are hours, not object days), so a day omits it.
    const { compacted: _, ...dayLedger } = runLedger(
      ledger.files.filter((f) => mine.has(f.file)),
      ledger.dataGaps.filter((g) => dayOf.get(g.file) === dt),
      0,
    );
    const dir = join(lakeDir, partitionPrefix("ledger", { dt }));
    await mkdir(dir, { recursive: true });
    const staged = join(dir, `.ledger.json.${process.pid}`);
    await writeFile(staged, `${JSON.stringify({ dt, ...dayLedger }, null, 2)}\n`);
    await rename(staged, join(dir, "ledger.json")).catch(async (error: unknown) => {
      await rm(staged, { force: true });
      throw error;
    });
  }
}
