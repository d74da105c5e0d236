import { describe, expect, test } from "vitest";
import { runCli } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";

describe("flowcost report and regressions: bad input is named before any work", async () => {
  const empty = await tempDir("no-results");

  test("a folder without results: exit 1, saying to run analyze first", async () => {
    for (const command of ["report", "regressions"]) {
      const run = await runCli([command, empty]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `flowcost ${command}: ${empty} has no results (results/summary/dt=*/summary.json); run flowcost analyze on it first\n`,
      );
    }
  });

  test("usage errors exit 2 and name the flag and what it allows", async () => {
    const cases: Array<[string[], string]> = [
      [["report", empty, "--week", "2026-47"], '--week must be an ISO week such as 2026-W47, not "2026-47"'],
      [
        ["report", empty, "--week", "2025-W53"],
        '--week must be an ISO week such as 2026-W47, not "2025-W53"',
      ],
      [["report", empty, "--format", "pdf"], '--format must be html, md or csv, not "pdf"'],
      [
        ["regressions", empty, "--day", "2026-13-01"],
        '--day must be a UTC day, YYYY-MM-DD, not "2026-13-01"',
      ],
      [["regressions", empty, "--format", "csv"], '--format must be table or json, not "csv"'],
      [
        ["regressions", empty, "--min-percent", "-5"],
        '--min-percent must be a number from 0 to 10000, not "-5"',
      ],
      [
        ["regressions", empty, "--cooldown-days", "1.5"],
        '--cooldown-days must be a whole number of days, not "1.5"',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect([args.join(" "), run.code]).toEqual([args.join(" "), 2]);
      expect(run.stderr).toContain(message);
    }
  });

  test("a webhook that is not a URL is refused without echoing it", async () => {
    const secret = "hooks.slack.com/services/T0/B0/not-a-url-s3cr3t";
    const run = await runCli(["regressions", empty, "--slack-webhook", secret]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--slack-webhook must be an http(s) URL (value not shown)");
    expect(run.stderr).not.toContain("s3cr3t");
  });
});
