#!/usr/bin/env node
// Builds the flowcost CLI as a package that runs with only Node: one ESM file bundling the
// workspace packages (core, local, publish), the SQL it reads at run time, and a package.json
// whose dependencies are the third-party packages left outside the bundle (DuckDB ships a
// native binary per platform, so it stays a dependency). `npm run pack:cli` then packs it.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/cli");
const readJson = (path) => JSON.parse(readFileSync(join(root, path), "utf8"));

const rootPackage = readJson("package.json");
const local = readJson("packages/local/package.json");
const dependencies = {};
for (const path of ["packages/core", "packages/local", "packages/publish"]) {
  for (const [name, range] of Object.entries(readJson(`${path}/package.json`).dependencies ?? {})) {
    // Workspace packages are bundled; tsx only serves the repository's uncompiled bin.
    if (name.startsWith("@flowcost/") || name === "tsx") continue;
    dependencies[name] = range;
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, "packages/local/src/cli/run.ts")],
  outfile: join(out, "flowcost.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  external: Object.keys(dependencies),
  // Bundled CommonJS dependencies may call require(); ESM output has none of its own.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __flowcostRequire } from 'node:module';\nconst require = __flowcostRequire(import.meta.url);",
  },
  logLevel: "warning",
});
cpSync(join(root, "queries"), join(out, "queries"), { recursive: true });
cpSync(join(root, "README.md"), join(out, "README.md"));
writeFileSync(
  join(out, "package.json"),
  `${JSON.stringify(
    {
      name: "flowcost",
      version: local.version,
      description: rootPackage.description,
      type: "module",
      bin: { flowcost: "flowcost.mjs" },
      files: ["flowcost.mjs", "queries", "README.md"],
      engines: rootPackage.engines,
      dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => (a < b ? -1 : 1))),
    },
    null,
    2,
  )}\n`,
);
console.log(`built ${out}/flowcost.mjs (dependencies: ${Object.keys(dependencies).join(", ")})`);
