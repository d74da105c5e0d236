import { parseArgs } from "node:util";
import type { ProgressStream } from "./progress.ts";

/**
 * What a `flowcost` command is: its name, its own options and help, a `parse` that checks every
 * option before any work, and a `run`. A new command is one file under `commands/` exporting a
 * `defineCommand({...})`, plus one line in `main.ts`'s COMMANDS list.
 */

/** Exit codes, as the README documents them. */
export const EXIT = {
  ok: 0,
  /** Bad input (a file, a folder, data), named in the message. */
  badInput: 1,
  /** A wrong command, option or option value, named in the message. */
  usage: 2,
  internal: 3,
  /** Completed, but some inputs were skipped (named). */
  inputsSkipped: 4,
} as const;

/** A wrong command, flag or flag value: the message names it and the allowed values; exit 2. */
export class UsageError extends Error {}

export type OutStream = { write(text: string): unknown };

export interface CommandIo {
  readonly out: OutStream;
  readonly err: ProgressStream;
}

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** How the value is written in the help, e.g. `<size>`. */
  readonly value?: string;
  /** One line, or several joined by `\n` (continuation lines are indented under the first). */
  readonly help: string;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface Command<Parsed> {
  readonly name: string;
  /** Arguments after the command name, e.g. `<folder> [options]`. */
  readonly synopsis: string;
  /** One line for `flowcost --help`. */
  readonly summary: string;
  /** Paragraphs shown in the command's own help, after the usage line. */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Every check that needs no work (flags, values, paths); throws UsageError naming the flag. */
  parse(values: OptionValues, positionals: string[]): Parsed | Promise<Parsed>;
  /** Does the work; returns the exit code. Errors thrown are mapped to exit codes by main. */
  run(parsed: Parsed, io: CommandIo): Promise<number>;
}

/** Identity, for inference: `defineCommand({ ..., parse() { return {...} }, run(p) {...} })`. */
export function defineCommand<Parsed>(command: Command<Parsed>): Command<Parsed> {
  return command;
}

const HELP: OptionSpec = { type: "boolean", short: "h", help: "this text" };

/** The command's options with `--help`, which every command has. */
export function optionsOf(command: Command<unknown>): Record<string, OptionSpec> {
  return { ...command.options, help: HELP };
}

/**
 * Splits argv into the command's values and positionals. Node's parser is run leniently and its
 * tokens checked here, so an unknown flag or a missing value is reported in flowcost's words
 * with the command's own flags, not as Node's ERR_PARSE_ARGS_* text.
 */
export function parseCommandArgs(
  command: Command<unknown>,
  argv: string[],
): { values: OptionValues; positionals: string[]; help: boolean } {
  const specs = optionsOf(command);
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: Object.fromEntries(
      Object.entries(specs).map(([name, s]) => [
        name,
        s.short ? { type: s.type, short: s.short } : { type: s.type },
      ]),
    ),
  });
  const help = tokens.some((t) => t.kind === "option" && t.name === "help");
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const spec = specs[t.name];
    if (!spec) {
      if (help) continue;
      const near = closest(t.name, Object.keys(specs));
      throw new UsageError(
        `unknown option ${t.rawName} for flowcost ${command.name}${near ? ` (did you mean --${near}?)` : ""}; its options are ${Object.keys(
          specs,
        )
          .map((n) => `--${n}`)
          .join(", ")}`,
      );
    }
    if (spec.type === "string" && t.value === undefined && !help)
      throw new UsageError(`--${t.name} needs a value: --${t.name} ${spec.value ?? "<value>"}`);
    if (spec.type === "boolean" && t.inlineValue)
      throw new UsageError(`--${t.name} takes no value (got "${t.rawName}=${argv[t.index]?.split("=")[1]}")`);
  }
  return { values: values as OptionValues, positionals, help };
}

/** The flag within edit distance 2 of a misspelt one, if exactly one is. */
function closest(name: string, names: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min(
          (prev[j] ?? 0) + 1,
          (next[j - 1] ?? 0) + 1,
          (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      prev = next;
    }
    return prev[b.length] ?? 0;
  };
  const near = names.filter((n) => distance(name, n) <= 2);
  return near.length === 1 ? near[0] : undefined;
}

/** `flowcost <name> --help`: the usage line, the details, the command's options only. */
export function commandHelp(command: Command<unknown>): string {
  const specs = optionsOf(command);
  const left = Object.entries(specs).map(
    ([name, s]) => `${s.short ? `-${s.short}, ` : ""}--${name}${s.value ? ` ${s.value}` : ""}`,
  );
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = Object.values(specs).flatMap((s, i) => {
    const [first, ...more] = s.help.split("\n");
    return [`  ${(left[i] ?? "").padEnd(width)}${first}`, ...more.map((m) => `  ${" ".repeat(width)}${m}`)];
  });
  return [
    `flowcost ${command.name}: ${command.summary}`,
    "",
    "Usage:",
    `  flowcost ${command.name} ${command.synopsis}`.trimEnd(),
    ...(command.details ? ["", command.details] : []),
    "",
    "Options:",
    ...lines,
    "",
    EXIT_CODES_LINE,
    "",
  ].join("\n");
}

export const EXIT_CODES_LINE =
  "Exit codes: 0 success, 1 bad input (named in the message), 2 usage error, 3 internal error,\n4 completed with some inputs skipped (named).";
