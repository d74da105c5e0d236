import { costsResponse, coverageResponse, flowsResponse, focusResponse, ROUTES } from "@flowcost/core";
import { main } from "@flowcost/local/cli/main";
import type { AnalyzeOutput } from "@flowcost/local/cli/output";
import { generateScenario } from "@flowcost/local/scenario/write";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ServeProcess, startServe } from "../support/serve.ts";
import { tempDir } from "../support/temp.ts";

const TOKEN = "contract-test-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
const cents = (usd: number | null | undefined) => Math.round((usd ?? 0) * 100);

let lake: string;
let analysis: AnalyzeOutput;
let serve: ServeProcess;

beforeAll(async () => {
  lake = await tempDir("api-serve");
  await generateScenario({ outDir: lake });
  let stdout = "";
  const code = await main(
    ["analyze", lake, "--format", "json"],
    { write: (t: string) => (stdout += t) },
    {
      write: () => true,
      isTTY: false,
    },
  );
  expect(code).toBe(0);
  analysis = JSON.parse(stdout) as AnalyzeOutput;
  serve = await startServe(lake, { FLOWCOST_TOKEN: TOKEN });
});
afterAll(() => serve?.stop());

async function get(path: string, headers: Record<string, string> = auth) {
  const response = await fetch(`${serve.url}${path}`, { headers });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  return {
    response,
    status: response.status,
    text,
    json: type.startsWith("application/json") && text ? JSON.parse(text) : undefined,
  };
}

/** Every page of a paged route, following nextCursor. */
async function allPages(path: string, key: "groups" | "flows", limit: number) {
  const items: unknown[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const r = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(r.status).toBe(200);
    items.push(...r.json[key]);
    cursor = r.json.nextCursor;
    pages++;
  } while (cursor !== null && pages < 1000);
  return { items, pages };
}

