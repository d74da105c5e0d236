import { main } from "@flowcost/local/cli/main";

/** Runs the CLI in-process with captured stdout and stderr (stderr may pose as a terminal). */
export async function cli(args: string[], tty = false) {
  let stdout = "";
  let stderr = "";
  const code = await main(
    args,
    { write: (t: string) => (stdout += t) },
    { write: (t: string) => (stderr += t), isTTY: tty, columns: 100 },
  );
  return { code, stdout, stderr };
}
