#!/usr/bin/env node
// CI check for the published CLI: build it, `npm pack` it, install the tarball into an empty
// folder outside the repository (only Node and the npm registry), and run `flowcost demo` there.
// Fails unless the demo exits 0 and prints a JSON analysis that reconciles to the CUR.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "flowcost-pack-"));
const fail = (message) => {
  console.error(`check-cli-package: ${message}`);
  process.exit(1);
};
try {
  execFileSync(process.execPath, [join(root, "scripts/build-cli.mjs")], { stdio: "inherit" });
  execFileSync("npm", ["pack", join(root, "dist/cli"), "--pack-destination", work, "--silent"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tarball) fail("npm pack wrote no tarball");
  const app = join(work, "empty-folder");
  execFileSync("mkdir", [app]);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", join(work, tarball)], {
    cwd: app,
    stdio: "inherit",
  });
  // The installed bin, run as a user would, with no repository and no tsx in sight.
  const run = spawnSync(join(app, "node_modules/.bin/flowcost"), ["demo", "--format", "json"], {
    cwd: app,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) fail(`flowcost demo exited ${run.status}\n${run.stderr}`);
  const output = JSON.parse(run.stdout);
  const day = output.reconciliation?.[0];
  if (output.costBasis !== "billed" || !day || day.billedCents !== day.allocatedCents + day.unattributedCents)
    fail(`the demo did not reconcile: ${JSON.stringify(output.reconciliation)}`);
  console.log(
    `check-cli-package: ${tarball} installs and runs flowcost demo in an empty folder (billed $${(day.billedCents / 100).toFixed(2)}, ${output.rows.length} rows)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
