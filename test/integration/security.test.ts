import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { S3Client } from "@aws-sdk/client-s3";
import { col, defineQuery } from "@flowcost/core";
import { AthenaEngine } from "@flowcost/functions/adapters/athena-engine";
import { EKS_TOKEN_PREFIX, eksToken } from "@flowcost/functions/adapters/eks-token";
import { readKubernetesInventory } from "@flowcost/functions/adapters/kubernetes-api";
import { logger } from "@flowcost/functions/shared/logger";
import { SlackWebhookClient } from "@flowcost/publish";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, test, vi } from "vitest";
import { z } from "zod";
import { analyzeJson, copyInputs } from "../support/damaged-lake.ts";
import { startFakeKubeApi } from "../support/fake-kube-api.ts";
import { tempDir } from "../support/temp.ts";

/**
 * What an attacker could plant or harvest: secrets in logs (the EKS bearer token and the
 * presigned STS URL inside it, the Slack webhook URL) and input that looks like SQL or a glob
 * (object and folder names, cluster names, query parameters). Logs are captured at DEBUG from
 * the one Lambda logger and from stdout/stderr while the code handling those values fails.
 */
async function captureOutput(work: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(keep);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(keep);
  const consoles = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      keep(`${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}\n`);
    }),
  );
  const level = logger.getLevelName();
  logger.setLogLevel("DEBUG");
  try {
    await work();
  } finally {
    logger.setLogLevel(level);
    out.mockRestore();
    err.mockRestore();
    for (const c of consoles) c.mockRestore();
  }
  return chunks.join("");
}

