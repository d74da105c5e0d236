import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { errorMessage, flowField, RAW_FLOW_COLUMNS, rawFlowLogDay } from "@flowcost/core";
import {
  type FailedFlowLogObject,
  groupByHeader,
  type LocalFlowLogFile,
  type TextFormatGroup,
} from "../lake/flow-log-files.ts";
import { readRows } from "./duckdb-start.ts";
import { ident, pathLiteral, quote, SQL_TYPE } from "./sql-text.ts";

/** What defining the raw flow-log view found before any scan (the ledger's inputs). */
export interface RawFlowLogLoad {
  /** Objects that cannot be read at all (header, unknown field, corrupt Parquet), by name. */
  readonly failed: ReadonlyArray<FailedFlowLogObject>;
  /** Rows per Parquet object, from its footer. */
  readonly parquetRows: ReadonlyMap<string, number>;
  /** Text objects without a header line (read with the default v2 layout). */
  readonly headerless: ReadonlySet<string>;
}

export interface ParquetGroup {
  readonly columns: ReadonlyArray<{ column: string; type: "int" | "bigint" | "string" }>;
  readonly files: LocalFlowLogFile[];
  readonly rows: Map<string, number>;
}

/** The objects behind the `raw_flow_logs` view, and what a run took out of it or added to it. */
export interface RawSources {
  readonly text: ReadonlyArray<TextFormatGroup>;
  readonly parquet: ReadonlyArray<ParquetGroup>;
  readonly excluded: Set<string>;
  /** Original object path -> a headerless staging file with its re-spaced lines. */
  readonly respaced: Map<string, string>;
}

/**
 * A text object's compression, from its name, given to read_csv explicitly: DuckDB guesses it
 * from the path it is given, and a `?` in a file name (taken as a URL's query string) hides the
 * `.gz` from its guess.
 */
const compressionOf = (path: string) => (path.endsWith(".gz") ? "gzip" : "none");

/** Objects of one layout that share the values the key supplies (day, account, region) and a compression. */
function batchByKey(files: ReadonlyArray<LocalFlowLogFile>): LocalFlowLogFile[][] {
  const batches = new Map<string, LocalFlowLogFile[]>();
  for (const f of files) {
    const id = `${f.day}|${f.accountId}|${f.region}|${compressionOf(f.path)}`;
    const batch = batches.get(id);
    if (batch) batch.push(f);
    else batches.set(id, [f]);
  }
  return [...batches.values()];
}

/** The SELECT list that maps one source's columns onto every raw flow-log column. */
function rawSelect(
  columns: ReadonlyArray<{ column: string }>,
  key: LocalFlowLogFile,
  sourceFile: string | undefined,
): string {
  const present = new Set(columns.map((c) => c.column));
  const fromKey: Record<string, string> = { account_id: key.accountId, region: key.region };
  return [
    ...RAW_FLOW_COLUMNS.map((f) => {
      const fallback = fromKey[f.column];
      let value: string;
      if (present.has(f.column)) {
        const cast = `CAST(${ident(f.column)} AS ${SQL_TYPE[f.type]})`;
        value = fallback === undefined ? cast : `coalesce(${cast}, ${quote(fallback)})`;
      } else {
        value = fallback === undefined ? `CAST(NULL AS ${SQL_TYPE[f.type]})` : quote(fallback);
      }
      return `${value} AS ${ident(f.column)}`;
    }),
    `${quote(rawFlowLogDay(key.day))} AS day`,
    `${sourceFile === undefined ? "filename" : quote(sourceFile)} AS source_file`,
  ].join(", ");
}

/**
 * A `read_csv` of the group's layout. The scan keeps only lines whose every field parses: the
 * filter names every column, so DuckDB casts (and rejects on) all of them, not just those a
 * query projects, and every scan of the view rejects the same lines. The paths share one
 * compression (batchByKey).
 *
 * The filter is true for every line (its last term is the negation of its first) and is written
 * so it costs next to nothing: an OR stops at the first true term, and the first is true for
 * every line with a version. It was `hash(every column) IS NOT NULL`, which hashed each line's
 * ~28 values: 0.7-0.8 s of the 7.3 s of DuckDB's work compacting 1.61M records.
 */
