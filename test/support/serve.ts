import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export interface ServeProcess {
  readonly url: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

const BIN = join(import.meta.dirname, "../../packages/local/bin/flowcost.mjs");

/**
 * `flowcost serve <lake> --port 0` as a user runs it: a child process on a free loopback port,
 * ready once it prints its URL.
 */
export async function startServe(
  lakeDir: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, "serve", lakeDir, "--port", "0", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString("utf8");
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flowcost serve did not start:\n${err}`)), 60_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stderr?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`flowcost serve exited with ${code}:\n${err}`));
    });
  });
  return {
    url,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
