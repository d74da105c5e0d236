import { join } from "node:path";
import { parseCommandArgs, UsageError } from "@flowcost/local/cli/command";
import { analyzeCommand } from "@flowcost/local/cli/commands/analyze";
import { demoCommand } from "@flowcost/local/cli/commands/demo";
import { schemaCommand } from "@flowcost/local/cli/commands/schema";
import { main } from "@flowcost/local/cli/main";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";
import { propertyOptions, RUNS } from "./runs.ts";

/**
 * The CLI's option parsing over generated argument lists: every list either parses or fails with
 * a UsageError whose message names the flag or argument at fault; never another error, and the
 * options that parse hold what a command can run with.
 */
const FLAGS = [
  "--from",
  "--to",
  "--cluster",
  "--memory-limit",
  "--format",
  "--out",
  "--config",
  "--help",
  "-h",
];
const VALUES = [
  "2026-11-22",
  "2026-11-22T09:00:00Z",
  "2026-02-30",
  "2026-11-22T25:00:00Z",
  "yesterday",
  "512MB",
  "1GB",
  "0",
  "-1GB",
  "64MB",
  "1e3MB",
  "table",
  "json",
  "csv",
  "xml",
  "prod",
  "*",
  "[a-z]?",
  "'; DROP TABLE curated_flows; --",
  "",
  "--",
];
const token = fc.oneof(
  fc.constantFrom(...FLAGS),
  fc.constantFrom(...VALUES),
  fc.constantFrom(...FLAGS).chain((f) => fc.constantFrom(...VALUES).map((v) => `${f}=${v}`)),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("--fromm", "--memory", "-x", "--format=", "---from"),
);

describe.each([
  ["analyze", analyzeCommand],
  ["demo", demoCommand],
  ["schema", schemaCommand],
] as const)("flowcost %s: option parsing", (_, command) => {
  test("any argument list parses or fails with a usage error that names the problem", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 6 }), async (argv) => {
        try {
          const { values, positionals, help } = parseCommandArgs(command, argv);
          if (help) return;
          await (command.parse as (v: unknown, p: string[]) => unknown)(values, positionals);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message.length).toBeGreaterThan(10);
          // Names a flag, the command, or an argument it was given.
          expect((error as Error).message).toMatch(/--|flowcost|analyze|demo|schema|"/);
        }
      }),
      propertyOptions(),
    );
  });
});

describe("flowcost (main): exit codes for generated command lines", async () => {
  const missing = join(await tempDir("prop-cli"), "no-such-lake");
  test("usage errors exit 2, a missing folder exits 1, --help exits 0; never 3 (internal)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("analyze", "schema", "nonsense", "--help"),
        fc.array(token, { maxLength: 5 }),
        async (command, rest) => {
          let stderr = "";
          const argv = command === "analyze" ? [command, missing, ...rest] : [command, ...rest];
          const code = await main(argv, { write: () => true }, { write: (t: string) => (stderr += t) });
          expect([0, 1, 2]).toContain(code);
          if (code !== 0) expect(stderr).toMatch(/^flowcost/m);
        },
      ),
      propertyOptions(Math.max(10, Math.floor(RUNS / 4))),
    );
  });
});
