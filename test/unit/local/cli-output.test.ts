import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseInstant } from "@flowcost/local/cli/options";
import { analyzeJsonSchema, toResultRow } from "@flowcost/local/cli/output";
import { Progress } from "@flowcost/local/cli/progress";
import { renderCsv } from "@flowcost/local/cli/render";
import { describe, expect, test } from "vitest";

describe("the committed JSON Schema", () => {
  test("docs/analyze-output.schema.json is what the code's zod schema generates (run `flowcost schema` to refresh)", async () => {
    const committed = JSON.parse(
      await readFile(join(import.meta.dirname, "../../../docs/analyze-output.schema.json"), "utf8"),
    );
    expect(committed).toEqual(JSON.parse(analyzeJsonSchema()));
    expect(committed.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(committed.properties.schemaVersion.const).toBe(2);
  });
});

describe("--from / --to", () => {
  test.each([
    ["2026-11-22", "start", Date.UTC(2026, 10, 22) / 1000],
    ["2026-11-22", "end", Date.UTC(2026, 10, 23) / 1000],
    ["2026-11-22T09:30:00Z", "start", Date.UTC(2026, 10, 22, 9, 30) / 1000],
    ["2026-11-22T09:30", "end", Date.UTC(2026, 10, 22, 9, 30) / 1000],
    ["2026-11-22T10:30:00+01:00", "start", Date.UTC(2026, 10, 22, 9, 30) / 1000],
    ["2026-12-31", "end", Date.UTC(2027, 0, 1) / 1000],
  ] as const)(
    "%s as the window's %s is that UTC instant (a date's end is the next midnight)",
    (value, edge, expected) => {
      expect(parseInstant("--from", value, edge)).toBe(expected);
    },
  );

  test.each(["2026-02-30", "2026-13-01", "22/11/2026", "2026-11-22T24:00:00Z", "today", "2026-11-22 09:00"])(
    "%s is rejected with the flag named",
    (value) => {
      expect(() => parseInstant("--to", value, "end")).toThrow(`--to "${value}" is not a UTC date`);
    },
  );
});

describe("CSV rows", () => {
  test("fields holding a comma or a quote are quoted (RFC 4180), nulls are empty; the node keeps rows apart", () => {
    const row = toResultRow({
      dt: "2026-11-22",
      category: "lb",
      subcategory: null,
      src_namespace: "shop",
      src_workload_kind: "Deployment",
      src_workload: "frontend",
      src_az_id: "use1-az4",
      src_node: "ip-10-0-0-10.ec2.internal",
      dst_kind: "load_balancer",
      dst_id: 'app/k8s-shop-web,"x"/50dc6c495c0c9188',
      dst_az_id: "use1-az6",
      bytes: 1073741824,
      list_cost_usd: 0.02,
      confidence: "exact",
    });
    const [header, line] = renderCsv([row]).split("\r\n");
    expect(header?.split(",")).toHaveLength(27);
    expect(header).toContain("src_az_id,src_node,src_ip,dst_kind");
    expect(line).toBe(
      '2026-11-22,lb,,pod,,shop,Deployment,frontend,use1-az4,ip-10-0-0-10.ec2.internal,,load_balancer,"app/k8s-shop-web,""x""/50dc6c495c0c9188",,,,use1-az6,,,,,,1073741824,0.02,,estimated,exact',
    );
  });

  test("a row with a billed cost and no explicit basis is billed; without one it is estimated", () => {
    expect(
      toResultRow({ dt: "2026-11-22", category: "nat", bytes: 1, list_cost_usd: 1, billed_cost_usd: 0.9 })
        .costBasis,
    ).toBe("billed");
    expect(toResultRow({ dt: "2026-11-22", category: "nat", bytes: 1, list_cost_usd: 1 }).costBasis).toBe(
      "estimated",
    );
  });
});

describe("progress output", () => {
  const capture = (isTTY: boolean) => {
    const writes: string[] = [];
    return { stream: { write: (t: string) => writes.push(t), isTTY, columns: 60 }, writes };
  };

  test("on a terminal each update redraws one line; the step's last frame closes it", () => {
    const { stream, writes } = capture(true);
    const progress = new Progress(stream);
    progress.update({ step: "compacting", done: 1, total: 4, label: "2026-11-22 09:00" });
    progress.update({ step: "compacting", done: 4, total: 4, label: "2026-11-22 12:00" });
    expect(writes).toEqual([
      "\rcompacting  [######..................] 1/4 2026-11-22 09:00\u001b[K",
      "\rcompacting  [########################] 4/4 2026-11-22 12:00\u001b[K",
      "\n",
    ]);
  });

  test("a message during a bar starts on its own line", () => {
    const { stream, writes } = capture(true);
    const progress = new Progress(stream);
    progress.update({ step: "reading", done: 1, total: 2, label: "a" });
    progress.note("done");
    expect(writes.slice(1)).toEqual(["\n", "· done\n"]);
  });

  test("elsewhere one plain line per update", () => {
    const { stream, writes } = capture(false);
    new Progress(stream).update({ step: "attributing", done: 1, total: 2, label: "2026-11-22" });
    expect(writes).toEqual(["· attributing 1/2 2026-11-22\n"]);
  });
});
