import { readdir, readFile } from "node:fs/promises";
import { join, sep } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { IP_RANGES_KEY, ipRangeRows, parseIpRanges } from "@flowcost/core";
import type { RunTransaction } from "../lake/run-transaction.ts";
import type { SkippedInput } from "../lake/skipped-inputs.ts";
import { ident, pathLiteral, quote } from "./sql-text.ts";
import { CURATED_TABLES, type CuratedTable } from "./tables.ts";

/**
 * The curated views (`curated_flows`, `ip_identity`, ...), named as the Athena catalog names
 * its tables, over the lake's Parquet partitions.
 */
export class CuratedViews {
  /** `inventory/aws/ip-ranges.json` when it is there but not AWS's document: read as absent, named. */
  ipRangesSkipped: SkippedInput | undefined;
  /** aws_ip_ranges, loaded at the first refresh: the run reads ip-ranges.json, never writes it. */
  private ipRanges: Promise<void> | undefined;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly lakeDir: string,
    /** The run whose staged partitions the views read in place of the published ones. */
    private readonly run?: RunTransaction,
  ) {}

  /**
   * Points each curated view at its Parquet files, or at an empty typed relation when there are
   * none. Run at open and after every write the engine makes (curated data changes only through
   * it), never per query: listing a year of hourly partitions on every query would be wasted I/O.
   * The files are listed and handed to DuckDB as literal paths (never a glob it expands). During
   * a run (`run`), a partition the run owns is read from its staging, the rest from the lake.
   * `aws_ip_ranges` is loaded once, at the first refresh (no write changes ip-ranges.json).
   */
  async refresh(): Promise<void> {
    for (const [table, spec] of Object.entries(CURATED_TABLES) as Array<
      [CuratedTable, (typeof CURATED_TABLES)[CuratedTable]]
    >) {
      const files = await this.datasetFiles(spec.prefix, spec.partitions);
      const hiveTypes = spec.partitions.map((p) => `${quote(p)}: VARCHAR`).join(", ");
      const empty = `SELECT ${Object.entries(spec.columns)
        .map(([c, t]) => `CAST(NULL AS ${t}) AS ${ident(c)}`)
        .join(", ")} WHERE false`;
      const read = `read_parquet([${files.map(pathLiteral).join(", ")}], hive_partitioning = true, hive_types = {${hiveTypes}}`;
      // A table that gained columns (results_daily: account_id, region) reads its files by name,
      // so partitions written before the columns existed read them as NULL.
      const body =
        files.length === 0
          ? empty
          : "readByName" in spec && spec.readByName
            ? `${empty} UNION ALL BY NAME SELECT * FROM ${read}, union_by_name = true)`
            : `SELECT * FROM ${read})`;
      await this.connection.run(`CREATE OR REPLACE VIEW ${ident(table)} AS ${body}`);
    }
    this.ipRanges ??= this.loadIpRanges();
    await this.ipRanges;
  }

  /**
   * A dataset's Parquet files, each `<prefix>/k1=v1/.../<file>.parquet` with the dataset's
   * partition keys in order: the published ones, except in partitions the run owns, and the
   * run's staged ones.
   */
  private async datasetFiles(prefix: string, keys: ReadonlyArray<string>): Promise<string[]> {
    const list = async (root: string) =>
      (await readdir(root, { recursive: true }).catch(() => [] as string[]))
        .map((rel) => rel.split(sep))
        .filter(
          (parts) =>
            parts.length === keys.length + 1 &&
            parts.at(-1)?.endsWith(".parquet") === true &&
            keys.every((k, i) => parts[i]?.startsWith(`${k}=`)),
        )
        .sort((a, b) => (a.join("/") < b.join("/") ? -1 : 1));
    const partitionOf = (parts: ReadonlyArray<string>) =>
      `${prefix}/${parts.slice(0, keys.length).join("/")}`;
    const publishedRoot = join(this.lakeDir, ...prefix.split("/"));
    const published = (await list(publishedRoot))
      .filter((parts) => !this.run?.owns(partitionOf(parts)))
      .map((parts) => join(publishedRoot, ...parts));
    if (!this.run) return published;
    const stagedRoot = this.run.stagedPath(prefix);
    return [...published, ...(await list(stagedRoot)).map((parts) => join(stagedRoot, ...parts))];
  }

  /**
   * `aws_ip_ranges`: the IPv4 prefixes of AWS's ip-ranges.json at `inventory/aws/ip-ranges.json`
   * (empty without one: AWS services are then named only by pkt-*-aws-service). A document that
   * is not AWS's shape is read as absent and named in `ipRangesSkipped` (the run goes on).
   */
  private async loadIpRanges(): Promise<void> {
    const path = join(this.lakeDir, IP_RANGES_KEY);
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    let rows: ReturnType<typeof ipRangeRows> = [];
    if (text !== undefined) {
      try {
        rows = ipRangeRows(parseIpRanges(text));
      } catch (error) {
        this.ipRangesSkipped = {
          path,
          code: "skipped-ip-ranges",
          reason: `not AWS's ip-ranges.json (${(error as Error).message}); read as absent: AWS services are named only by pkt-*-aws-service`,
        };
      }
    }
    await this.connection.run(
      "CREATE OR REPLACE TABLE aws_ip_ranges (ip_prefix VARCHAR, region VARCHAR, service VARCHAR, network_border_group VARCHAR)",
    );
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      await this.connection.run(
        `INSERT INTO aws_ip_ranges VALUES ${batch
          .map((r) => `(${[r.ip_prefix, r.region, r.service, r.network_border_group].map(quote).join(", ")})`)
          .join(", ")}`,
      );
    }
  }

  /** Records held by the given curated_flows partitions (the ledger's `compacted`). */
  async compactedRecords(partitions: ReadonlyArray<{ dt: string; hour: string }>): Promise<number> {
    if (partitions.length === 0) return 0;
    await this.refresh();
    const prepared = await this.connection.prepare(
      `SELECT coalesce(sum(records), 0) AS n FROM curated_flows WHERE ${partitions
        .map(() => "(dt = ? AND hour = ?)")
        .join(" OR ")}`,
    );
    prepared.bind(partitions.flatMap((p) => [p.dt, p.hour]));
    const result = await prepared.runAndReadAll();
    return Number(result.getRows()[0]?.[0] ?? 0);
  }
}
