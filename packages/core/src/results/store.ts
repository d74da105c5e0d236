import { z } from "zod";
import { InvalidInputError } from "../errors.ts";
import { buildDaySummary, type DaySummaryInput, daySummaryParts } from "./build-summary.ts";
import {
  type DaySummary,
  dateString,
  dayDocumentParts,
  daySummaryKey,
  daySummarySchema,
} from "./day-summary.ts";

/**
 * Where the small result documents live: a lake folder locally, the lake bucket in AWS. Keys are
 * literal, relative and confined to the three document areas; an adapter never sees a key
 * {@link assertDocumentKey} has not accepted.
 */
export interface DocumentBackend {
  /** Every key under `prefix` (ending in `/`), in any order; none when the prefix is absent. */
  list(prefix: string): Promise<string[]>;
  /** The document's text, or undefined when the key is absent. */
  get(key: string): Promise<string | undefined>;
  /** Replaces the document whole: a reader sees the old text or the new, never a part. */
  put(key: string, body: string, contentType: string): Promise<void>;
  /**
   * Replaces the document whole from its text in parts, written as they come (a day document
   * runs to tens of MB): same guarantee as `put`, and nothing is left when the parts throw.
   * Optional: without it the parts are joined and `put`.
   */
  putParts?(key: string, parts: Iterable<string>, contentType: string): Promise<void>;
  /**
   * Every key under `prefix` with a version that changes whenever the document is rewritten
   * (size and modification time), in one listing: lets a reader revalidate a cache cheaply.
   */
  listVersions?(prefix: string): Promise<Array<{ key: string; version: string }>>;
}

/**
 * The results-store port (architecture.md, "Interfaces"): the day documents the attribute job
 * writes and the API, reports and alerts read, plus small documents under `results/`, `reports/`
 * and `state/` (recommendations, weekly reports, alert state).
 */
export interface ResultsStore {
  /** The days with a summary document, ascending. */
  listDays(): Promise<string[]>;
  /** One day's summary, validated; undefined when the day has none. */
  readDay(dt: string): Promise<DaySummary | undefined>;
  /**
   * The days with a summary and each document's version (it changes when the day is rewritten);
   * without version support in the backend every version is empty.
   */
  listDayVersions(): Promise<Array<{ dt: string; version: string }>>;
  writeDay(summary: DaySummary): Promise<void>;
  /**
   * Writes the document {@link buildDaySummary} makes of `input`, the same bytes `writeDay` of it
   * writes, but each row made, checked and written in turn: the day's rows are never held as
   * document objects (a local run of 100,000 rows kept 60 MB of them to write the day).
   */
  writeDayOf(input: DaySummaryInput): Promise<void>;
  /** Keys under a document prefix (e.g. `reports/weekly/`), ascending. */
  listDocuments(prefix: string): Promise<string[]>;
  readDocument(key: string): Promise<string | undefined>;
  writeDocument(key: string, body: string, contentType?: string): Promise<void>;
}

export const DOCUMENT_AREAS = ["results", "reports", "state"] as const;

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._=-]*$/;

/** A key's problem, or undefined when it is a literal key under one of the document areas. */
function keyProblem(key: string, prefix: boolean): string | undefined {
  if (typeof key !== "string" || key.length === 0 || key.length > 512) return "must be 1-512 characters";
  const body = prefix ? key.replace(/\/$/, "") : key;
  if (prefix && !key.endsWith("/")) return 'a prefix must end in "/"';
  const segments = body.split("/");
  if (!(DOCUMENT_AREAS as readonly string[]).includes(segments[0] ?? ""))
    return `must start with ${DOCUMENT_AREAS.map((a) => `${a}/`).join(", ")}`;
  if (!prefix && segments.length < 2) return "names a folder, not a document";
  for (const s of segments)
    if (!SEGMENT.test(s) || s === "." || s === "..")
      return `segment "${s}" is not a literal name (letters, digits, . _ = -; no "..", no leading dot)`;
  return undefined;
}

