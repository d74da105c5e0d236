import { main } from "./main.ts";

// The entry of the built CLI (dist/cli/flowcost.mjs): the repository's bin/flowcost.mjs runs
// main.ts through tsx instead, so a clone needs no build step.
process.exitCode = await main(process.argv.slice(2));
