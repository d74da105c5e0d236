import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

/** `{dt: '2026-11-22', hour: '07'}` -> `dt=2026-11-22/hour=07` (Hive folder names, in key order). */
export function partitionPath(partition: Readonly<Record<string, string>>): string {
  return Object.entries(partition)
    .map(([k, v]) => `${k}=${v}`)
    .join("/");
}

export function stagingDir(lakeDir: string): string {
  return join(lakeDir, ".staging", randomUUID());
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Replaces each owned partition of `datasetDir` with its counterpart written under `staged`,
 * by directory renames on one filesystem: a reader sees the old partition or the new one,
 * never a mix. A partition the new run left empty is removed, so re-runs leave nothing stale.
 */
export async function swapPartitions(
  lakeDir: string,
  staged: string,
  datasetDir: string,
  partitions: ReadonlyArray<Readonly<Record<string, string>>>,
): Promise<string[]> {
  const trash = join(lakeDir, ".trash", randomUUID());
  const written: string[] = [];
  try {
    for (const partition of partitions) {
      const rel = partitionPath(partition);
      const fresh = join(staged, rel);
      const target = join(datasetDir, rel);
      const old = join(trash, rel);
      if (await exists(target)) {
        await mkdir(dirname(old), { recursive: true });
        await rename(target, old);
      }
      if (await exists(fresh)) {
        await mkdir(dirname(target), { recursive: true });
        await rename(fresh, target);
        written.push(rel);
      }
    }
    await assertStagedInside(staged, written, partitions);
    return written;
  } finally {
    await rm(trash, { recursive: true, force: true });
    await rm(staged, { recursive: true, force: true });
  }
}

/**
 * Refuses a staged result that holds Parquet files outside the partitions taken from it: the
 * query wrote rows the run does not own, which would otherwise vanish unnoticed.
 */
export async function assertStagedInside(
  staged: string,
  written: ReadonlyArray<string>,
  partitions: ReadonlyArray<Readonly<Record<string, string>>>,
): Promise<void> {
  const leftovers = await readdir(staged, { recursive: true }).catch(() => [] as string[]);
  if (leftovers.some((f) => f.endsWith(".parquet") && !written.some((w) => f.startsWith(w)))) {
    throw new Error(
      `the query wrote rows outside the partitions this run owns (${partitions.map(partitionPath).join(", ")})`,
    );
  }
}
