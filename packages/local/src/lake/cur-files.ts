import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";

/** One object of a CUR 2.0 Data Export: `<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/<file>`. */
export interface CurFile {
  readonly path: string;
  readonly exportName: string;
  /** `YYYY-MM`, the partition the Athena table calls `billing_period`. */
  readonly billingPeriod: string;
  readonly format: "parquet" | "csv";
}

const CUR_KEY = /(?:^|\/)([^/]+)\/data\/BILLING_PERIOD=(\d{4}-\d{2})\/[^/]+\.(parquet|csv|csv\.gz)$/;

/** Parses a key in the Data Exports layout; anything else (manifests under `metadata/`) is not data. */
export function parseCurKey(key: string): Omit<CurFile, "path"> | undefined {
  const m = CUR_KEY.exec(key.replaceAll("\\", "/"));
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { exportName: m[1], billingPeriod: m[2], format: m[3] === "parquet" ? "parquet" : "csv" };
}

/** Every CUR 2.0 data object below `root`, in path order. */
export async function findCurFiles(root: string): Promise<CurFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const found: CurFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const key = parseCurKey(relative(root, path));
    if (key) found.push({ ...key, path });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}
