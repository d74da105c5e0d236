import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";

export interface SlackPost {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: { text?: string; blocks?: unknown[] } & Record<string, unknown>;
}

/**
 * A local stand-in for Slack's incoming-webhook endpoint (node:http): records every JSON post and
 * answers from a script of responses (`ok` by default, as Slack answers), so tests can make it
 * rate-limit (429 with Retry-After) or fail (500). The URL it gives has a secret-looking path, as
 * real webhook URLs do, so tests can check it never leaks.
 */
export async function fakeSlack() {
  const posts: SlackPost[] = [];
  const script: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [];
  const secret = `/services/T0FAKE0000/B0FAKE0000/${"s3cr3t".repeat(4)}`;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const next = script.shift() ?? { status: 200, body: "ok" };
      if (next.status === 200 && req.url === secret)
        posts.push({
          path: req.url,
          contentType: req.headers["content-type"],
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        });
      const status = req.url === secret ? next.status : 404;
      res.writeHead(status, { "content-type": "text/plain", ...next.headers });
      res.end(status === 404 ? "no_service" : (next.body ?? (status === 200 ? "ok" : "error")));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${port}${secret}`,
    secret,
    posts,
    /** Answers the next requests with these, in order (then `ok` again). */
    respond(...responses: Array<{ status: number; headers?: Record<string, string>; body?: string }>) {
      script.push(...responses);
    },
  };
}
