#!/usr/bin/env node
// `npm test`: the whole suite (unit, sql, integration) with the environment the stack needs on
// Node 20, then one plain closing line, "N passed, N failed", that any CI can read.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";

// The weekly report's HTML is checked in Debian's chromium (no downloaded browser): install it
// on a fresh machine, as `npm test` must run there with nothing installed by hand.
if (!existsSync("/usr/bin/chromium")) {
  console.log("npm test: installing Debian's chromium for the report's browser test");
  const apt = (args) =>
    spawnSync("apt-get", args, {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  if (
    apt(["update", "-qq"]).status !== 0 ||
    apt(["install", "-y", "-qq", "--no-install-recommends", "chromium"]).status !== 0
  )
    console.error(
      "npm test: could not install chromium with apt-get (run as root, or install the chromium package)",
    );
}

const env = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  AWS_EC2_METADATA_DISABLED: "true",
  // s3rver signs list continuation tokens with single DES (style.md, version notes).
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--openssl-legacy-provider"].filter(Boolean).join(" "),
};
mkdirSync(".tmp", { recursive: true });
const report = ".tmp/vitest-report.json";
const run = spawnSync(
  "npx",
  [
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit", env },
);
let summary = "no report";
try {
  const r = JSON.parse(readFileSync(report, "utf8"));
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed`;
  if (r.numTotalTests === 0) summary = "0 passed, 1 failed (no test ran)";
} catch {
  summary = "0 passed, 1 failed (vitest wrote no report)";
}
console.log(`\n${summary}`);
process.exit(run.status === 0 && !summary.includes("(") ? 0 : 1);
