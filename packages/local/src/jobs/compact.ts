import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  compactFlows,
  compactFlowsDirected,
  DATASETS,
  type DataGap,
  type FileLedger,
  fileLedger,
  flowDataGaps,
  flowField,
  flowLedger,
  type HourWindow,
  hourWindow,
  type MaterializeResult,
  partitionPrefix,
  type RejectReason,
  type ResultsStore,
  type RunLedger,
  rawFlowLogDay,
  runLedger,
} from "@flowcost/core";
import type { BookedRejects, DuckDbEngine, StagedResult } from "../engine/duckdb-engine.ts";
import { isOutOfMemory, RAW_SCAN_MEMORY_SHARE } from "../engine/memory-share.ts";
import { findUnreadableObjects } from "../engine/unreadable-objects.ts";
import { type LocalFlowLogFile, scanTextObjects } from "../lake/flow-log-files.ts";
import { lakeResultsStore } from "../lake/results-files.ts";

const HOUR = 3600;
/** The widest spread of record starts an object's span may give the run (see compactFlowLogs). */
const MAX_OBJECT_SPAN = 24 * HOUR;

/**
 * Bytes of raw flow-log objects (gzip text as stored) one compaction pass takes per MiB of
 * DuckDB's share of the memory limit. Compaction's aggregate holds every curated group of the run
 * at once, and what it needs grows with the input, though not linearly (docs/performance.md,
 * "Issue 17, third round"). Measured, in MB of gzip per MiB of share and pass: the day (2.2 GB)
 * fails in one pass with 572 MiB (3.85) and compacts in 4 (0.96, peak 944 MiB) and in one with
 * 1,144 MiB (1.92); 25.8M records (367 MB) compact in one with 572 MiB (0.64); 6.44M records
 * (92 MB) fail with 73 MiB (1.26) and compact with 110 (0.84). 1 MB per MiB keeps every input
 * measured to succeed in as few passes as it succeeded in, but one: 17.2M records (244 MB) failed
 * in one pass with 400 MiB (0.61), which the out-of-memory retry then compacts in two.
 */
export const RAW_BYTES_PER_SHARE_MIB = 1_000_000;
/** How many times compaction, out of memory, starts again with twice the passes. */
const OUT_OF_MEMORY_RETRIES = 2;

/**
 * How many passes compaction makes over `rawBytes` of objects with `shareBytes` of memory for
 * DuckDB (one when the share is unknown): each pass re-reads every object, so as few as fit.
 */
export function compactionPasses(rawBytes: number, shareBytes: number | undefined): number {
  if (shareBytes === undefined || shareBytes <= 0) return 1;
  return Math.max(1, Math.ceil(rawBytes / ((shareBytes / 2 ** 20) * RAW_BYTES_PER_SHARE_MIB)));
}

/** The objects' size on disk (gzip text or Parquet as stored), the input compaction's memory grows with. */
async function rawBytes(files: ReadonlyArray<LocalFlowLogFile>): Promise<number> {
  let total = 0;
  for (const f of files)
    total += await stat(f.path).then(
      (s) => s.size,
      () => 0,
    );
  return total;
}

/** compact_flows' parameters for the whole hours from `start` (incl.) to `end` (excl.). */
export function compactParams(start: number, end: number) {
  // Records of an hour can sit in the next day's folder (objects are filed by `end`).
  const nextDay = new Date((end + 60) * 1000).toISOString().slice(0, 10);
  return {
    dayFrom: rawFlowLogDay(hourWindow(start).dt),
    dayTo: rawFlowLogDay(nextDay),
    windowStart: start,
    windowEnd: end,
  };
}

/** compact-flows for one hour: raw records -> curated/flows/dt=/hour= (replaced whole). */
export async function compactHour(engine: DuckDbEngine, window: HourWindow) {
  return engine.materialize(compactFlows, compactParams(window.start, window.end), {
    table: "curated_flows",
    prefix: DATASETS.curatedFlows,
    partitions: [{ dt: window.dt, hour: window.hour }],
  });
}

export interface CompactionResult {
  readonly hours: ReadonlyArray<{ window: HourWindow; result: MaterializeResult }>;
  readonly ledger: RunLedger;
  /** Each flow-log format read (its fields, as a header line names them), with its object count. */
  readonly formats: ReadonlyArray<FlowLogFormatUse>;
  /** The passes compaction's last staging made over the objects (1: one scan). */
  readonly passes: number;
}

export interface FlowLogFormatUse {
  readonly fields: ReadonlyArray<string>;
  readonly encoding: "text" | "parquet";
  readonly objects: number;
}