describe("flowcost serve on loopback: the same figures as flowcost analyze", () => {
  test("GET /v1/costs (charge view): every billed dollar has one owner, so the workloads sum to the $9.16 bill", async () => {
    const r = await get("/v1/costs?groupBy=workload&limit=1000");

    expect(costsResponse.safeParse(r.json).success).toBe(true);
    expect(r.json.view).toBe("charge");
    expect(r.json.viewNote).toContain("exactly one owner");
    expect(cents(r.json.totals.billedCostUsd)).toBe(cents(analysis.totals.billedCostUsd));
    expect(cents(r.json.totals.billedCostUsd)).toBe(916);
    expect(
      r.json.groups.reduce((s: number, g: { billedCostUsd: number }) => s + cents(g.billedCostUsd), 0),
    ).toBe(916);
    expect(r.json.totals.listCostUsd).toBeCloseTo(analysis.totals.listCostUsd, 4);
    // The analyze table's "top workloads" counts each transfer at both ends: more than the bill.
    expect(analysis.topWorkloads.reduce((s, w) => s + w.costUsd, 0)).toBeGreaterThan(9.16);
    const shares = r.json.groups.reduce((s: number, g: { share: number }) => s + g.share, 0);
    expect(shares).toBeCloseTo(1, 9);
  });

  test("GET /v1/costs?groupBy=label:team: chargeback by the pods' team label, still summing to the bill", async () => {
    const r = await get("/v1/costs?groupBy=label:team,namespace&limit=1000");

    const byTeam = new Map<string | null, number>();
    for (const g of r.json.groups as Array<{ key: Record<string, string | null>; billedCostUsd: number }>)
      byTeam.set(
        g.key["label:team"] ?? null,
        (byTeam.get(g.key["label:team"] ?? null) ?? 0) + cents(g.billedCostUsd),
      );
    expect([...byTeam.values()].reduce((a, b) => a + b, 0)).toBe(916);
    expect([...byTeam.keys()]).toEqual(
      expect.arrayContaining(["web", "catalog", "checkout", "payments", "data", null]),
    );
    // Owners that are not pods (nodes, Services, unattributed) have no pod label.
    const web = r.json.groups.find(
      (g: { key: Record<string, string | null> }) => g.key["label:team"] === "web",
    );
    expect(web.key.namespace).toBe("shop");
  });

  test("GET /v1/costs?side=source&groupBy=category (traffic view) equals analyze's totals by category", async () => {
    const r = await get("/v1/costs?side=source&groupBy=category");

    expect(r.json.view).toBe("traffic");
    const byCategory = Object.fromEntries(
      r.json.groups.map(
        (g: { key: { category: string }; bytes: number; billedCostUsd: number; listCostUsd: number }) => [
          g.key.category,
          [g.bytes, cents(g.billedCostUsd), Math.round(g.listCostUsd * 1e4)],
        ],
      ),
    );
    expect(byCategory).toEqual(
      Object.fromEntries(
        analysis.totals.byCategory.map((c) => [
          c.category,
          [c.bytes, cents(c.billedCostUsd), Math.round(c.listCostUsd * 1e4)],
        ]),
      ),
    );
  });

  test("GET /v1/flows: pairs with both ends and AZ IDs; merged by end labels they are analyze's top pairs", async () => {
    const r = await get("/v1/flows?limit=1000");

    expect(flowsResponse.safeParse(r.json).success).toBe(true);
    expect(cents(r.json.totals.billedCostUsd)).toBe(916);
    const merged = new Map<string, { bytes: number; cost: number }>();
    for (const f of r.json.flows) {
      const key = [f.category, f.source.label, f.destination.label].join("|");
      const m = merged.get(key) ?? { bytes: 0, cost: 0 };
      m.bytes += f.bytes;
      m.cost += f.costUsd;
      merged.set(key, m);
    }
    for (const p of analysis.topPairs) {
      const m = merged.get([p.category, p.source, p.destination].join("|"));
      expect(m?.bytes).toBe(p.bytes);
      expect(m?.cost).toBeCloseTo(p.costUsd, 6);
    }
    expect(r.json.flows[0].source.azId).toMatch(/^use1-az\d$/);
  });

  test("GET /v1/coverage: ledger, unattributed dollars by resource, identity overlaps, as analyze reports them", async () => {
    const r = await get("/v1/coverage");

    expect(coverageResponse.safeParse(r.json).success).toBe(true);
    expect(r.json.totals.ledger).toMatchObject({
      read: analysis.ledger?.read,
      used: analysis.ledger?.used,
      nodata: analysis.ledger?.nodata,
      rejected: analysis.ledger?.rejected,
    });
    expect(cents(r.json.totals.unattributedCostUsd)).toBe(cents(analysis.coverage.unattributedCostUsd));
    expect(r.json.unattributedByResource).toEqual([
      {
        resourceId: "i-0b1a2b3c4d5e6f708",
        usageClass: "inter_az_out",
        billedCostUsd: 0.02,
        days: ["2026-11-22"],
      },
    ]);
    expect(r.json.totals.identityOverlaps).toBe(analysis.identity.reduce((s, i) => s + i.overlaps, 0));
    expect(r.json.daysWithoutCur).toEqual([]);
    expect(r.json.totals.resolvedBytes).toBe(analysis.coverage.resolvedBytes);
  });

  test("GET /v1/export/focus: per origin CUR line, allocated + unattributed = billed; the rows sum to the bill", async () => {
    const r = await get("/v1/export/focus");

    expect(focusResponse.safeParse(r.json).success).toBe(true);
    const byLine = new Map<string, { sum: number; origin: number }>();
    for (const row of r.json.rows) {
      const key = `${row.x_UsageClass}|${row.ResourceId}`;
      const l = byLine.get(key) ?? { sum: 0, origin: cents(row.x_OriginBilledCost) };
      l.sum += cents(row.BilledCost);
      byLine.set(key, l);
      expect(row.AllocatedMethodId).toBe("flowcost-network-bytes-v1");
      expect(JSON.parse(row.AllocatedMethodDetails).Elements[0].AllocatedRatio).toBeGreaterThan(0);
    }
    for (const l of byLine.values()) expect(l.sum).toBe(l.origin);
    expect(r.json.rows.reduce((s: number, row: { BilledCost: number }) => s + cents(row.BilledCost), 0)).toBe(
      916,
    );
    const csv = await get("/v1/export/focus?format=csv");
    expect(csv.response.headers.get("content-type")).toContain("text/csv");
    expect(csv.text.split("\n")[0]).toContain("AllocatedMethodId,AllocatedMethodDetails,AllocatedResourceId");
    expect(csv.text.trim().split("\n")).toHaveLength(r.json.rows.length + 1);
    // The same rows from the CLI: flowcost analyze --format focus.
    let stdout = "";
    const code = await main(
      ["analyze", lake, "--format", "focus"],
      { write: (t: string) => (stdout += t) },
      {
        write: () => true,
        isTTY: false,
      },
    );
    expect(code).toBe(0);
    expect(stdout).toBe(csv.text);
  });

  test("GET /v1/recommendations: the recommendations analyze wrote for the day, by estimated savings; one by id", async () => {
    const recs = await get("/v1/recommendations?limit=1000");
    expect(recs.status).toBe(200);
    const ids = recs.json.recommendations.map((r: { id: string }) => r.id);
    expect([...ids].sort()).toEqual(analysis.recommendations.map((r) => r.id).sort());
    expect(ids.length).toBeGreaterThan(0);
    const savings = recs.json.recommendations.map(
      (r: { estimatedMonthlySavingsUsd: number }) => r.estimatedMonthlySavingsUsd,
    );
    expect(savings).toEqual([...savings].sort((a: number, b: number) => b - a));
    const one = await get(`/v1/recommendations/${encodeURIComponent(ids[0])}`);
    expect(one.json.recommendation).toEqual(recs.json.recommendations[0]);
    const missing = await get("/v1/recommendations/tar-nothing-here");
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toContain('"tar-nothing-here"');
  });

  test("regressions and stored weekly reports say they have none yet; the JSON report comes from the day results", async () => {
    const regressions = await get("/v1/regressions");
    expect(regressions.status).toBe(404);
    expect(regressions.json.error.message).toContain("no regressions yet");
    const report = await get("/v1/reports/weekly/2026-W47?format=html");
    expect(report.status).toBe(404);
    expect(report.json.error.message).toContain("no html report stored for 2026-W47");
    const json = await get("/v1/reports/weekly/2026-W47");
    expect(json.status).toBe(200);
    expect(json.json.week.id).toBe("2026-W47");
  });
});

