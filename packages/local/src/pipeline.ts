import { join } from "node:path";
import {
  buildDaySummary,
  createResultsStore,
  DATASETS,
  type DaySummary,
  type DaySummaryInput,
  type DayWindow,
  dayLedger,
  dayWindow,
  type HourWindow,
  hoursOf,
  identityWarnings,
  type MaterializeResult,
  noCurWarning,
  type PriceOverrides,
  pricesFor,
  type Recommendation,
  type RunLedger,
  recommendDays,
  runLedger,
  type WhatIfResult,
} from "@flowcost/core";
import { DuckDbEngine } from "./engine/duckdb-engine.ts";
import { attributeDay, attributeDayByPlace } from "./jobs/attribute.ts";
import { type CompactionResult, compactFlowLogs } from "./jobs/compact.ts";
import { buildIdentityDay, type IdentityJobResult } from "./jobs/identity.ts";
import { type SkippedFile, surveyFlowLogFiles } from "./lake/flow-log-survey.ts";
import { folderInventoryReader } from "./lake/recommendation-inputs.ts";
import { claimLake } from "./lake/run-lock.ts";
import { type CommitStats, RunTransaction } from "./lake/run-transaction.ts";
import { type SkippedInput, uniqueByPath } from "./lake/skipped-inputs.ts";

export interface PipelineOptions {
  readonly lakeDir: string;
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Compaction's passes, instead of those chosen from the input and the limit (tests force them). */
  readonly compactionPasses?: number;
  /** Called as each step starts, for progress output. */
  readonly onStep?: (step: string) => void;
  /** What a long step is doing, for the user (compaction's passes over large inputs). */
  readonly onNote?: (note: string) => void;
  /** Only hours overlapping [from, to) (Unix seconds) are compacted, and only their days attributed. */
  readonly from?: number;
  readonly to?: number;
  /** Only this cluster's snapshots resolve pod and node addresses (other clusters' pods stay unknown). */
  readonly cluster?: string;
  /** List-price overrides by Region (flowcost.config.json `prices`). */
  readonly prices?: PriceOverrides;
  /** Called as each unit of a long step completes (`done` of `total`), for a progress bar. */
  readonly onProgress?: (progress: PipelineProgress) => void;
  /** Called after each rename while the run publishes its results (a test stops the process there). */
  readonly onPublishRename?: (done: number, total: number) => void;
}

export interface PipelineProgress {
  readonly step: "reading" | "compacting" | "identity" | "attributing";
  readonly done: number;
  readonly total: number;
  /** What the unit just finished was, e.g. `2026-11-22 09:00`. */
  readonly label: string;
}

export interface DayResult {
  readonly day: DayWindow;
  readonly identity: IdentityJobResult;
  readonly rows: Awaited<ReturnType<typeof attributeDay>>["rows"];
  /** Billed vs allocated vs unattributed cents for the day (costBasis estimated without CUR). */
  readonly reconciliation?: Awaited<ReturnType<typeof attributeDay>>["reconciliation"];
  /**
   * The day's results document, as written to `results/summary/dt=<day>/summary.json`: made
   * afresh from the reconciliation each time it is read (the run does not hold it; it is about
   * 600 bytes a row).
   */
  readonly summary?: DaySummary;
  /** Bytes per pairing outcome of the day's flows without packet addresses (empty when all had them). */
  readonly stitching?: Awaited<ReturnType<typeof attributeDay>>["stitching"];
  /** The day's CUR files that could not be used, each left out by name. */
  readonly skipped: ReadonlyArray<SkippedInput>;
  /** The --from/--to window covers only part of the day: not reconciled, list-price estimates. */
  readonly cutByWindow?: boolean;
}

export interface PipelineResult {
  readonly flowLogObjects: number;
  /** Files under the flow-log prefix that were not read, each with why (never silently). */
  readonly skippedFiles: ReadonlyArray<SkippedFile>;
  /** Snapshots, describe outputs and CUR files that could not be read, each left out by name. */
  readonly skippedInputs: ReadonlyArray<SkippedInput>;
  readonly hours: ReadonlyArray<{ window: HourWindow; result: MaterializeResult }>;
  readonly days: DayResult[];
  readonly regions: string[];
  /** The ingestion ledger of the flow-log objects read: read = used + nodata + skipdata + rejected. */
  readonly ledger: RunLedger;
  /** Each flow-log format read, with its object count (what it can tell: `flowLogFormatCapabilities`). */
  readonly flowLogFormats?: CompactionResult["formats"];
  /** The catalogue rules over the window (each day's are also written to results/recommendations/dt=). */
  readonly recommendations: Recommendation[];
  /** The window's cost under each routing change, for the cluster, each namespace and each Service. */
  readonly whatIf: WhatIfResult[];
  /** What publishing the run's results took (paths replaced or removed, renames, time). */
  readonly published: CommitStats;
}