/** Every hour that overlaps [first, last] (Unix seconds). */
function hoursSpanning(first: number, last: number): number[] {
  const out: number[] = [];
  for (let h = first - (first % HOUR); h <= last; h += HOUR) out.push(h);
  return out;
}

/**
 * The reading and compaction step: compacts every hour the flow-log objects hold in one pass
 * over the objects, and books each object's records in the ledger (stored under
 * `results/ledger/dt=<object's day>/ledger.json`, one per day of objects, replaced whole).
 *
 * The raw text is decompressed and parsed by DuckDB once by compaction (a single
 * `COPY ... PARTITION_BY (dt, hour)` streaming from the objects). When every format logs
 * flow-direction (compact_flows_directed), the same aggregate also yields the ledger's
 * per-object status counts; otherwise (direction to infer) a second scan counts them.
 * Objects too large for DuckDB's share of the memory limit (compactionPasses) are compacted
 * directed in several passes, each a scan of every object that aggregates only the groups of
 * the ENIs hashed to it (so each curated group is whole in one pass); pass 0 alone counts the
 * ledger and books the rejected lines. Out of memory, compaction starts again in twice as many.
 * Alongside compaction, Node decompresses each text object to count its lines (the ledger's
 * `read`, independent of the parser) and to prove its gzip stream complete: DuckDB returns the
 * lines before a truncation without any error. A truncated or unreadable object is taken out and compaction is redone without it (as it is
 * when lines need re-reading with single spaces), so its records never reach a partition;
 * it is reported as failed, by name.
 *
 * The run owns every hour that some object's records start in (and that `hourFilter`
 * accepts): each is replaced whole, and one left without traffic is removed.
 */