describe("HTTP done properly", () => {
  test.each([
    ["/v1/costs?groupBy=team", "groupBy"],
    ["/v1/costs?groupBy=namespace,workload,az", "groupBy"],
    ["/v1/costs?from=2026-13-01", "from"],
    ["/v1/costs?from=2026-02-30", "from"],
    ["/v1/costs?from=2026-11-23&to=2026-11-22", "to"],
    ["/v1/costs?from=2026-01-01&to=2026-11-22", "to"],
    ["/v1/costs?side=left", "side"],
    ["/v1/costs?category=egress", "category"],
    ["/v1/costs?limit=0", "limit"],
    ["/v1/costs?limit=ten", "limit"],
    ["/v1/costs?cursor=!!", "cursor"],
    ["/v1/costs?cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["/v1/costs?namespace=Bad_NS", "namespace"],
    ["/v1/costs?grupBy=namespace", "grupBy"],
    ["/v1/flows?side=up", "side"],
    ["/v1/export/focus?format=xlsx", "format"],
    ["/v1/reports/weekly/2026-48", "week"],
    ["/v1/coverage?limit=5", "limit"],
  ])("GET %s is a 400 naming %s and its allowed values", async (path, parameter) => {
    const r = await get(path);

    expect(r.status).toBe(400);
    expect(r.json.error.parameter).toBe(parameter);
    expect(r.json.error.message).toContain(parameter);
    expect(typeof r.json.error.allowed).toBe("string");
  });

  test("no token, a wrong token: 401 with WWW-Authenticate, and nothing of the data", async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer wrong-token-wrong-token" },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const r = await get("/v1/costs", headers);
      expect(r.status).toBe(401);
      expect(r.response.headers.get("www-authenticate")).toBe('Bearer realm="flowcost"');
      expect(r.json.error.code).toBe("unauthorized");
    }
  });

  test("paging is complete and stable: the pages of any size concatenate to the unpaged result", async () => {
    for (const [path, key] of [
      ["/v1/costs?groupBy=workload,az", "groups"],
      ["/v1/flows", "flows"],
      ["/v1/costs?side=both&groupBy=namespace,workload", "groups"],
    ] as const) {
      const whole = await get(`${path}${path.includes("?") ? "&" : "?"}limit=1000`);
      expect(whole.json.nextCursor).toBeNull();
      for (const size of [1, 7]) {
        const { items, pages } = await allPages(path, key, size);
        expect(items).toEqual(whole.json[key]);
        expect(pages).toBe(Math.ceil(whole.json[key].length / size));
      }
    }
    const first = await get("/v1/flows?limit=5");
    const again = await get(`/v1/flows?limit=5&cursor=${first.json.nextCursor}`);
    const twice = await get(`/v1/flows?limit=5&cursor=${first.json.nextCursor}`);
    expect(twice.json.flows).toEqual(again.json.flows);
    // A cursor belongs to its query.
    const other = await get(`/v1/flows?limit=5&category=nat&cursor=${first.json.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.json.error.message).toContain("belongs to another query");
  });

  test("ETag round trip: If-None-Match with the ETag is a 304 without a body; Cache-Control is private", async () => {
    const first = await get("/v1/costs?groupBy=namespace");
    const etag = first.response.headers.get("etag") ?? "";

    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    expect(first.response.headers.get("cache-control")).toBe("private, max-age=60");
    const second = await get("/v1/costs?groupBy=namespace", { ...auth, "if-none-match": etag });
    expect(second.status).toBe(304);
    expect(second.text).toBe("");
    expect(second.response.headers.get("etag")).toBe(etag);
    const changed = await get("/v1/costs?groupBy=workload", { ...auth, "if-none-match": etag });
    expect(changed.status).toBe(200);
  });

  test("gzip when the client accepts it; structured logs carry a request id and never the token", async () => {
    const r = await fetch(`${serve.url}/v1/flows`, { headers: { ...auth, "accept-encoding": "gzip" } });
    expect(r.headers.get("content-encoding")).toBe("gzip");
    expect(((await r.json()) as { flows: unknown[] }).flows.length).toBeGreaterThan(0);
    const id = r.headers.get("x-request-id");

    // The line is written when the response has gone out: wait for it.
    const logged = async () => {
      for (let i = 0; i < 50; i++) {
        const lines = serve
          .stderr()
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        const line = lines.find((l) => l.requestId === id);
        if (line) return line;
        await new Promise((r) => setTimeout(r, 100));
      }
      return undefined;
    };
    expect(await logged()).toMatchObject({ message: "request", status: 200, route: "/v1/flows" });
    expect(serve.stderr()).not.toContain(TOKEN);
  });

  test("the OpenAPI document is valid OpenAPI 3.1 and lists exactly the routes served", async () => {
    const r = await get("/v1/openapi.json");
    const validator = new Validator();
    const result = await validator.validate(r.json);

    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(Object.keys(r.json.paths).sort()).toEqual(
      [...ROUTES.map((x) => x.path), "/v1/openapi.json"].sort(),
    );
    for (const [path, item] of Object.entries(r.json.paths) as Array<
      [string, { get: { parameters: Array<{ name: string }> } }]
    >) {
      const concrete = path.replace("{id}", "x").replace("{week}", "2026-W48");
      const served = await get(concrete);
      // Served: anything but "no such route" (404 with a route message) or an unknown-parameter 400.
      expect(served.json?.error?.message ?? "").not.toContain("no route");
      for (const p of item.get.parameters.filter((x) => !["id", "week"].includes(x.name))) {
        const probe = await get(`${concrete}?${p.name}=`);
        expect(probe.json?.error?.code).not.toBe("unknown_parameter");
      }
    }
    const unknown = await get("/v1/nothing");
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain("no route GET /v1/nothing");
  });
});
