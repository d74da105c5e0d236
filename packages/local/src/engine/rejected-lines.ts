import type { DuckDBConnection } from "@duckdb/node-api";
import { type RejectCounts, type RejectReason, reasonForCsvErrors } from "@flowcost/core";
import { readRows } from "./duckdb-start.ts";

/** Rejected lines booked per object and reason by the scans since the last booking. */
export interface BookedRejects {
  readonly rejected: Map<string, RejectCounts>;
  /** Lines rejected only for stray spaces (doubled, leading, trailing), single-spaced, per object. */
  readonly respaced: Map<string, string[]>;
}

interface RejectedFileLines {
  readonly file: string;
  readonly lines: Array<{ reason: RejectReason; text: string }>;
}

/** What booking needs to know of the raw view's objects. */
export interface RawLayouts {
  /** Column count of a text object's layout. */
  widthOf(file: string): number | undefined;
  /** The object a re-spaced staging file's lines came from. */
  originOf(file: string): string | undefined;
}

/**
 * The lines `read_csv` rejected (DuckDB's `reject_scans` / `reject_errors` tables, which keep
 * every scan of the session), booked per object for the ledger, each scan's lines once.
 */
export class RejectedLines {
  /** The highest `reject_scans.scan_id` already booked in a ledger. */
  private lastRejectScan = 0;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly layouts: RawLayouts,
  ) {}

  /**
   * Books the lines the scans since the last booking rejected, per object and reason. Lines
   * rejected only for stray spaces are returned single-spaced instead of booked (see
   * `RawFlowLogs.addRespacedLines`); lines of a re-spaced file are booked under their object,
   * never re-spaced again. `onlyRespaced` books just the re-spaced files' lines (the objects'
   * own lines were booked by an earlier scan of the same objects).
   */
  async book(options: { onlyRespaced?: boolean } = {}): Promise<BookedRejects> {
    const rejected = new Map<string, RejectCounts>();
    const respaced = new Map<string, string[]>();
    for (const { file, lines } of await this.collect()) {
      const origin = this.layouts.originOf(file);
      if (options.onlyRespaced && origin === undefined) continue;
      const owner = origin ?? file;
      const counts = rejected.get(owner) ?? {};
      rejected.set(owner, counts);
      const width = this.layouts.widthOf(owner);
      for (const line of lines) {
        const fixed = line.text.trim().split(/\s+/).join(" ");
        if (origin === undefined && fixed !== line.text && fixed.split(" ").length === width) {
          // Appended in place: copying the list per line made an object of n such lines cost n² / 2.
          const mine = respaced.get(owner);
          if (mine) mine.push(fixed);
          else respaced.set(owner, [fixed]);
        } else {
          counts[line.reason] = (counts[line.reason] ?? 0) + 1;
        }
      }
    }
    return { rejected, respaced };
  }

  /** Marks every reject stored so far as seen, without booking it (a repeat scan of booked objects). */
  async skip(): Promise<void> {
    if (!(await this.hasRejectTables())) return;
    const [latest] = await readRows(
      this.connection,
      "SELECT coalesce(max(scan_id), 0) AS scan FROM reject_scans",
    );
    this.lastRejectScan = Number(latest?.scan ?? 0);
  }

  /** DuckDB creates the reject tables with the first `read_csv` that stores rejects. */
  private async hasRejectTables(): Promise<boolean> {
    const [row] = await readRows(
      this.connection,
      "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('reject_scans', 'reject_errors')",
    );
    return Number(row?.n ?? 0) === 2;
  }

  /**
   * The lines the scans since the last booking rejected, per object, with the ledger reason of
   * each. The reject tables keep every scan of the session, so only later scans count.
   */
  private async collect(): Promise<RejectedFileLines[]> {
    if (!(await this.hasRejectTables())) return [];
    const rows = await readRows(
      this.connection,
      `SELECT s.file_path AS file, e.scan_id AS scan, e.line AS line, list(DISTINCT e.error_type) AS types,
              any_value(e.csv_line) AS text
       FROM reject_errors e JOIN reject_scans s ON s.scan_id = e.scan_id AND s.file_id = e.file_id
       WHERE e.scan_id > ${this.lastRejectScan}
       GROUP BY s.file_path, e.scan_id, e.line`,
    );
    await this.skip();
    const byFile = new Map<string, RejectedFileLines>();
    for (const row of rows) {
      const file = String(row.file);
      let entry = byFile.get(file);
      if (!entry) {
        entry = { file, lines: [] };
        byFile.set(file, entry);
      }
      entry.lines.push({
        reason: reasonForCsvErrors((row.types as unknown[]).map(String)),
        text: String(row.text ?? ""),
      });
    }
    return [...byFile.values()];
  }
}
