import { statSync } from "node:fs";
import { totalmem } from "node:os";
import { MEMORY_UNITS } from "../engine/memory-share.ts";
import { type OptionSpec, type OptionValues, UsageError } from "./command.ts";

/** Option specs and checks shared by several commands (analyze, demo, and the ones that read a lake). */

export const FORMATS = ["table", "json", "csv", "focus"] as const;
export type Format = (typeof FORMATS)[number];

export const FORMAT_OPTION: OptionSpec = {
  type: "string",
  value: "table|json|csv|focus",
  help: "output on stdout (default table; csv: the daily result rows;\nfocus: FOCUS allocated-charge rows, CSV, tied to their CUR lines)",
};
export const MEMORY_LIMIT_OPTION: OptionSpec = {
  type: "string",
  value: "<size>",
  help: "the memory a run may use, e.g. 512MB or 4GB (default 1GB;\nat least 256MB, at most this machine's memory)",
};

export function parseFormat(values: OptionValues): Format {
  const format = stringOption(values, "format") ?? "table";
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be table, json, csv or focus, not "${format}"`);
  return format as Format;
}

/** A string flag's value; a flag given as a boolean (no value) was already refused by the parser. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/**
 * The least --memory-limit that works: the process itself (Node, the CLI and DuckDB, before any
 * input) peaks near 200 MB on the demo's day whatever the limit, so below this no limit can hold
 * the run (at 192MB the demo's day peaked at 1.11 times the limit, at 128MB 1.62 times, and at
 * 64-96MB DuckDB ran out of memory). At 256MB the demo's day peaks at 0.81 (docs/analyze.md).
 */
export const MIN_MEMORY_BYTES = 256e6;

/** Rounded down, so "at most" the figure shown is always accepted. */
const human = (bytes: number) =>
  bytes >= 1e9 ? `${Math.floor(bytes / 1e8) / 10}GB` : `${Math.floor(bytes / 1e6)}MB`;

/**
 * `--memory-limit` as DuckDB reads it (KB = 1000 bytes, KiB = 1024), bounded: below
 * MIN_MEMORY_BYTES the process alone exceeds the limit, and a limit above the machine's memory
 * only moves the failure to the operating system's out-of-memory killer.
 */
export function parseMemoryLimit(values: OptionValues, machineBytes = totalmem()): string | undefined {
  const value = stringOption(values, "memory-limit");
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)$/i.exec(value.trim());
  if (!m) throw new UsageError(`--memory-limit must be a size such as 512MB or 4GB, not "${value}"`);
  const bytes = Number(m[1]) * (MEMORY_UNITS[(m[2] ?? "").toLowerCase()] ?? 1);
  if (bytes < MIN_MEMORY_BYTES)
    throw new UsageError(
      `--memory-limit ${value} is too small: give at least 256MB, the least that works (Node and DuckDB take about 200 MB before reading any input)`,
    );
  if (bytes > machineBytes)
    throw new UsageError(
      `--memory-limit ${value} is more than this machine's memory (${human(machineBytes)}): give at most ${human(machineBytes)}`,
    );
  return value.trim();
}

/** What is at a path, without following it further: refused paths are named before any work. */
export function pathKind(path: string): "missing" | "file" | "folder" {
  try {
    return statSync(path).isDirectory() ? "folder" : "file";
  } catch {
    return "missing";
  }
}

export const FROM_OPTION: OptionSpec = {
  type: "string",
  value: "<date|time>",
  help: "first UTC day (YYYY-MM-DD) or instant (2026-11-22T09:00:00Z)",
};
export const TO_OPTION: OptionSpec = {
  type: "string",
  value: "<date|time>",
  help: "last UTC day, inclusive, or instant, exclusive",
};

/** `--from` and `--to` as Unix seconds, checked together. */
export function parseWindow(values: OptionValues): { from?: number; to?: number } {
  const fromText = stringOption(values, "from");
  const toText = stringOption(values, "to");
  const from = fromText === undefined ? undefined : parseInstant("--from", fromText, "start");
  const to = toText === undefined ? undefined : parseInstant("--to", toText, "end");
  if (from !== undefined && to !== undefined && from >= to)
    throw new UsageError(`--from (${fromText}) must be before --to (${toText})`);
  return { from, to };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * `--from`/`--to` as Unix seconds. A date means the whole UTC day (so `--to` a date includes
 * it); a time without an offset is UTC, never the machine's zone, since days are UTC as in the CUR.
 */
export function parseInstant(flag: string, value: string, edge: "start" | "end"): number {
  const bad = () =>
    new UsageError(`${flag} "${value}" is not a UTC date (2026-11-22) or ISO time (2026-11-22T09:00:00Z)`);
  const date = DATE.exec(value);
  const time = date ? undefined : TIME.exec(value);
  const m = date ?? time;
  if (!m) throw bad();
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = Date.UTC(y, mo - 1, d);
  // Date.UTC rolls 2026-02-30 over to March; a real calendar date survives the round trip.
  if (new Date(day).getUTCMonth() !== mo - 1 || new Date(day).getUTCDate() !== d) throw bad();
  if (date) return day / 1000 + (edge === "end" ? 86400 : 0);
  const [hh, mm, ss] = [Number(time?.[4]), Number(time?.[5]), Number(time?.[6] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59) throw bad();
  const offset = time?.[7] && time[7] !== "Z" ? time[7] : "Z";
  const ms = Date.parse(
    `${value.slice(0, 10)}T${String(hh).padStart(2, "0")}:${time?.[5]}:${String(ss).padStart(2, "0")}${offset}`,
  );
  if (Number.isNaN(ms)) throw bad();
  return Math.floor(ms / 1000);
}

export const CONFIG_OPTION: OptionSpec = {
  type: "string",
  value: "<file>",
  help: "configuration file (list-price overrides; docs/pricing.md); default:\nflowcost.config.json in the folder, if present",
};

/** `--config`: must name an existing file (its content is checked when read, as input). */
export function parseConfigPath(values: OptionValues): string | undefined {
  const value = stringOption(values, "config");
  if (value === undefined) return undefined;
  const kind = pathKind(value);
  if (kind !== "file")
    throw new UsageError(
      `--config ${value}: ${kind === "missing" ? "no such file" : "is a folder"}; give a JSON file`,
    );
  return value;
}