export function readCsv(
  group: TextFormatGroup,
  paths: ReadonlyArray<string>,
  header: boolean,
  /** read_csv's buffer_size (bytes); DuckDB's default (32 MB) when undefined. */
  bufferBytes?: number,
): string {
  return (
    `(SELECT * FROM read_csv([${paths.map(pathLiteral).join(", ")}], delim = ' ', header = ${header}, nullstr = '-', ` +
    `compression = '${compressionOf(paths[0] ?? "")}', ` +
    (bufferBytes === undefined ? "" : `buffer_size = ${bufferBytes}, `) +
    `quote = '', escape = '', auto_detect = false, columns = {${group.columns
      .map((c) => `${quote(c.column)}: '${SQL_TYPE[c.type]}'`)
      .join(", ")}}, filename = true, store_rejects = true) ` +
    `WHERE ${[...group.columns.map((c) => `${ident(c.column)} IS NOT NULL`), `${ident(group.columns[0]?.column ?? "version")} IS NULL`].join(" OR ")})`
  );
}

/**
 * The `raw_flow_logs` view over a run's flow-log objects, and what the run takes out of it
 * (unreadable or truncated objects) or adds to it (re-spaced lines). Each (re)definition also
 * redefines what reads the view (`onRedefined`: the default `raw_flow_status` view).
 */
