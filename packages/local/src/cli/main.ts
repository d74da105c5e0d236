import { errorMessage, FlowcostError } from "@flowcost/core";
import {
  type Command,
  type CommandIo,
  commandHelp,
  EXIT,
  EXIT_CODES_LINE,
  type OutStream,
  parseCommandArgs,
  UsageError,
} from "./command.ts";
import { analyzeCommand } from "./commands/analyze.ts";
import { demoCommand } from "./commands/demo.ts";
import { pricesCommand } from "./commands/prices.ts";
import { regressionsCommand } from "./commands/regressions.ts";
import { reportCommand } from "./commands/report.ts";
import { schemaCommand } from "./commands/schema.ts";
import { serveCommand } from "./commands/serve.ts";
import type { ProgressStream } from "./progress.ts";

/** Every command, in the order `flowcost --help` lists them. A new command: one line here. */
const COMMANDS: ReadonlyArray<Command<unknown>> = [
  analyzeCommand,
  demoCommand,
  serveCommand,
  reportCommand,
  regressionsCommand,
  pricesCommand,
  schemaCommand,
];

function usage(): string {
  const left = COMMANDS.map((c) => `flowcost ${c.name} ${c.synopsis}`.trimEnd());
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return [
    "flowcost: who causes your EKS cross-AZ, NAT gateway and load balancer spend",
    "",
    "Usage:",
    ...COMMANDS.map((c, i) => `  ${(left[i] ?? "").padEnd(width)}${c.summary}`),
    "",
    "Run flowcost <command> --help for a command's options.",
    "",
    EXIT_CODES_LINE,
    "",
  ].join("\n");
}

/**
 * Dispatches to a command: parses and checks its options before any work (usage errors exit 2
 * with the flag named), runs it, and maps what it throws to an exit code: a FlowcostError below
 * 500 is bad input (1), anything else internal (3).
 */
export async function main(
  argv: string[],
  out: OutStream = process.stdout,
  err: ProgressStream = process.stderr,
): Promise<number> {
  const io: CommandIo = { out, err };
  const [name, ...rest] = argv;
  if (name === undefined) {
    err.write(`flowcost: a command is needed\n\n${usage()}`);
    return EXIT.usage;
  }
  if (name === "-h" || name === "--help" || name === "help") {
    const about = name === "help" && rest[0] !== undefined ? find(rest[0]) : undefined;
    if (name === "help" && rest[0] !== undefined && !about) {
      err.write(`flowcost: unknown command "${rest[0]}"\n\n${usage()}`);
      return EXIT.usage;
    }
    out.write(about ? commandHelp(about) : usage());
    return EXIT.ok;
  }
  const command = find(name);
  if (!command) {
    const hint = name.startsWith("-") ? " (options go after the command)" : "";
    err.write(`flowcost: unknown command "${name}"${hint}\n\n${usage()}`);
    return EXIT.usage;
  }
  let parsed: unknown;
  try {
    const args = parseCommandArgs(command, rest);
    if (args.help) {
      out.write(commandHelp(command));
      return EXIT.ok;
    }
    parsed = await command.parse(args.values, args.positionals);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err.write(usageFailure(command, error));
    return EXIT.usage;
  }
  try {
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(usageFailure(command, error));
      return EXIT.usage;
    }
    err.write(`flowcost: ${errorMessage(error)}\n`);
    return error instanceof FlowcostError && error.status < 500 ? EXIT.badInput : EXIT.internal;
  }
}

const find = (name: string) => COMMANDS.find((c) => c.name === name);

const usageFailure = (command: Command<unknown>, error: UsageError) =>
  `flowcost ${command.name}: ${error.message}\n\nUsage:\n  flowcost ${command.name} ${command.synopsis}\nRun flowcost ${command.name} --help for its options.\n`;