describe("captured logs never hold a token, a webhook URL or a presigned URL", () => {
  test("an EKS token refused, a list failing past its retries, a request never answered: each failure is logged (as the job middleware does), the token is not", async () => {
    const token = await eksToken({
      cluster: "shop-prod",
      region: "us-east-1",
      credentials: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
      signingDate: new Date("2026-11-22T10:15:00Z"),
    });
    const presigned = Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), "base64url").toString("utf8");
    const signature = new URL(presigned).searchParams.get("X-Amz-Signature") ?? "";
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    // Refused (401), failing past the retries (503), and never answering: each failure logged.
    const refused = await startFakeKubeApi({ pods: 3, nodes: 1, token: "the-real-one" });
    const failing = await startFakeKubeApi({ pods: 3, nodes: 1, faults: [{ status: 503, times: 10 }] });
    const hung = await startFakeKubeApi({ pods: 3, nodes: 1, faults: [{ status: "hang", times: 10 }] });
    const output = await captureOutput(async () => {
      for (const api of [refused, failing, hung]) {
        try {
          await readKubernetesInventory(
            { server: api.url, token },
            { pageSize: 50, retryBaseMs: 1, maxAttempts: 2, requestTimeoutMs: 2_000 },
          );
        } catch (error) {
          logger.error("job failed", { error });
        }
      }
    });
    for (const api of [refused, failing, hung]) await api.close();
    expect(output.match(/job failed/g)).toHaveLength(3);
    expect(output).toContain("HTTP 401");
    expect(output).toContain("HTTP 503");
    expect(output).toMatch(/no answer|timed? ?out/i);
    for (const secret of [
      token,
      token.slice(EKS_TOKEN_PREFIX.length, 60),
      presigned,
      signature,
      "wJalrXUtnFEMI",
    ])
      expect(output).not.toContain(secret);
  });

  test("a Slack webhook that fails and throttles: retries and the failure are logged, the webhook URL is not", async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      calls++;
      res.writeHead(calls === 1 ? 429 : 500, { "retry-after": "0" }).end("rate_limited");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const secretPath = "/services/T0SECRET/B0SECRET/XXXXsecretXXXXtokenXXXX";
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${secretPath}`;
    const output = await captureOutput(async () => {
      const client = new SlackWebhookClient(url, {
        maxAttempts: 3,
        baseDelayMs: 1,
        log: (message, fields) => logger.warn(message, fields),
      });
      try {
        await client.post({ text: "cross_az up 40%" });
      } catch (error) {
        logger.error("regressions failed", { error });
      }
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(calls).toBe(3);
    expect(output).toContain("slack post retried");
    expect(output).toContain("Slack webhook post failed: HTTP 500 after 3 attempts");
    for (const secret of [url, secretPath, "T0SECRET", "XXXXsecretXXXXtokenXXXX"])
      expect(output).not.toContain(secret);
  });
});

describe("SQL-looking and glob-looking input stays data", () => {
  test("Athena: a parameter holding SQL or a glob travels in ExecutionParameters as one quoted literal; the SQL text is the file's", async () => {
    const athena = mockClient(AthenaClient);
    mockClient(S3Client);
    const started: Array<{ QueryString?: string; ExecutionParameters?: string[] }> = [];
    athena.on(StartQueryExecutionCommand).callsFake((input) => {
      started.push(input);
      return { QueryExecutionId: "qid-1" };
    });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: "qid-1", Status: { State: "SUCCEEDED" }, Statistics: {} },
    });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: "n", Type: "bigint" }] },
        Rows: [{ Data: [{ VarCharValue: "n" }] }, { Data: [{ VarCharValue: "0" }] }],
      },
    });
    const sql =
      "SELECT count(*) AS n FROM curated_flows WHERE dt = CAST(? AS varchar) AND account_id = CAST(? AS varchar)";
    const engine = new AthenaEngine({
      athena: new AthenaClient({}),
      s3: new S3Client({}),
      workGroup: "flowcost",
      database: "flowcost_db",
      outputLocation: "s3://athena-results/flowcost/",
      lakeBucket: "lake",
      loadSql: async () => sql,
      timeoutMs: 60_000,
      pollMinMs: 1,
      pollMaxMs: 1,
      logger: { info: () => undefined, warn: () => undefined },
      sleep: async () => undefined,
      now: () => 0,
      runId: () => "r1",
    });
    const hostile = "2026-11-22'; DROP TABLE curated_flows; --";
    const glob = "*' OR '1'='1";
    await engine.query(
      defineQuery({
        name: "count_flows",
        area: "test",
        params: z.object({ dt: z.string(), account: z.string() }),
        paramOrder: ["dt", "account"],
        row: z.object({ n: col.int }),
      }),
      { dt: hostile, account: glob },
    );
    expect(started[0]?.QueryString).toBe(sql);
    expect(started[0]?.ExecutionParameters).toEqual([
      "'2026-11-22''; DROP TABLE curated_flows; --'",
      "'*'' OR ''1''=''1'",
    ]);
    athena.restore();
  });

  describe("DuckDB (flowcost analyze): a cluster, objects and folders named like SQL and globs", async () => {
    const { generateScenario } = await import("@flowcost/local/scenario/write");
    const { readdir, rename, mkdir } = await import("node:fs/promises");
    const root = await tempDir("security");
    const pristine = join(root, "pristine");
    await generateScenario({ outDir: pristine, seed: 5 });
    const clean = await analyzeJson(pristine);
    const lake = join(root, "hostile");
    await copyInputs(pristine, lake);
    const hostileCluster = "x'); DROP TABLE curated_flows; --*";
    await rename(
      join(lake, "inventory/kubernetes/cluster=demo"),
      join(lake, `inventory/kubernetes/cluster=${hostileCluster}`),
    );
    // Every flow-log object renamed with quotes, globs and SQL in its name.
    const objects = (await readdir(join(lake, "vpc-flow-logs"), { recursive: true })).filter((f) =>
      f.endsWith(".log.gz"),
    );
    for (const [i, f] of objects.entries()) {
      const from = join(lake, "vpc-flow-logs", f);
      const name = f.replace(
        /_[0-9a-f]+\.log\.gz$/,
        `_${["*", "?", "[a-z]", "it's", "'; DROP TABLE x; --"][i % 5]}${i}.log.gz`,
      );
      await mkdir(join(lake, "vpc-flow-logs", name, ".."), { recursive: true });
      await rename(from, join(lake, "vpc-flow-logs", name));
    }
    const hostile = await analyzeJson(lake, ["--cluster", hostileCluster]);

    test("the same bytes and dollars, the cluster named exactly, exit 0", () => {
      expect(hostile.code).toBe(0);
      expect(hostile.output.totals).toEqual(clean.output.totals);
      expect(hostile.output.identity.map((i) => i.cluster)).toEqual(
        clean.output.identity.map(() => hostileCluster),
      );
      expect(hostile.output.ledger.read).toBe(clean.output.ledger.read);
    });
  });
});
