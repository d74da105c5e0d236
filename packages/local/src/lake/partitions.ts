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

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Moves each owned partition folder written under `staged` to the same place under
 * `datasetDir`, after `clear` has made way for it (the old folder moved aside or removed); a
 * partition the result left empty is only cleared. `staged` is removed afterwards.
 */
export async function movePartitions(
  staged: string,
  datasetDir: string,
  partitions: ReadonlyArray<Readonly<Record<string, string>>>,
  clear: (target: string, rel: string) => Promise<void>,
): Promise<string[]> {
  const written: string[] = [];
  try {
    for (const partition of partitions) {
      const rel = partitionPath(partition);
      const fresh = join(staged, rel);
      const target = join(datasetDir, rel);
      await clear(target, rel);
      if (await exists(fresh)) {
        await mkdir(dirname(target), { recursive: true });
        await rename(fresh, target);
        written.push(rel);
      }
    }
    await assertStagedInside(staged, written, partitions);
    return written;
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
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
  try {
    return await movePartitions(staged, datasetDir, partitions, async (target, rel) => {
      if (!(await exists(target))) return;
      const old = join(trash, rel);
      await mkdir(dirname(old), { recursive: true });
      await rename(target, old);
    });
  } finally {
    await rm(trash, { recursive: true, force: true });
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
