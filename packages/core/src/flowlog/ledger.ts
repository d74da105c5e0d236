/**
 * The ingestion ledger (architecture.md, "Counting rule"): per flow-log object and per run,
 * every record read is either used (compacted as traffic), a NODATA or SKIPDATA status record
 * (never traffic), or rejected with a reason. Nothing is dropped without a count:
 *
 *   read = used + nodata + skipdata + rejected,   rejected = sum of rejectedByReason
 *
 * `read` counts the non-empty lines after the header as the object's own bytes hold them,
 * independently of the parser, so a parser that silently loses lines shows up as `unaccounted`.
 */
export const REJECT_REASONS = [
  /** More or fewer space-separated fields than the header names. */
  "field_count",
  /** A numeric field (ports, bytes, start, ...) holds something that is not a number. */
  "number_format",
  /**
   * An `OK` record whose numbers are impossible: negative bytes or packets, more bytes or packets
   * than one record can hold, a port outside 0-65535, a protocol outside 0-255, or a time before
   * 1970 or after 9999 (see FLOW_NUMBER_LIMITS).
   */
  "number_range",
  /** The header line names a field that is not a flow-log field (or names one twice). */
  "unknown_field",
  /** The gzip stream ends early or is corrupt; the object's lines are not trusted. */
  "truncated_gzip",
  /** An `OK` record without the values traffic needs (`start`, `bytes`), or an unknown log-status. */
  "invalid_record",
  /** The object could not be read at all (e.g. a corrupt Parquet file). */
  "unreadable_object",
  /** Lines the object holds that the parser neither used nor rejected: always a bug, never expected. */
  "unaccounted",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type RejectCounts = Partial<Record<RejectReason, number>>;

/** One SKIPDATA record: the ENI's records in this window were dropped, so its traffic is under-reported. */
export interface DataGap {
  readonly interfaceId: string | null;
  readonly start: number | null;
  readonly end: number | null;
  readonly file: string;
}

/** The ledger's counts, for one object or a whole run: read = used + nodata + skipdata + rejected. */
export interface LedgerCounts {
  readonly read: number;
  readonly used: number;
  readonly nodata: number;
  readonly skipdata: number;
  readonly rejected: number;
  readonly rejectedByReason: RejectCounts;
}

export interface FileLedger extends LedgerCounts {
  /** Path or S3 key of the object. */
  readonly file: string;
  /** Set when the object failed as a whole: why, in words that name the problem. */
  readonly failure?: { readonly reason: RejectReason; readonly message: string };
}

export interface RunLedger extends LedgerCounts {
  readonly files: ReadonlyArray<FileLedger>;
  readonly failedObjects: ReadonlyArray<{
    readonly file: string;
    readonly reason: RejectReason;
    readonly message: string;
  }>;
  /** SKIPDATA windows per ENI: data gaps, never summed as traffic. */
  readonly dataGaps: ReadonlyArray<DataGap>;
  /** Records the compacted partitions hold; equals `used` when compaction kept every used record. */
  readonly compacted: number;
}

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/**
 * Builds one object's ledger from what was counted. Whatever the counts do not explain is
 * booked as `unaccounted`, so the equation holds exactly and a loss is visible rather than silent.
 */
export function fileLedger(input: Omit<FileLedger, "rejected">): FileLedger {
  const byReason: RejectCounts = {};
  for (const reason of REJECT_REASONS) {
    const n = input.rejectedByReason[reason] ?? 0;
    if (n > 0) byReason[reason] = n;
  }
  const explained = input.used + input.nodata + input.skipdata + sum(Object.values(byReason));
  const read = Math.max(input.read, explained);
  if (read > explained) byReason.unaccounted = (byReason.unaccounted ?? 0) + (read - explained);
  return {
    file: input.file,
    read,
    used: input.used,
    nodata: input.nodata,
    skipdata: input.skipdata,
    rejected: sum(Object.values(byReason)),
    rejectedByReason: byReason,
    ...(input.failure ? { failure: input.failure } : {}),
  };
}

/** Adds the objects' ledgers up into the run's. */
export function runLedger(
  files: ReadonlyArray<FileLedger>,
  dataGaps: ReadonlyArray<DataGap>,
  compacted: number,
): RunLedger {
  const byReason: RejectCounts = {};
  for (const f of files) {
    for (const [reason, n] of Object.entries(f.rejectedByReason) as Array<[RejectReason, number]>) {
      byReason[reason] = (byReason[reason] ?? 0) + n;
    }
  }
  return {
    read: sum(files.map((f) => f.read)),
    used: sum(files.map((f) => f.used)),
    nodata: sum(files.map((f) => f.nodata)),
    skipdata: sum(files.map((f) => f.skipdata)),
    rejected: sum(files.map((f) => f.rejected)),
    rejectedByReason: byReason,
    files,
    failedObjects: files.flatMap((f) => (f.failure ? [{ file: f.file, ...f.failure }] : [])),
    dataGaps,
    compacted,
  };
}

/** True when read = used + nodata + skipdata + rejected and rejected = the sum of its reasons. */
export function ledgerBalances(l: LedgerCounts): boolean {
  return (
    l.read === l.used + l.nodata + l.skipdata + l.rejected &&
    l.rejected === sum(Object.values(l.rejectedByReason).map((n) => n ?? 0))
  );
}

/**
 * DuckDB's `read_csv` reject error types (`reject_errors.error_type`) mapped to ledger reasons.
 * A line can carry several errors; the field count wins, since a shifted line makes every
 * later number wrong as a consequence.
 */
export function reasonForCsvErrors(errorTypes: ReadonlyArray<string>): RejectReason {
  if (errorTypes.some((t) => t === "MISSING COLUMNS" || t === "TOO MANY COLUMNS")) return "field_count";
  if (errorTypes.some((t) => t === "CAST")) return "number_format";
  return "invalid_record";
}