/**
 * The local equivalent of the scheduled jobs, in order: compact every hour the raw flow logs
 * cover, build identity for every day, attribute every day, recommend. Each step replaces its
 * partitions and documents, so running it twice over the same folder gives the same lake. The
 * run's effect on the folder is published whole when it completes (RunTransaction): a run that
 * fails leaves the folder as it was, and one killed part-way is discarded, or finished when it
 * was killed while publishing, by the next run.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  // One run per lake at a time; a run killed while publishing is finished, and what any killed
  // run left (staging, trash, temp files) goes, before this one starts.
  const claim = await claimLake(options.lakeDir);
  if (claim.finished.length > 0)
    options.onStep?.(`finished publishing ${claim.finished.length} run(s) killed while publishing`);
  if (claim.removed.length > 0)
    options.onStep?.(`removed ${claim.removed.length} leftover(s) of an interrupted run`);
  let engine: DuckDbEngine;
  let run: RunTransaction;
  try {
    run = await RunTransaction.begin(options.lakeDir);
  } catch (error) {
    await claim.release();
    throw error;
  }
  try {
    engine = await DuckDbEngine.open({
      lakeDir: options.lakeDir,
      memoryLimit: options.memoryLimit,
      threads: options.threads,
      run,
    });
  } catch (error) {
    await run.abort();
    await claim.release();
    throw error;
  }
  try {
    options.onStep?.("reading flow-log objects");
    const { files, skipped } = await surveyFlowLogFiles(options.lakeDir);
    const inWindow = (w: { start: number; end: number }) =>
      (options.from === undefined || w.end > options.from) &&
      (options.to === undefined || w.start < options.to);
    // Everything the run writes is staged in it: documents included.
    const store = createResultsStore(run.documents());
    const { hours, ledger, formats } = await compactFlowLogs(engine, options.lakeDir, files, {
      documents: store,
      passes: options.compactionPasses,
      onStep: options.onStep,
      onNote: options.onNote,
      onLoaded: () =>
        options.onProgress?.({
          step: "reading",
          done: files.length,
          total: files.length,
          label: "flow-log objects",
        }),
      hourFilter: inWindow,
      onHourDone: (window, done, total) =>
        options.onProgress?.({ step: "compacting", done, total, label: `${window.dt} ${window.hour}:00` }),
    });

    const regions = [...new Set(files.map((f) => f.region))].sort();
    const dayNames = [
      ...new Set(hours.filter((h) => h.result.rowsWritten > 0).map((h) => h.window.dt)),
    ].sort();
    // A window owns the whole days it touches: hours of those days outside it, compacted by an
    // earlier run, would otherwise be attributed with them.
    if (options.from !== undefined || options.to !== undefined)
      await engine.partitions.drop(
        DATASETS.curatedFlows,
        dayNames.flatMap((dt) =>
          hoursOf(dayWindow(dt))
            .filter((hour) => !inWindow(hour))
            .map((hour) => ({ dt: hour.dt, hour: hour.hour })),
        ),
      );
    const days: DayResult[] = [];
    const fileDays = new Map(files.map((f) => [f.path, f.day]));
    const accounts = [...new Set(files.map((f) => f.accountId))].sort();
    // Every account and Region the flow logs come from (their S3 keys name both).
    const places = [...new Map(files.map((f) => [`${f.accountId}|${f.region}`, f])).values()]
      .map((f) => ({ accountId: f.accountId, region: f.region }))
      .sort((a, b) => (`${a.accountId}|${a.region}` < `${b.accountId}|${b.region}` ? -1 : 1));
    for (const dt of dayNames) {
      const day = dayWindow(dt);
      options.onStep?.(`building identity for ${dt}`);
      const identity = await buildIdentityDay(engine, options.lakeDir, day, 300, {
        clusters: options.cluster === undefined ? undefined : new Set([options.cluster]),
      });
      options.onStep?.(`attributing ${dt}`);
      // The CUR bills whole UTC days: a day the window cuts keeps list-price estimates rather than
      // having the whole day's bill allocated to part of its traffic.
      const cutByWindow =
        (options.from !== undefined && options.from > day.start) ||
        (options.to !== undefined && options.to < day.end);
      // One account and Region: the whole day at its Region's prices. Several (an Organization's
      // central bucket): each attributed, priced and reconciled on its own, rows tagged with both.
      const attribution =
        places.length > 1
          ? await attributeDayByPlace(
              engine,
              day,
              places,
              cutByWindow ? undefined : options.lakeDir,
              options.prices,
            )
          : await attributeDay(
              engine,
              day,
              regions[0] ?? "us-east-1",
              cutByWindow ? undefined : options.lakeDir,
              options.prices,
            );
      const rows: DayResult["rows"] = attribution.rows;
      options.onStep?.(`writing the results of ${dt}`);
      const summaryInput = daySummaryInput(
        attribution.reconciliation,
        identity,
        ledger,
        fileDays,
        dt,
        regions,
        accounts,
        cutByWindow,
      );
      // Written a row at a time; the document is made again only if a caller reads `summary`
      // (the FOCUS export), as the day's rows are already held once, as reconciled rows.
      await store.writeDayOf(summaryInput);
      days.push({
        day,
        identity,
        rows,
        reconciliation: attribution.reconciliation,
        get summary() {
          return buildDaySummary(summaryInput);
        },
        skipped: attribution.skipped,
        cutByWindow,
        stitching: attribution.stitching,
      });
      options.onProgress?.({ step: "attributing", done: days.length, total: dayNames.length, label: dt });
    }
    options.onStep?.("recommending");
    // Savings extrapolate from the measured time: the whole hours each day's flows were compacted for.
    const measured = days.map((d) => {
      const covered = hours.filter((h) => h.window.dt === d.day.dt && h.result.rowsWritten > 0);
      const from = Math.min(...covered.map((h) => h.window.start));
      return { dt: d.day.dt, rows: d.rows, from, to: from + covered.length * 3600 };
    });
    const region = regions[0] ?? "us-east-1";
    const {
      recommendations,
      whatIf,
      skipped: unreadInventory,
    } = await recommendDays(
      {
        engine,
        inventory: folderInventoryReader(options.lakeDir),
        store,
        region,
        prices: pricesFor(region, options.prices),
        pricesFor: (r) => pricesFor(r, options.prices),
        cluster: options.cluster,
      },
      measured,
    );
    // Inventory the run could not use, by path: identity's and attribution's, then any the
    // recommendations alone read (the window's latest snapshot and capture, ip-ranges.json).
    const skippedInputs = uniqueByPath([
      ...days.flatMap((d) => d.identity.skipped),
      ...days.flatMap((d) => d.skipped),
      ...(engine.curated.ipRangesSkipped ? [engine.curated.ipRangesSkipped] : []),
      ...unreadInventory.map((f) => ({ ...f, path: join(options.lakeDir, ...f.path.split("/")) })),
    ]);
    options.onStep?.("publishing the results");
    const published = await run.commit({ onRename: options.onPublishRename });
    return {
      flowLogObjects: files.length,
      skippedFiles: skipped,
      skippedInputs,
      hours,
      days,
      regions,
      ledger,
      flowLogFormats: formats,
      recommendations,
      whatIf,
      published,
    };
  } catch (error) {
    // Nothing of a failed run reaches the folder (one whose commit had begun is kept to finish).
    await run.abort();
    throw error;
  } finally {
    engine.close();
    await claim.release();
  }
}

/**
 * What the day's results document is made of: the reconciled rows with their charge split, the
 * ledger of the flow-log objects delivered for the day, identity statistics and the day's
 * warnings. Account and Region are set when the run read exactly one of each.
 */