export async function compactFlowLogs(
  engine: DuckDbEngine,
  lakeDir: string,
  files: ReadonlyArray<LocalFlowLogFile>,
  options: {
    readonly onStep?: (step: string) => void;
    /** Called once every object has been read (before partitions are replaced). */
    readonly onLoaded?: () => void;
    /** Compacts only the hours it accepts (a run limited to a window); all by default. */
    readonly hourFilter?: (window: HourWindow) => boolean;
    readonly onHourDone?: (window: HourWindow, done: number, total: number) => void;
    /** Where the ledgers go: a run's staged documents; the lake folder itself by default. */
    readonly documents?: ResultsStore;
    /**
     * Compaction passes (compact_flows_directed only), instead of those chosen from the objects'
     * size and the memory limit (compactionPasses): tests force several on small inputs.
     */
    readonly passes?: number;
    /** Told what a long compaction is doing for the user: each pass as it starts, a retry in more. */
    readonly onNote?: (note: string) => void;
  } = {},
): Promise<CompactionResult> {
  const { onStep } = options;
  onStep?.(`reading ${files.length} flow-log objects`);
  const load = await engine.rawFlowLogs.define(files);
  const failures = new Map<string, NonNullable<FileLedger["failure"]>>();
  for (const f of load.failed) failures.set(f.file.path, { reason: f.reason, message: f.message });
  // Objects whose header failed are scanned too: their records are counted as read (and
  // rejected for the header), so the ledger's totals keep them rather than reading 0.
  const text = files.filter((f) => f.encoding === "text");
  const scanning = scanTextObjects(text.map((f) => f.path));

  const days = [...new Set(files.map((f) => rawFlowLogDay(f.day)))].sort();
  const range = { dayFrom: days[0] ?? "0000/00/00", dayTo: days.at(-1) ?? "0000/00/00" };
  // Every record the objects hold, whenever it starts: the ledger counts each as used, so
  // each must reach a partition.
  const params = { ...range, windowStart: 0, windowEnd: Number.MAX_SAFE_INTEGER };
  // When every format logs the direction, the directed query also counts the ledger's
  // per-object status in the same scan: the raw text is parsed once per run, not twice.
  const directed = engine.rawFlowLogs.logDirection();
  // A run too large for DuckDB's share of the limit compacts in passes, each aggregating the
  // curated groups of a share of the ENIs (compact_flows_directed; compact_flows is one scan).
  let passes = directed
    ? (options.passes ??
      compactionPasses(await rawBytes(files), engine.memory.shareBytes(RAW_SCAN_MEMORY_SHARE)))
    : 1;
  const stage = (pass: number) =>
    engine.memory.withShare(RAW_SCAN_MEMORY_SHARE, () =>
      directed
        ? engine.partitions.stage(compactFlowsDirected, { ...params, passes, pass })
        : engine.partitions.stage(compactFlows, params),
    );
  /**
   * Every pass into staging, merged into one staged result, and the lines its scan rejected,
   * booked once: from pass 0 (every pass reads every line; later passes' rejects are skipped).
   */
  const stagePasses = async (book: { onlyRespaced?: boolean }) => {
    const parts: StagedResult[] = [];
    let booked: BookedRejects = { rejected: new Map(), respaced: new Map() };
    try {
      for (let pass = 0; pass < passes; pass++) {
        if (passes === 1) onStep?.("compacting every hour");
        else {
          const note = `compacting every hour: pass ${pass + 1} of ${passes}`;
          onStep?.(note);
          options.onNote?.(note);
        }
        parts.push(await stage(pass));
        if (pass === 0) booked = await engine.rejects.book(book);
        else await engine.rejects.skip();
      }
    } catch (error) {
      for (const part of parts) await engine.partitions.discard(part);
      throw error;
    }
    return { staged: await engine.partitions.merge(parts), booked };
  };
  /**
   * The safety net under the choice of passes: out of memory, the staged passes are dropped and
   * compaction starts again with twice as many (each aggregates half the groups), twice at most.
   */
  const withMorePassesIfShort = async (work: () => Promise<Awaited<ReturnType<typeof stagePasses>>>) => {
    for (let retry = 0; ; retry++) {
      try {
        return await work();
      } catch (error) {
        if (!directed || !isOutOfMemory(error) || retry >= OUT_OF_MEMORY_RETRIES) throw error;
        await engine.rejects.skip();
        passes *= 2;
        const note = `DuckDB ran out of memory: compacting again in ${passes} passes`;
        onStep?.(note);
        options.onNote?.(note);
      }
    }
  };
  const stageAll = () =>
    withMorePassesIfShort(async () => {
      try {
        return await stagePasses({});
      } catch (error) {
        // Running out of memory is no object's fault: probing every object alone would take as long
        // as the scan (minutes for a day) and end in the same error.
        if (isOutOfMemory(error)) throw error;
        // One object DuckDB cannot read at all: find it by name, leave it out, and go on.
        const unreadable = await findUnreadableObjects(engine);
        if (unreadable.length === 0) throw error;
        for (const f of unreadable) failures.set(f.file.path, { reason: f.reason, message: f.message });
        await engine.rawFlowLogs.exclude(unreadable.map((f) => f.file.path));
        return stagePasses({});
      }
    });

  const first = await stageAll();
  let staged = first.staged;
  const { rejected, respaced } = first.booked;
  const scans = await scanning;
  const truncated: string[] = [];
  for (const scan of scans.values()) {
    if (scan.error === undefined || failures.has(scan.path)) continue;
    failures.set(scan.path, {
      reason: "truncated_gzip",
      message: `${scan.path}: the gzip stream is truncated or corrupt (${scan.error})`,
    });
    truncated.push(scan.path);
  }
  if (truncated.length > 0 || respaced.size > 0) {
    await engine.partitions.discard(staged);
    await engine.rawFlowLogs.exclude(truncated);
    await engine.rawFlowLogs.addRespacedLines(respaced);
    const again = await withMorePassesIfShort(() => stagePasses({ onlyRespaced: true }));
    staged = again.staged;
    for (const [file, counts] of again.booked.rejected) {
      const mine = rejected.get(file) ?? {};
      for (const [reason, n] of Object.entries(counts) as Array<[RejectReason, number]>)
        mine[reason] = (mine[reason] ?? 0) + n;
      rejected.set(file, mine);
    }
  }
  options.onLoaded?.();

  onStep?.("counting records per flow-log object");
  if (directed) staged = await engine.rawFlowStatus.adopt(staged);
  else {
    await engine.memory.withShare(RAW_SCAN_MEMORY_SHARE, () =>
      engine.rawFlowStatus.materialize({ keepRejects: true }),
    );
    // compact_flows requires start and bytes, so DuckDB may prune a format without them from
    // compaction's scan unread: its rejected lines are booked from this scan (an object the
    // compaction scan read has its lines booked already, or had none rejected), and its lines
    // rejected only for stray spaces are re-read single-spaced as compaction's would be.
    const late = await engine.rejects.book();
    const bookedEarlier = new Set(rejected.keys());
    for (const [file, counts] of late.rejected) if (!bookedEarlier.has(file)) rejected.set(file, counts);
    const lateRespaced = new Map([...late.respaced].filter(([file]) => !bookedEarlier.has(file)));
    if (lateRespaced.size > 0) {
      await engine.rawFlowLogs.addRespacedLines(lateRespaced);
      await engine.memory.withShare(RAW_SCAN_MEMORY_SHARE, () =>
        engine.rawFlowStatus.materialize({ keepRejects: true }),
      );
      for (const [file, counts] of (await engine.rejects.book({ onlyRespaced: true })).rejected) {
        if (!lateRespaced.has(file)) continue;
        const mine = rejected.get(file) ?? {};
        for (const [reason, n] of Object.entries(counts) as Array<[RejectReason, number]>)
          mine[reason] = (mine[reason] ?? 0) + n;
        rejected.set(file, mine);
      }
    }
  }
  const owned = new Map<number, HourWindow>();
  for (const p of staged.partitions) {
    const w = hourWindow(Date.parse(`${p.dt}T${p.hour}:00:00Z`) / 1000);
    owned.set(w.start, w);
  }
  // An object's records cover a few minutes to an hour or two; the hours between its first and
  // last record are the run's too (one may have lost its traffic since the last run). An object
  // whose records lie years apart (a damaged one) would claim every hour in between, so only its
  // staged hours count then.
  for (const span of (await engine.rawFlowStatus.spans()).values())
    if (span.last - span.first <= MAX_OBJECT_SPAN)
      for (const start of hoursSpanning(span.first, span.last)) owned.set(start, hourWindow(start));
  const windows = [...owned.values()]
    .filter((w) => options.hourFilter?.(w) ?? true)
    .sort((a, b) => a.start - b.start);
  // Staged hours the filter declines are not this run's to replace.
  const declined = staged.partitions.filter((p) => !windows.some((w) => w.dt === p.dt && w.hour === p.hour));
  for (const p of declined)
    await rm(join(staged.staged, `dt=${p.dt}`, `hour=${p.hour}`), { recursive: true });
  const written = new Set(
    await engine.partitions.publish(
      staged,
      DATASETS.curatedFlows,
      windows.map((w) => ({ dt: w.dt, hour: w.hour })),
    ),
  );
  const hours = windows.map((window, i) => {
    const rel = `dt=${window.dt}/hour=${window.hour}`;
    const result: MaterializeResult = {
      rowsWritten: staged.rows.get(rel) ?? 0,
      partitionsWritten: written.has(rel) ? [rel] : [],
      stats: { engine: "duckdb", elapsedMs: staged.elapsedMs },
    };
    options.onHourDone?.(window, i + 1, windows.length);
    return { window, result };
  });

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
    const rejectedByReason = { ...(rejected.get(file.path) ?? {}) };
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
    const numberRange = c?.number_range ?? 0;
    if (numberRange > 0) rejectedByReason.number_range = (rejectedByReason.number_range ?? 0) + numberRange;
    const invalid = (c?.records ?? 0) - used - nodata - skipdata - numberRange;
    if (invalid > 0) rejectedByReason.invalid_record = (rejectedByReason.invalid_record ?? 0) + invalid;
    return fileLedger({ file: file.path, read, used, nodata, skipdata, rejectedByReason });
  });

  const compacted = await engine.curated.compactedRecords(
    hours.filter((h) => h.result.partitionsWritten.length > 0).map((h) => h.window),
  );
  const ledger = runLedger(
    ledgers,
    dataGaps.filter((g) => !failures.has(g.file)),
    compacted,
  );
  await writeLedgers(options.documents ?? lakeResultsStore(lakeDir), files, ledger);
  // Objects of one field list may sit in several read groups (text and Parquet, header or not).
  const formats = new Map<string, { fields: string[]; encoding: "text" | "parquet"; objects: number }>();
  for (const f of engine.rawFlowLogs.formats()) {
    const fields = f.columns.map((c) => flowField(c)?.name ?? c);
    const id = `${f.encoding}|${fields.join(" ")}`;
    const seen = formats.get(id);
    if (seen) seen.objects += f.objects;
    else formats.set(id, { fields, encoding: f.encoding, objects: f.objects });
  }
  return { hours, ledger, formats: [...formats.values()], passes };
}

/** Whether the object's first line is a header (objects without one use the default v2 layout). */
function startsWithHeader(file: LocalFlowLogFile, load: { headerless: ReadonlySet<string> }): boolean {
  return !load.headerless.has(file.path);
}

/** One ledger per day of objects, each replaced whole (the store writes aside, then renames). */
async function writeLedgers(store: ResultsStore, files: ReadonlyArray<LocalFlowLogFile>, ledger: RunLedger) {
  const dayOf = new Map(files.map((f) => [f.path, f.day]));
  for (const dt of [...new Set(files.map((f) => f.day))].sort()) {
    const mine = new Set(files.filter((f) => f.day === dt).map((f) => f.path));
    // `compacted` is a run figure (partitions are hours, not object days), so a day omits it.
    const { compacted: _, ...dayLedger } = runLedger(
      ledger.files.filter((f) => mine.has(f.file)),
      ledger.dataGaps.filter((g) => dayOf.get(g.file) === dt),
      0,
    );
    await store.writeDocument(
      `${partitionPrefix("ledger", { dt })}ledger.json`,
      `${JSON.stringify({ dt, ...dayLedger }, null, 2)}\n`,
    );
  }
}
