import type { SkippedInventoryFile } from "@flowcost/core";

/**
 * An input file a run could not use, by name and with why. One bad snapshot, describe output or
 * CUR file is skipped and reported this way rather than stopping the run after it wrote half
 * its partitions; the CLI names each in its warnings and exits 4 (docs/analyze.md).
 */
export interface SkippedInput extends Omit<SkippedInventoryFile, "code"> {
  /** The inventory codes the recommendations share with the Lambda, and the local CUR reader's. */
  readonly code: SkippedInventoryFile["code"] | "skipped-cur-file";
}

/** Keeps the first report of each path (a snapshot near midnight is read for two days). */
export function uniqueByPath<T extends { readonly path: string }>(items: Iterable<T>): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(item.path)) seen.set(item.path, item);
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}
