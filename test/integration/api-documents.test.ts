import { writeFile } from "node:fs/promises";
import { lakeResultsStore } from "@flowcost/local/lake/results-files";
import { runPipeline } from "@flowcost/local/pipeline";
import { generateScenario } from "@flowcost/local/scenario/write";
import { type RunningServer, startServer } from "@flowcost/local/serve/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";

const TOKEN = "documents-test-token-0123456789";
let server: RunningServer;
let empty: RunningServer;

beforeAll(async () => {
  const lake = await tempDir("api-documents");
  await generateScenario({ outDir: lake });
  await runPipeline({ lakeDir: lake });
  const store = lakeResultsStore(lake);
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
  empty = await startServer({
    lakeDir: await tempDir("api-empty"),
    token: TOKEN,
    cacheTtlMs: 0,
    corsOrigin: "http://localhost:3000",
  });
});
afterAll(async () => {
  await server?.close();
  await empty?.close();
});

async function get(path: string, headers: Record<string, string> = {}, on: RunningServer = server) {
  const response = await fetch(`${on.url}${path}`, {
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", text };
}

describe("documents the other jobs write, served once they exist", () => {
  test("recommendations page by cursor: the pages concatenate to the whole list", async () => {
    const all = JSON.parse((await get("/v1/recommendations?limit=1000")).text);
    const pages = [];
    let cursor: string | null = null;
    do {
      const page = JSON.parse(
        (await get(`/v1/recommendations?limit=2${cursor ? `&cursor=${cursor}` : ""}`)).text,
      );
      pages.push(...page.recommendations);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(all.recommendations);
    expect(all.recommendations.length).toBeGreaterThan(2);
  });

  test("a lake with no results: health says 0 days, recommendations an empty list saying why, costs an empty window", async () => {
    expect(JSON.parse((await get("/v1/health", {}, empty)).text)).toEqual({
      status: "ok",
      days: 0,
      firstDay: null,
      lastDay: null,
    });
    const recs = JSON.parse((await get("/v1/recommendations", {}, empty)).text);
    expect(recs.recommendations).toEqual([]);
    expect(recs.note).toContain("no recommendations have been written yet");
    const costs = JSON.parse((await get("/v1/costs", {}, empty)).text);
    expect(costs.groups).toEqual([]);
    expect(costs.window).toEqual({ from: null, to: null, days: [], missingDays: [] });
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
    expect(report.recommendations.length).toBeGreaterThan(0);

    const csv = await get("/v1/reports/weekly/2026-W47?format=csv");
    expect(csv.status).toBe(404);
    expect(JSON.parse(csv.text).error.message).toContain("stored formats: html, md");
    const empty = await get("/v1/reports/weekly/2026-W40");
    expect(empty.status).toBe(404);
    expect(JSON.parse(empty.text).error.message).toContain("no json report stored for 2026-W40");
  });
});

describe("CORS: off unless an origin is configured", () => {
  test("with --cors-origin, that origin's preflight and requests get CORS headers; another origin gets none", async () => {
    const preflight = await fetch(`${empty.url}/v1/costs`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");

    const allowed = await fetch(`${empty.url}/v1/health`, {
      headers: { authorization: `Bearer ${TOKEN}`, origin: "http://localhost:3000" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    const other = await fetch(`${empty.url}/v1/health`, {
      headers: { authorization: `Bearer ${TOKEN}`, origin: "http://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("without it, no response carries CORS headers and a preflight is refused", async () => {
    const preflight = await fetch(`${server.url}/v1/costs`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(401);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const r = await fetch(`${server.url}/v1/health`, {
      headers: { authorization: `Bearer ${TOKEN}`, origin: "http://localhost:3000" },
    });
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
  });
});
