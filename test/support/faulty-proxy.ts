import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A node:http proxy in front of a real server (s3rver) that fails requests on a plan: a 500
 * InternalError or a 503 SlowDown in S3's XML error format, or an answer held back for a while
 * (a slow response), before forwarding the rest unchanged. `plan` sees each request and says
 * what to do with it; `injected` counts the faults served.
 */
export type Fault = "internal-error" | "slow-down" | { readonly delayMs: number } | undefined;

export interface FaultyProxy {
  readonly endpoint: string;
  readonly injected: Record<string, number>;
  close(): Promise<void>;
}

const S3_ERRORS = {
  "internal-error": [500, "InternalError", "We encountered an internal error. Please try again."],
  "slow-down": [503, "SlowDown", "Please reduce your request rate."],
} as const;

export async function startFaultyProxy(
  upstream: string,
  plan: (req: IncomingMessage) => Fault,
): Promise<FaultyProxy> {
  const target = new URL(upstream);
  const injected: Record<string, number> = {};
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstreamReq = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on("error", () => res.destroy());
    req.pipe(upstreamReq);
  };
  const server = createServer((req, res) => {
    const fault = plan(req);
    if (fault === undefined) return forward(req, res);
    if (typeof fault === "object") {
      injected.slow = (injected.slow ?? 0) + 1;
      const timer = setTimeout(() => forward(req, res), fault.delayMs);
      res.on("close", () => clearTimeout(timer));
      return;
    }
    injected[fault] = (injected[fault] ?? 0) + 1;
    const [status, code, message] = S3_ERRORS[fault];
    req.resume();
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULT</RequestId></Error>`;
    res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
