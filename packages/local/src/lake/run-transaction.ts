import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { DocumentBackend } from "@flowcost/core";
import { exists, movePartitions } from "./partitions.ts";
import { lakeDocumentBackend } from "./results-files.ts";

/**
 * A run's effect on the lake folder, published whole or not at all.
 *
 * Everything a run writes (curated partitions, results partitions, ledgers, day and
 * recommendation documents) is staged under `.staging/<run-id>/new/` in the lake's own layout,
 * and the paths it replaces or removes are recorded. While the run goes on, the engine's views
 * read the staged partitions for what the run owns and the published files for the rest, so a
 * later step (attribution) sees the flows an earlier step (compaction) wrote. Nothing under the
 * lake's published folders changes until `commit`:
 *
 * 1. the journal (every path to replace or remove) is written and fsync'd, then a `committing`
 *    marker, and the folder is fsync'd: from here the run is decided;
 * 2. each path is renamed into place (a folder's old partition first moved to
 *    `.staging/<run-id>/old/`; a document renamed over the old one);
 * 3. the marker and the run's folder are removed.
 *
 * A run that fails (an exception) aborts: its folder goes and the lake is exactly as before. A
 * run killed before step 1 completes leaves a folder without a marker, which the next run's
 * start discards; one killed during step 2 leaves the marker, and the next run's start finishes
 * the renames from the journal (`recoverRuns`), so the lake becomes the killed run's whole
 * result. Readers (`serve`, `report`, `regressions`) see a mix of two runs only during step 2.
 */

const NEW = "new";
const OLD = "old";
const WORK = "work";
const JOURNAL = "journal.json";
const COMMITTING = "committing";
/** A run's folder under `.staging/` (other names there: the lock, DuckDB's spill folder). */
const RUN_FOLDER = /^run-[0-9a-f-]{36}$/;

/** One path of the lake a run publishes: replaced by what it staged, or removed. */
interface JournalEntry {
  /** Relative to the lake, `/`-separated: a partition folder or a document. */
  readonly path: string;
  readonly action: "replace" | "remove";
}

interface Journal {
  readonly run: string;
  readonly entries: ReadonlyArray<JournalEntry>;
}

export interface CommitStats {
  /** Paths published (replaced or removed). */
  readonly entries: number;
  /** Renames made into and out of the lake's folders. */
  readonly renames: number;
  /** From writing the journal to removing the run's folder. */
  readonly elapsedMs: number;
  /** The renames alone (step 2): the only time a reader can see a mix of two runs. */
  readonly renamingMs: number;
}

export interface CommitHooks {
  /** Called after each rename of step 2 (`done` of at most `total`): a test stops the process here. */
  readonly onRename?: (done: number, total: number) => void;
}

/** Writes a file and flushes it to disk before returning. */
async function writeDurable(path: string, body: string): Promise<void> {
  const handle = await open(path, "w");
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a folder's entries (a new or renamed name in it) to disk. Where folders cannot be
 * opened or flushed (Windows), the files' own flushes are what there is.
 */
async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EISDIR" || error.code === "EPERM") return undefined;
    throw error;
  });
  if (!handle) return;
  try {
    await handle.sync().catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EINVAL" && error.code !== "EPERM") throw error;
    });
  } finally {
    await handle.close();
  }
}

/** A journal path: relative, literal segments, under the folders a run writes (never elsewhere). */
const JOURNAL_PATH = /^(curated|results)(\/[A-Za-z0-9_][A-Za-z0-9._=:-]*)+$/;

/** Reads a killed run's journal, refusing one that names a path a run never writes. */
async function readJournal(runDir: string): Promise<Journal> {
  const file = join(runDir, JOURNAL);
  const journal = JSON.parse(await readFile(file, "utf8")) as Journal;
  for (const entry of journal.entries ?? [])
    if (
      !JOURNAL_PATH.test(entry.path) ||
      entry.path.split("/").some((part) => part === "..") ||
      (entry.action !== "replace" && entry.action !== "remove")
    )
      throw new Error(`${file}: entry ${JSON.stringify(entry)} is not a path a run publishes`);
  return journal;
}

export class RunTransaction {
  /** Lake-relative paths this run replaces or removes, in the order it first wrote them. */
  private readonly owned = new Set<string>();
  private committing = false;

  private constructor(
    private readonly lakeDir: string,
    /** `.staging/run-<uuid>`: everything the run has not published yet. */
    readonly dir: string,
  ) {}

  static async begin(lakeDir: string): Promise<RunTransaction> {
    const run = new RunTransaction(lakeDir, join(lakeDir, ".staging", `run-${randomUUID()}`));
    await mkdir(join(run.dir, NEW), { recursive: true });
    return run;
  }

  /** The staged counterpart of a lake-relative path. */
  stagedPath(path: string): string {
    return join(this.dir, NEW, ...path.split("/"));
  }

  /** A fresh scratch folder inside the run's folder (a query's partitions before adoption). */
  scratchDir(): string {
    return join(this.dir, WORK, randomUUID());
  }

  /** Whether the run replaces or removes this lake-relative path (a partition folder or document). */
  owns(path: string): boolean {
    return this.owned.has(path);
  }

  /**
   * Takes each owned partition of a staged query result into the run (replacing what the run
   * staged for it before); a partition the result left empty is recorded for removal. Rows
   * outside the owned partitions are refused, as the swap refuses them.
   */
  async adoptPartitions(
    staged: string,
    datasetPrefix: string,
    partitions: ReadonlyArray<Readonly<Record<string, string>>>,
  ): Promise<string[]> {
    return movePartitions(staged, this.stagedPath(datasetPrefix), partitions, async (target, rel) => {
      await rm(target, { recursive: true, force: true });
      this.owned.add(`${datasetPrefix}/${rel}`);
    });
  }

