import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { InvalidInputError, IP_RANGES_KEY, ipRangeRows, parseIpRanges } from "@flowcost/core";
import { globUnder, ident, quote } from "./sql-text.ts";
import { CURATED_TABLES, type CuratedTable } from "./tables.ts";

/**
 * The curated views (`curated_flows`, `ip_identity`, ...), named as the Athena catalog names
 * its tables, over the lake's Parquet partitions.
 */
export class CuratedViews {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly lakeDir: string,
  ) {}

  /**
   * Points each curated view at its Parquet files, or at an empty typed relation when there are
   * none. Run at open and after every write the engine makes (curated data changes only through
   * it), never per query: listing a year of hourly partitions on every query would be wasted I/O.
   */
  async refresh(): Promise<void> {
    for (const [table, spec] of Object.entries(CURATED_TABLES) as Array<
      [CuratedTable, (typeof CURATED_TABLES)[CuratedTable]]
    >) {
      const dir = join(this.lakeDir, spec.prefix);
      const hasFiles = await readdir(dir, { recursive: true })
        .then((entries) => entries.some((e) => e.endsWith(".parquet")))
        .catch(() => false);
      const depth = spec.partitions.map(() => "*").join("/");
      const hiveTypes = spec.partitions.map((p) => `${quote(p)}: VARCHAR`).join(", ");
      const empty = `SELECT ${Object.entries(spec.columns)
        .map(([c, t]) => `CAST(NULL AS ${t}) AS ${ident(c)}`)
        .join(", ")} WHERE false`;
      const files = `read_parquet(${globUnder(dir, `${depth}/*.parquet`)}, hive_partitioning = true, hive_types = {${hiveTypes}}`;
      // A table that gained columns (results_daily: account_id, region) reads its files by name,
      // so partitions written before the columns existed read them as NULL.
      const body = !hasFiles
        ? empty
        : "readByName" in spec && spec.readByName
          ? `${empty} UNION ALL BY NAME SELECT * FROM ${files}, union_by_name = true)`
          : `SELECT * FROM ${files})`;
      await this.connection.run(`CREATE OR REPLACE VIEW ${ident(table)} AS ${body}`);
    }
    await this.loadIpRanges();
  }

  /**
   * `aws_ip_ranges`: the IPv4 prefixes of AWS's ip-ranges.json at `inventory/aws/ip-ranges.json`
   * (empty without one: AWS services are then named only by pkt-*-aws-service). A document that
   * is not AWS's shape fails naming the file.
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
        throw new InvalidInputError(`${path}: not AWS's ip-ranges.json (${(error as Error).message})`, {
          cause: error,
        });
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