export class RawFlowLogs {
  private current: RawSources = { text: [], parquet: [], excluded: new Set(), respaced: new Map() };
  /** Column count of each text object's layout (a re-spaced line must have exactly as many). */
  private readonly columns = new Map<string, number>();
  /** Re-spaced staging file -> the object its lines came from. */
  private readonly respacedOrigin = new Map<string, string>();

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly lakeDir: string,
    private readonly onRedefined: () => Promise<void>,
    /** read_csv's buffer size for the view's scans (csvBufferBytes), DuckDB's default when undefined. */
    private readonly csvBufferBytes?: number,
  ) {}

  /** The objects behind the view now. */
  get sources(): RawSources {
    return this.current;
  }

  /**
   * The formats behind the view now: each distinct field list (columns as the view names them),
   * its encoding and how many objects, excluded objects left out. A headerless text object is
   * the default v2 layout.
   */
  formats(): Array<{ columns: string[]; encoding: "text" | "parquet"; objects: number }> {
    const { text, parquet, excluded } = this.current;
    return [
      ...text.map((g) => ({ g, encoding: "text" as const })),
      ...parquet.map((g) => ({ g, encoding: "parquet" as const })),
    ]
      .map(({ g, encoding }) => ({
        columns: g.columns.map((c) => c.column),
        encoding,
        objects: g.files.filter((f) => !excluded.has(f.path)).length,
      }))
      .filter((f) => f.objects > 0);
  }

  /** Column count of a text object's layout (undefined for Parquet or unknown objects). */
  widthOf(file: string): number | undefined {
    return this.columns.get(file);
  }

  /** The object a re-spaced staging file's lines came from (undefined for any other file). */
  originOf(file: string): string | undefined {
    return this.respacedOrigin.get(file);
  }

  /**
   * Defines the `raw_flow_logs` view over the given flow-log objects: every flow-log column
   * (NULL where no layout has it), with account and region taken from the S3 key when the format
   * lacks them, plus the `day` partition column in the default layout's projection format (as
   * Athena's table has it) and `source_file`. Text objects are read with one `read_csv` per
   * (header layout, day, account, region), Parquet objects with `read_parquet`, columns matched
   * by name. Nothing is read here but each text object's first line: the view streams from the
   * files each time a query scans it, so a run scans them as few times as it queries the view
   * (compaction once, the ledger's status counts once), and no raw row is held in memory.
   *
   * Every `read_csv` stores its rejected lines (`RejectedLines.book` counts them per object).
   */
  async define(files: ReadonlyArray<LocalFlowLogFile>): Promise<RawFlowLogLoad> {
    const { groups, failed: headerFailures } = await groupByHeader(files);
    const parquet = await this.describeParquet(files.filter((f) => f.encoding === "parquet"));
    await this.clearRespaced();
    this.current = { text: groups, parquet: parquet.groups, excluded: new Set(), respaced: new Map() };
    this.columns.clear();
    for (const g of groups) for (const f of g.files) this.columns.set(f.path, g.columns.length);
    await this.defineView();
    const parquetRows = new Map<string, number>();
    for (const g of parquet.groups) for (const f of g.files) parquetRows.set(f.path, g.rows.get(f.path) ?? 0);
    const headerless = new Set(groups.filter((g) => !g.hasHeader).flatMap((g) => g.files.map((f) => f.path)));
    return { failed: [...headerFailures, ...parquet.failed], parquetRows, headerless };
  }

  /** Takes objects out of the raw view (objects found truncated or unreadable). */
  async exclude(paths: Iterable<string>): Promise<void> {
    for (const p of paths) this.current.excluded.add(p);
    await this.defineView();
  }

  /**
   * Adds each object's re-spaced lines to the raw view under the object's own name: a line
   * rejected only for stray spaces holds intact fields, so it is read again single-spaced.
   */
  async addRespacedLines(respaced: ReadonlyMap<string, ReadonlyArray<string>>): Promise<void> {
    for (const [file, lines] of respaced) {
      if (lines.length === 0) continue;
      const retry = join(this.lakeDir, ".staging", `respaced-${randomUUID()}.log`);
      await mkdir(dirname(retry), { recursive: true });
      await writeFile(retry, `${lines.join("\n")}\n`);
      const previous = this.current.respaced.get(file);
      if (previous) await rm(previous, { force: true });
      this.current.respaced.set(file, retry);
    }
    await this.defineView();
  }

  /**
   * Whether every format behind the raw view logs flow-direction, so nothing needs inferring
   * (compaction can then use compact_flows_directed, which also counts the ledger in its scan).
   */
  logDirection(): boolean {
    const { text, parquet } = this.current;
    return [...text, ...parquet].every((g) => g.columns.some((c) => c.column === "flow_direction"));
  }

  /** Removes the re-spaced staging files (the engine is closing). */
  closeSync(): void {
    for (const path of this.current.respaced.values()) rmSync(path, { force: true });
  }

  private async clearRespaced(): Promise<void> {
    for (const path of this.current.respaced.values()) await rm(path, { force: true });
    this.current.respaced.clear();
  }

  /** (Re)defines `raw_flow_logs` over the current sources. */
  private async defineView(): Promise<void> {
    const { text, parquet, excluded, respaced } = this.current;
    const parts: string[] = [];
    for (const group of text) {
      const files = group.files.filter((f) => !excluded.has(f.path));
      for (const batch of batchByKey(files)) {
        parts.push(
          `SELECT ${rawSelect(group.columns, batch[0] as LocalFlowLogFile, undefined)} FROM ${readCsv(
            group,
            batch.map((f) => f.path),
            group.hasHeader,
            this.csvBufferBytes,
          )}`,
        );
      }
      for (const file of files) {
        const retry = respaced.get(file.path);
        if (retry === undefined) continue;
        this.respacedOrigin.set(retry, file.path);
        parts.push(
          `SELECT ${rawSelect(group.columns, file, file.path)} FROM ${readCsv(group, [retry], false, this.csvBufferBytes)}`,
        );
      }
    }
    for (const group of parquet) {
      for (const batch of batchByKey(group.files.filter((f) => !excluded.has(f.path)))) {
        parts.push(
          `SELECT ${rawSelect(group.columns, batch[0] as LocalFlowLogFile, undefined)} FROM read_parquet([${batch
            .map((f) => pathLiteral(f.path))
            .join(", ")}], filename = true)`,
        );
      }
    }
    if (parts.length === 0) {
      parts.push(
        `SELECT ${RAW_FLOW_COLUMNS.map((f) => `CAST(NULL AS ${SQL_TYPE[f.type]}) AS ${ident(f.column)}`).join(", ")}, ` +
          "CAST(NULL AS VARCHAR) AS day, CAST(NULL AS VARCHAR) AS source_file WHERE false",
      );
    }
    await this.connection.run(`CREATE OR REPLACE VIEW raw_flow_logs AS ${parts.join("\nUNION ALL\n")}`);
    await this.onRedefined();
  }

  /** Reads each Parquet object's schema and row count; groups objects that share a column set. */
  private async describeParquet(files: ReadonlyArray<LocalFlowLogFile>) {
    const groups = new Map<string, ParquetGroup>();
    const failed: FailedFlowLogObject[] = [];
    for (const file of files) {
      let columns: Array<{ column: string; type: "int" | "bigint" | "string" }>;
      let rows: number;
      try {
        const described = await readRows(
          this.connection,
          `DESCRIBE SELECT * FROM read_parquet(${pathLiteral(file.path)})`,
        );
        columns = described.flatMap((d) => {
          const field = flowField(String(d.column_name));
          return field ? [{ column: field.column, type: field.type }] : [];
        });
        const [meta] = await readRows(
          this.connection,
          `SELECT sum(num_rows) AS n FROM parquet_file_metadata(${pathLiteral(file.path)})`,
        );
        rows = Number(meta?.n ?? 0);
      } catch (error) {
        failed.push({ file, reason: "unreadable_object", message: errorMessage(error) });
        continue;
      }
      const id = columns.map((c) => c.column).join(",");
      let group = groups.get(id);
      if (!group) {
        group = { columns, files: [], rows: new Map() };
        groups.set(id, group);
      }
      group.files.push(file);
      group.rows.set(file.path, rows);
    }
    return { groups: [...groups.values()], failed };
  }
}