/** Throws naming the key unless it is a literal document key (no traversal, no absolute path). */
export function assertDocumentKey(key: string): string {
  const problem = keyProblem(key, false);
  if (problem) throw new InvalidInputError(`results key "${key}": ${problem}`);
  return key;
}

/** Same for a listing prefix, which ends in `/`. */
export function assertDocumentPrefix(prefix: string): string {
  const problem = keyProblem(prefix, true);
  if (problem) throw new InvalidInputError(`results prefix "${prefix}": ${problem}`);
  return prefix;
}

const SUMMARY_KEY = /^results\/summary\/dt=(\d{4}-\d{2}-\d{2})\/summary\.json$/;

/** A stored document that does not parse: names the key, never its content. */
export class ResultsDocumentError extends Error {
  readonly key: string;
  constructor(key: string, message: string, options: { cause?: unknown } = {}) {
    super(`${key}: ${message}`, options);
    this.name = "ResultsDocumentError";
    this.key = key;
  }
}

/** Parses a stored JSON document with `schema`; throws naming the key when it is not valid. */
export function parseDocument<S extends z.ZodType>(key: string, text: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResultsDocumentError(key, "not JSON", { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ResultsDocumentError(key, z.prettifyError(parsed.error));
  return parsed.data;
}

/** The port over a backend: key checks, the day layout and validation live here, once. */
export function createResultsStore(backend: DocumentBackend): ResultsStore {
  const putDay = async (dt: string, parts: Iterable<string>) => {
    const key = assertDocumentKey(daySummaryKey(dt));
    if (backend.putParts) await backend.putParts(key, parts, "application/json");
    else await backend.put(key, [...parts].join(""), "application/json");
  };
  const listDocuments = async (prefix: string) =>
    (await backend.list(assertDocumentPrefix(prefix))).filter((k) => !keyProblem(k, false)).sort();
  return {
    async listDays() {
      const days = (await backend.list("results/summary/")).flatMap((k) => SUMMARY_KEY.exec(k)?.[1] ?? []);
      return [...new Set(days)].sort();
    },
    async listDayVersions() {
      const entries = backend.listVersions
        ? await backend.listVersions("results/summary/")
        : (await backend.list("results/summary/")).map((key) => ({ key, version: "" }));
      return entries
        .flatMap((e) => {
          const dt = SUMMARY_KEY.exec(e.key)?.[1];
          return dt ? [{ dt, version: e.version }] : [];
        })
        .sort((a, b) => (a.dt < b.dt ? -1 : a.dt > b.dt ? 1 : 0));
    },
    async readDay(dt) {
      if (!dateString.safeParse(dt).success)
        throw new InvalidInputError(`day "${dt}": not a UTC day, YYYY-MM-DD`);
      const key = assertDocumentKey(daySummaryKey(dt));
      const text = await backend.get(key);
      return text === undefined ? undefined : parseDocument(key, text, daySummarySchema);
    },
    async writeDay(summary) {
      // Validated and serialised a row at a time: the text is what JSON.stringify of the parsed
      // document gives, without a parsed copy or the whole text in memory at once.
      // A day that names no key is rejected with the document's own error, as a whole parse gives.
      if (!dateString.safeParse(summary.dt).success) daySummarySchema.parse(summary);
      await putDay(summary.dt, dayDocumentParts(summary));
    },
    async writeDayOf(input) {
      const dt = input.reconciliation.dt;
      if (!dateString.safeParse(dt).success) buildDaySummary(input);
      await putDay(dt, daySummaryParts(input));
    },
    listDocuments,
    readDocument: async (key) => backend.get(assertDocumentKey(key)),
    writeDocument: async (key, body, contentType = "application/json") =>
      backend.put(assertDocumentKey(key), body, contentType),
  };
}