function daySummaryInput(
  reconciliation: Awaited<ReturnType<typeof attributeDay>>["reconciliation"],
  identity: IdentityJobResult,
  ledger: RunLedger,
  fileDays: ReadonlyMap<string, string>,
  dt: string,
  regions: ReadonlyArray<string>,
  accounts: ReadonlyArray<string>,
  cutByWindow: boolean,
): DaySummaryInput {
  const stats = identity.clusters.map(({ cluster, stats: s }) => ({
    cluster,
    snapshots: s.snapshots,
    overlaps: s.overlaps,
    missedSnapshots: s.missedSnapshots,
    nodesWithoutZone: [...s.nodesWithoutZone],
  }));
  const warnings = stats.flatMap((s) => identityWarnings(dt, s));
  if (cutByWindow) warnings.push(windowCutWarning(dt));
  else if (reconciliation.costBasis === "estimated") warnings.push(noCurWarning(dt));
  return {
    reconciliation,
    ledger: dayLedger(
      runLedger(
        ledger.files.filter((f) => fileDays.get(f.file) === dt),
        [],
        0,
      ),
    ),
    identity: stats,
    workloads: identity.workloads,
    warnings,
    ...(regions.length === 1 ? { region: regions[0] } : {}),
    ...(accounts.length === 1 ? { account: accounts[0] } : {}),
  };
}

/** A day the --from/--to window cuts: reconciliation needs the whole UTC day the CUR bills. */
export function windowCutWarning(dt: string): { code: string; message: string } {
  return {
    code: "window-cuts-day",
    message: `${dt}: the window covers only part of this UTC day; the CUR bills whole days, so its dollars are list-price estimates, not reconciled (give --from/--to as whole days to reconcile)`,
  };
}
