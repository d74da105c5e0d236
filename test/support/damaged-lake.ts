import { cp, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { main } from "@flowcost/local/cli/main";

/** Folders a run writes into a lake: a copy of a pristine lake leaves them out. */
const DERIVED = /^(curated|results|reports|state|\.staging|\.trash)(\/|$)/;

/** Copies a lake's inputs (not what a run derived from them) into `to`. */
export async function copyInputs(from: string, to: string): Promise<void> {
  await cp(from, to, {
    recursive: true,
    filter: (source) => !DERIVED.test(relative(from, source).replaceAll("\\", "/")),
  });
}

/** Every flow-log object of a generated lake, in path order. */
export async function flowLogObjects(lake: string): Promise<string[]> {
  const entries = await readdir(join(lake, "vpc-flow-logs"), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".log.gz"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export interface AnalyzeRun {
  readonly code: number;
  readonly output: AnalyzeJson;
  readonly stderr: string;
}

export interface AnalyzeJson {
  totals: {
    bytes: number;
    billedCostUsd: number | null;
    byCategory: Array<{ category: string; bytes: number }>;
  };
  rows: Array<{ category: string; bytes: number; billedCostUsd: number | null }>;
  ledger: { read: number; used: number; rejected: number; rejectedByReason: Record<string, number> };
  reconciliation: Array<{ billedCents: number; allocatedCents: number; unattributedCents: number }> | null;
  warnings: Array<{ code: string; message: string; file?: string }>;
  identity: Array<{ cluster: string; missedSnapshots: number }>;
}

/** `flowcost analyze <lake> --format json`, in-process, with its exit status. */
export async function analyzeJson(lake: string, extra: string[] = []): Promise<AnalyzeRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(
    ["analyze", lake, "--format", "json", ...extra],
    { write: (t: string) => (stdout += t) },
    { write: (t: string) => (stderr += t), isTTY: false, columns: 100 },
  );
  return { code, output: stdout ? (JSON.parse(stdout) as AnalyzeJson) : ({} as AnalyzeJson), stderr };
}

/** What a user compares between two runs: bytes per category, billed cents per day, used records. */
export function figures(output: AnalyzeJson) {
  return {
    bytes: output.totals.bytes,
    byCategory: Object.fromEntries(output.totals.byCategory.map((c) => [c.category, c.bytes])),
    billedCents: output.reconciliation?.map((r) => r.billedCents) ?? null,
    allocatedCents: output.reconciliation?.map((r) => r.allocatedCents) ?? null,
    used: output.ledger.used,
  };
}
