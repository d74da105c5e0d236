import { mkdir, open, readdir, readFile, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError } from "@flowcost/core";
import { hasDecidedRun, recoverRuns } from "./run-transaction.ts";

/**
 * One run at a time per lake folder, and what a killed run left behind dealt with before the
 * next one starts: a run killed while publishing (a `committing` journal in its
 * `.staging/run-<uuid>` folder) is finished from the journal (see RunTransaction); then every
 * other leftover is removed: a run killed before publishing leaves its `.staging/run-<uuid>`
 * folder (everything it wrote, never published), `.staging/<uuid>` folders (DuckDB's spill
 * files, re-spaced lines, a direct swap's staging), `.trash/<uuid>` folders (partitions being
 * replaced by a direct swap) and dot-named temp files beside documents written directly. None
 * of them is ever read as data; the lock keeps a cleanup from deleting a live run's work.
 */

/** Folders of a lake that only ever hold a run's work in progress. */
const WORK_FOLDERS = [".staging", ".trash"] as const;
/** Where runs write small documents through a temp file renamed into place. */
const TEMP_FILE_FOLDERS = ["results"] as const;
/** `.ledger.json.<pid>` (the ledger writer) and `.<name>.<pid>-<hex>.tmp` (the results store). */
const TEMP_FILE = /^\.(ledger\.json\.\d+|.+\.\d+-[0-9a-f]+\.tmp)$/;

export interface LakeClaim {
  /** Runs killed while publishing, whose publishing this claim finished (their folders). */
  readonly finished: ReadonlyArray<string>;
  /** What the cleanup removed, relative to the lake: a killed run's leftovers. */
  readonly removed: ReadonlyArray<string>;
  release(): Promise<void>;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Claims the lake for one run (`.staging/.lock` holding this process's id), then removes every
 * leftover of earlier runs. A lock held by a live process is refused, naming it; a lock whose
 * process is gone (a killed run) is taken over.
 */
export async function claimLake(lakeDir: string): Promise<LakeClaim> {
  const staging = join(lakeDir, ".staging");
  const lock = join(staging, ".lock");
  await mkdir(staging, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const holder = Number.parseInt(await readFile(lock, "utf8").catch(() => ""), 10);
      if (Number.isInteger(holder) && alive(holder))
        throw new InvalidInputError(
          `${lakeDir}: another flowcost run (process ${holder}) is writing this folder; wait for it to finish (or remove ${lock} if that process is not flowcost)`,
        );
      await rm(lock, { force: true });
    }
  }
  let finished: string[];
  try {
    finished = await recoverRuns(lakeDir);
  } catch (error) {
    // The lake stays as the killed run left it (its journal kept): say so, free the lock.
    await rm(lock, { force: true });
    throw new Error(
      `${lakeDir}: could not finish publishing a run killed while publishing (${(error as Error).message}); the journal under .staging/ is kept for the next run`,
      { cause: error },
    );
  }
  const removed: string[] = [];
  for (const folder of WORK_FOLDERS) {
    for (const name of await readdir(join(lakeDir, folder)).catch(() => [] as string[])) {
      if (folder === ".staging" && name === ".lock") continue;
      await rm(join(lakeDir, folder, name), { recursive: true, force: true });
      removed.push(`${folder}/${name}`);
    }
  }
  for (const folder of TEMP_FILE_FOLDERS) {
    const entries = await readdir(join(lakeDir, folder), { recursive: true, withFileTypes: true }).catch(
      () => [],
    );
    for (const entry of entries) {
      if (!entry.isFile() || !TEMP_FILE.test(entry.name)) continue;
      const path = join(entry.parentPath, entry.name);
      await rm(path, { force: true });
      removed.push(path.slice(lakeDir.length + 1));
    }
  }
  return {
    finished,
    removed: removed.sort(),
    // The run's own work folders go with the lock: a finished run leaves nothing behind.
    release: async () => {
      await rm(join(staging, "duckdb-tmp"), { recursive: true, force: true });
      await rm(lock, { force: true });
      for (const folder of WORK_FOLDERS) await rmdir(join(lakeDir, folder)).catch(() => undefined);
    },
  };
}

/**
 * For the commands that read the lake (`serve`, `report`, `regressions`): a run killed while
 * publishing is finished before they read, so they never start on a mix of two runs. Only when
 * there is one (a read-only folder is never written otherwise), and only when no run holds the
 * lake (a live run finishes it itself). Returns the runs finished.
 */
export async function finishInterruptedPublish(lakeDir: string): Promise<ReadonlyArray<string>> {
  if (!(await hasDecidedRun(lakeDir))) return [];
  let claim: LakeClaim;
  try {
    claim = await claimLake(lakeDir);
  } catch (error) {
    if (error instanceof InvalidInputError) return [];
    throw error;
  }
  await claim.release();
  return claim.finished;
}