  /**
   * The results documents as the run sees them: what it wrote, else what is published. Writes
   * are staged; a document is never removed by a run, so a listing is both sides' keys.
   */
  documents(): DocumentBackend {
    const published = lakeDocumentBackend(this.lakeDir);
    const staged = lakeDocumentBackend(join(this.dir, NEW));
    return {
      list: async (prefix) => [
        ...new Set([...(await published.list(prefix)), ...(await staged.list(prefix))]),
      ],
      get: (key) => (this.owned.has(key) ? staged.get(key) : published.get(key)),
      put: async (key, body, contentType) => {
        await staged.put(key, body, contentType);
        this.owned.add(key);
      },
      // A day's document is written a part at a time, never as one string (results-files.ts).
      putParts: async (key, parts, contentType) => {
        if (staged.putParts) await staged.putParts(key, parts, contentType);
        else await staged.put(key, [...parts].join(""), contentType);
        this.owned.add(key);
      },
    };
  }

  /** Publishes everything the run staged (see the file comment); returns what it took. */
  async commit(hooks: CommitHooks = {}): Promise<CommitStats> {
    const started = performance.now();
    await rm(join(this.dir, WORK), { recursive: true, force: true });
    const entries: JournalEntry[] = [];
    for (const path of this.owned)
      entries.push({ path, action: (await exists(this.stagedPath(path))) ? "replace" : "remove" });
    const journal: Journal = { run: this.dir, entries };
    await writeDurable(join(this.dir, JOURNAL), `${JSON.stringify(journal)}\n`);
    await writeDurable(join(this.dir, COMMITTING), "");
    await syncFolder(this.dir);
    this.committing = true;
    const renaming = performance.now();
    let renames: number;
    try {
      renames = await applyJournal(this.lakeDir, this.dir, entries, hooks);
    } catch (error) {
      throw new Error(
        `publishing the run's results stopped part-way (${(error as Error).message}); the next run finishes it from ${join(this.dir, JOURNAL)}`,
        { cause: error },
      );
    }
    const renamingMs = performance.now() - renaming;
    await finish(this.dir);
    return { entries: entries.length, renames, elapsedMs: performance.now() - started, renamingMs };
  }

  /**
   * Drops everything the run staged: the lake stays as it was. After the commit has begun the
   * journal is kept instead, for the next run to finish.
   */
  async abort(): Promise<void> {
    if (this.committing) return;
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Step 2 of a commit, also run again from a journal by the next run: each entry is moved into
 * place unless it already is, so running it twice, or after a kill part-way, ends the same.
 */
async function applyJournal(
  lakeDir: string,
  runDir: string,
  entries: ReadonlyArray<JournalEntry>,
  hooks: CommitHooks,
): Promise<number> {
  let renames = 0;
  const total = entries.reduce((n, e) => n + (e.action === "replace" ? 2 : 1), 0);
  const move = async (from: string, to: string) => {
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
    renames++;
    hooks.onRename?.(renames, total);
  };
  for (const entry of entries) {
    const parts = entry.path.split("/");
    const fresh = join(runDir, NEW, ...parts);
    const target = join(lakeDir, ...parts);
    const old = join(runDir, OLD, ...parts);
    if (entry.action === "remove") {
      if (await exists(target)) {
        await rm(old, { recursive: true, force: true });
        await move(target, old);
      }
      continue;
    }
    // Replaced already (a journal finished by a second pass).
    if (!(await exists(fresh))) continue;
    // A document is renamed over the old one (atomic for readers); a partition folder cannot
    // be, so the old folder is moved aside first.
    if ((await stat(fresh)).isDirectory() && (await exists(target))) {
      await rm(old, { recursive: true, force: true });
      await move(target, old);
    }
    await move(fresh, target);
  }
  return renames;
}

/** Step 3: the marker first (the run is published), then the staged leftovers and old files. */
async function finish(runDir: string): Promise<void> {
  await rm(join(runDir, COMMITTING), { force: true });
  await rm(runDir, { recursive: true, force: true });
}

/** Whether some run was killed after deciding to publish (its `committing` marker is on disk). */
export async function hasDecidedRun(lakeDir: string): Promise<boolean> {
  const staging = join(lakeDir, ".staging");
  for (const name of await readdir(staging).catch(() => [] as string[]))
    if (RUN_FOLDER.test(name) && (await exists(join(staging, name, COMMITTING)))) return true;
  return false;
}

/**
 * At the start of a run (holding the lake's lock): every earlier run killed during its commit is
 * finished from its journal, so the lake holds that run's whole result. Returns their folders
 * (relative to the lake); the caller removes every run folder afterwards, decided or not.
 */
export async function recoverRuns(lakeDir: string): Promise<string[]> {
  const staging = join(lakeDir, ".staging");
  const finished: string[] = [];
  for (const name of (await readdir(staging).catch(() => [] as string[])).sort()) {
    if (!RUN_FOLDER.test(name)) continue;
    const runDir = join(staging, name);
    if (!(await exists(join(runDir, COMMITTING)))) continue;
    const journal = await readJournal(runDir);
    await applyJournal(lakeDir, runDir, journal.entries, {});
    await finish(runDir);
    finished.push(`.staging/${name}`);
  }
  return finished;
}
