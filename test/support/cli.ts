import { main } from "@flowcost/local/cli/main";

/** Runs the `flowcost` CLI in-process, capturing stdout and stderr (never a TTY). */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(
    args,
    { write: (t: string) => (stdout += t) },
    { write: (t: string) => (stderr += t), isTTY: false },
  );
  return { code, stdout, stderr };
}
