import type { CurFile } from "../lake/cur-files.ts";
import type { SkippedInput } from "../lake/skipped-inputs.ts";
import { pathLiteral, quote } from "./sql-text.ts";

/**
 * The CUR 2.0 columns flowcost reads, with the types of the Athena table (aws-facts.md §2.2, §4.1).
 * CSV exports carry the same snake_case names as text; Parquet exports carry them typed.
 */
export const CUR_COLUMNS = {
  bill_billing_period_start_date: "TIMESTAMP",
  line_item_usage_start_date: "TIMESTAMP",
  line_item_usage_end_date: "TIMESTAMP",
  line_item_line_item_type: "VARCHAR",
  line_item_product_code: "VARCHAR",
  line_item_usage_type: "VARCHAR",
  line_item_operation: "VARCHAR",
  line_item_resource_id: "VARCHAR",
  line_item_usage_amount: "DOUBLE",
  line_item_unblended_cost: "DOUBLE",
  line_item_availability_zone: "VARCHAR",
  line_item_usage_account_id: "VARCHAR",
  product_product_family: "VARCHAR",
  product_region_code: "VARCHAR",
  product_from_location: "VARCHAR",
  product_to_location: "VARCHAR",
} as const;

/** A timestamp column from text: CUR CSV writes ISO 8601 with a `Z`. */
const castFromText = (column: string, type: string) =>
  type === "TIMESTAMP"
    ? `CAST(CAST("${column}" AS TIMESTAMPTZ) AS TIMESTAMP)`
    : `CAST("${column}" AS ${type})`;

/**
 * `CREATE OR REPLACE VIEW cur ...` over the export's objects: the CUR 2.0 columns plus the
 * `billing_period` partition column taken from the key, as the Athena table has it. File paths
 * come from a directory listing, never from user text typed into SQL.
 */
export function curViewSql(files: ReadonlyArray<CurFile>): string {
  const columns = Object.entries(CUR_COLUMNS);
  const branches: string[] = [];
  const byPeriod = new Map<string, CurFile[]>();
  for (const f of files)
    byPeriod.set(`${f.format}|${f.billingPeriod}`, [
      ...(byPeriod.get(`${f.format}|${f.billingPeriod}`) ?? []),
      f,
    ]);
  for (const [key, group] of byPeriod) {
    const [format, period] = key.split("|") as [string, string];
    const list = `[${group.map((f) => pathLiteral(f.path)).join(", ")}]`;
    const select = (fromText: boolean) =>
      columns
        .map(([c, t]) => `${fromText ? castFromText(c, t) : `CAST("${c}" AS ${t})`} AS "${c}"`)
        .join(", ");
    branches.push(
      format === "parquet"
        ? `SELECT ${select(false)}, ${quote(period)} AS billing_period FROM read_parquet(${list}, union_by_name = true)`
        : `SELECT ${select(true)}, ${quote(period)} AS billing_period FROM read_csv(${list}, header = true, all_varchar = true, union_by_name = true)`,
    );
  }
  if (branches.length === 0) {
    branches.push(
      `SELECT ${columns.map(([c, t]) => `CAST(NULL AS ${t}) AS "${c}"`).join(", ")}, CAST(NULL AS VARCHAR) AS billing_period WHERE false`,
    );
  }
  return `CREATE OR REPLACE VIEW cur AS ${branches.join("\nUNION ALL\n")}`;
}

/** Defines the local `cur` view through the engine's internal `run` (never with user-supplied text). */
export async function defineCurView(
  engine: { run(sql: string): Promise<unknown> },
  files: ReadonlyArray<CurFile>,
): Promise<void> {
  await engine.run(curViewSql(files));
}

/**
 * Reads each CUR file's column names (and, for CSV, every line, so a cut-off gzip shows) and
 * sorts out those the `cur` view cannot use: unreadable, or missing a column it reads. Such a
 * file is left out by name, so a bad file costs that file's lines (the day's billed dollars say
 * which file is missing) instead of stopping the run with a binder error.
 */
export async function usableCurFiles(
  engine: { run(sql: string): Promise<Array<Record<string, unknown>>> },
  files: ReadonlyArray<CurFile>,
): Promise<{ usable: CurFile[]; skipped: SkippedInput[] }> {
  const usable: CurFile[] = [];
  const skipped: SkippedInput[] = [];
  const omitted = (f: CurFile) => `BILLING_PERIOD=${f.billingPeriod}'s billed dollars omit this file's lines`;
  for (const f of files) {
    const source =
      f.format === "parquet"
        ? `read_parquet(${pathLiteral(f.path)})`
        : `read_csv(${pathLiteral(f.path)}, header = true, all_varchar = true)`;
    let names: Set<string>;
    try {
      names = new Set(
        (await engine.run(`DESCRIBE SELECT * FROM ${source}`)).map((c) => String(c.column_name)),
      );
      if (f.format === "csv") await engine.run(`SELECT count(*) AS n FROM ${source}`);
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      skipped.push({
        path: f.path,
        code: "skipped-cur-file",
        reason: `unreadable (${message}); ${omitted(f)}`,
      });
      continue;
    }
    const missing = Object.keys(CUR_COLUMNS).filter((c) => !names.has(c));
    if (missing.length > 0) {
      skipped.push({
        path: f.path,
        code: "skipped-cur-file",
        reason: `missing CUR 2.0 column(s) ${missing.join(", ")}; ${omitted(f)}`,
      });
      continue;
    }
    usable.push(f);
  }
  return { usable, skipped };
}
