import { writeFile } from "node:fs/promises";
import { lakeResultsStore } from "@flowcost/local/lake/results-files";
import { runPipeline } from "@flowcost/local/pipeline";
import { generateScenario } from "@flowcost/local/scenario/write";
import { type RunningServer, startServer } from "@flowcost/local/serve/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";

const TOKEN = "documents-test-token-0123456789";
let server: RunningServer;

const recommendation = (id: string, savings: number) => ({
  id,
  kind: "topology_aware_routing",
  target: { namespace: "shop", name: "catalog" },
  estimatedMonthlySavingsUsd: savings,
});

beforeAll(async () => {
  const lake = await tempDir("api-documents");
  await generateScenario({ outDir: lake });
  await runPipeline({ lakeDir: lake });
  const store = lakeResultsStore(lake);
  await store.writeDocument(
    "results/recommendations/dt=2026-11-22/recommendations.json",
    JSON.stringify({
      dt: "2026-11-22",
      recommendations: [
        recommendation("tar-shop-catalog", 31.5),
        recommendation("spread-payments-ledger", 120.25),
      ],
    }),
  );
  await store.writeDocument("state/regressions/alerts.json", JSON.stringify({ version: 1, alerted: {} }));
  await store.writeDocument(
    "reports/weekly/2026-W47.md",
    "# flowcost weekly report 2026-W47\n",
    "text/markdown",
  );
  await store.writeDocument("reports/weekly/2026-W47.html", "<!doctype html><h1>2026-W47</h1>", "text/html");
  // An unrelated file someone left in the folder is not a document the API serves.
  await writeFile(`${lake}/results/recommendations/notes.txt`, "x");
  server = await startServer({ lakeDir: lake, token: TOKEN, cacheTtlMs: 0 });
});
afterAll(() => server?.close());

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", text };
}

describe("documents the other jobs write, served once they exist", () => {
  test("recommendations: by estimated monthly savings, one by id, paged", async () => {
    const all = JSON.parse((await get("/v1/recommendations")).text);
    expect(all.recommendations.map((r: { id: string }) => r.id)).toEqual([
      "spread-payments-ledger",
      "tar-shop-catalog",
    ]);
    expect(all.note).toBeUndefined();

    const one = JSON.parse((await get("/v1/recommendations/tar-shop-catalog")).text);
    expect(one).toMatchObject({ date: "2026-11-22", recommendation: { estimatedMonthlySavingsUsd: 31.5 } });

    const first = JSON.parse((await get("/v1/recommendations?limit=1")).text);
    const second = JSON.parse((await get(`/v1/recommendations?limit=1&cursor=${first.nextCursor}`)).text);
    expect([...first.recommendations, ...second.recommendations]).toEqual(all.recommendations);
    expect(second.nextCursor).toBeNull();
  });

  test("regressions: the alert state the regressions job stored", async () => {
    const r = JSON.parse((await get("/v1/regressions")).text);
    expect(r).toEqual({ source: "state/regressions/alerts.json", state: { version: 1, alerted: {} } });
  });

  test("the weekly report by ?format= or Accept: the stored Markdown and HTML, JSON built from the week's days", async () => {
    const md = await get("/v1/reports/weekly/2026-W47?format=md");
    expect(md.type).toContain("text/markdown");
    expect(md.text).toBe("# flowcost weekly report 2026-W47\n");
    const html = await get("/v1/reports/weekly/2026-W47", { accept: "text/html" });
    expect(html.text).toBe("<!doctype html><h1>2026-W47</h1>");

    const json = await get("/v1/reports/weekly/2026-W47");
    expect(json.type).toContain("application/json");
    const report = JSON.parse(json.text);
    expect(report.week.id).toBe("2026-W47");
    expect(report.recommendations.map((r: { id: string }) => r.id)).toContain("tar-shop-catalog");

    const csv = await get("/v1/reports/weekly/2026-W47?format=csv");
    expect(csv.status).toBe(404);
    expect(JSON.parse(csv.text).error.message).toContain("stored formats: html, md");
    const empty = await get("/v1/reports/weekly/2026-W40");
    expect(empty.status).toBe(404);
    expect(JSON.parse(empty.text).error.message).toContain("no json report stored for 2026-W40");
  });
});
