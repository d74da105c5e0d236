/**
 * A whole local run in a child process, for the kill tests: `node --import tsx pipeline-child.ts
 * <lake> [--stop-after-rename N] [--from S --to S]`. With `--stop-after-rename` the process kills
 * itself (SIGKILL: nothing of it runs after) right after the Nth rename while the run publishes.
 * Prints the run's publish figures as JSON.
 */
import { runPipeline } from "../../packages/local/src/pipeline.ts";

const [lakeDir, ...rest] = process.argv.slice(2);
if (!lakeDir) throw new Error("usage: pipeline-child.ts <lake> [--stop-after-rename N] [--from S --to S]");
const flag = (name: string) => {
  const i = rest.indexOf(name);
  return i < 0 ? undefined : Number(rest[i + 1]);
};
const stopAfter = flag("--stop-after-rename");
const result = await runPipeline({
  lakeDir,
  from: flag("--from"),
  to: flag("--to"),
  onPublishRename: (done, total) => {
    if (done === stopAfter) {
      process.stdout.write(`${JSON.stringify({ killedAtRename: done, of: total })}\n`);
      process.kill(process.pid, "SIGKILL");
    }
  },
});
process.stdout.write(`${JSON.stringify({ days: result.days.length, published: result.published })}\n`);
