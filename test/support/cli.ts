import { main } from "@flowcost/local/cli/main";

/** Runs the `flowcost` CLI in-process, capturing stdout and stderr (stderr may pose as a terminal). */
export async function runCli(
  args: string[],
  tty = false,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(
    args,
    { write: (t: string) => (stdout += t) },
    { write: (t: string) => (stderr += t), isTTY: tty, columns: 100 },
  );
  return { code, stdout, stderr };
}
