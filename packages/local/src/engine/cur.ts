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
  // A payer's export holds every linked account's lines: cur_network_lines takes one account and
  // Region at a time by its parameters.
  return `CREATE OR REPLACE VIEW cur AS ${branches.join("\nUNION ALL\n")}`;
}

/** Defines the local `cur` view through the engine's internal `run` (never with user-supplied text). */
export async function defineCurView(
  engine: { run(sql: string): Promise<unknown> },
  files: ReadonlyArray<CurFile>,
): Promise<void> {
  await engine.run(curViewSql(files));
}

/** The view's cast of one column, as a TRY_CAST: NULL where the view's CAST would fail. */
const tryCast = (column: string, type: string, fromText: boolean) =>
  fromText && type === "TIMESTAMP"
    ? `TRY_CAST("${column}" AS TIMESTAMPTZ)`
    : `TRY_CAST("${column}" AS ${type})`;

/**
 * Checks each CUR file the way the `cur` view will read it and sorts out those it cannot use:
 * unreadable (corrupt, a cut-off gzip), missing a column the view reads, or holding a value the
 * view's casts reject (a cost of "n/a"). Such a file is left out by name, so a bad file costs
 * that file's lines (the warning names its billing period, whose billed dollars omit them)
 * instead of stopping the run with a binder or conversion error.
 */
export async function usableCurFiles(
  engine: { run(sql: string): Promise<Array<Record<string, unknown>>> },
  files: ReadonlyArray<CurFile>,
): Promise<{ usable: CurFile[]; skipped: SkippedInput[] }> {
  const usable: CurFile[] = [];
  const skipped: SkippedInput[] = [];
  for (const f of files) {
    const source =
      f.format === "parquet"
        ? `read_parquet(${pathLiteral(f.path)})`
        : `read_csv(${pathLiteral(f.path)}, header = true, all_varchar = true)`;
    const skip = (why: string) =>
      skipped.push({
        path: f.path,
        code: "skipped-cur-file",
        reason: `${why}; BILLING_PERIOD=${f.billingPeriod}'s billed dollars omit this file's lines`,
      });
    try {
      const names = new Set(
        (await engine.run(`DESCRIBE SELECT * FROM ${source}`)).map((c) => String(c.column_name)),
      );
      const missing = Object.keys(CUR_COLUMNS).filter((c) => !names.has(c));
      if (missing.length > 0) {
        skip(`missing CUR 2.0 column(s) ${missing.join(", ")}`);
        continue;
      }
      // One scan of the whole file (which also proves a gzip stream complete) counts, per column,
      // the values the view's cast would reject.
      const [bad] = await engine.run(
        `SELECT ${Object.entries(CUR_COLUMNS)
          .map(
            ([c, t]) =>
              `count(*) FILTER (WHERE "${c}" IS NOT NULL AND ${tryCast(c, t, f.format === "csv")} IS NULL) AS "${c}"`,
          )
          .join(", ")} FROM ${source}`,
      );
      const uncastable = Object.entries(bad ?? {}).filter(([, n]) => Number(n) > 0);
      if (uncastable.length > 0) {
        skip(
          `values that are not of their column's type: ${uncastable.map(([c, n]) => `${c} (${n} line(s))`).join(", ")}`,
        );
        continue;
      }
    } catch (error) {
      skip(`unreadable (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
      continue;
    }
    usable.push(f);
  }
  return { usable, skipped };
}
