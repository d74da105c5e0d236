import {
  type AttributedRow,
  buildDaySummary,
  createResultsStore,
  type DaySummary,
  type DaySummaryInput,
  dayDocumentParts,
  daySummaryParts,
  daySummarySchema,
  parseDaySummary,
  reconcileDay,
  resultRow,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { attributedRow, curLine, GB, natRow } from "../../../support/builders.ts";

const instances = (node: string) => ({ "node-a": "i-0aaa", "node-b": "i-0bbb" })[node];

/** A billed day of `n` cross-AZ rows (distinct workloads, bytes 1..n GB) and a NAT row, with an unattributed rest. */
function billedDay(n: number): DaySummary {
  return buildDaySummary(billedDayInput(n));
}

/** What {@link billedDay} is made of. */
function billedDayInput(n: number): DaySummaryInput {
  const rows: AttributedRow[] = Array.from({ length: n }, (_, i) =>
    attributedRow({ src_workload: `frontend-${i}`, bytes: (i + 1) * GB, list_cost_usd: (i + 1) * 0.02 }),
  );
  rows.push(natRow());
  const total = (n * (n + 1)) / 2;
  return {
    reconciliation: reconcileDay(
      "2026-11-22",
      rows,
      [
        curLine("inter_az_out", "i-0aaa", total + 3, (total + 3) * 0.01),
        curLine("inter_az_in", "i-0bbb", total, total * 0.01),
        curLine("nat_bytes", "nat-1", 2, 0.09),
        curLine("nat_hours", "nat-1", 24, 1.08),
      ],
      instances,
    ),
    region: "us-east-1",
    warnings: [{ code: "x", message: "a warning" }],
  };
}

describe("the day document written a row at a time", () => {
  const day = billedDay(2_500);

  test.each([1, 7, 1000, 10_000])(
    "its text is JSON.stringify of the parsed document, byte for byte (%i rows a part)",
    (perPart) => {
      const parts = [...dayDocumentParts(day, perPart)];
      expect(parts.join("")).toBe(`${JSON.stringify(daySummarySchema.parse(day))}\n`);
      // 2,501 cross-AZ and NAT rows plus the unattributed rest of the inter-AZ-out line: parts of `perPart` rows.
      expect(day.rows).toHaveLength(2_502);
      expect(parts).toHaveLength(Math.floor(2_502 / perPart) + 1);
    },
  );

  test("parseDaySummary returns what daySummarySchema.parse returns, key order included", () => {
    const whole = daySummarySchema.parse(day);
    const byRow = parseDaySummary(day);
    expect(byRow).toEqual(whole);
    expect(JSON.stringify(byRow)).toBe(JSON.stringify(whole));
    // An estimated day without optional fields keeps them absent.
    const estimated = buildDaySummary({
      reconciliation: reconcileDay("2026-11-22", [attributedRow()], [], () => undefined),
    });
    expect(JSON.stringify(parseDaySummary(estimated))).toBe(
      JSON.stringify(daySummarySchema.parse(estimated)),
    );
    expect([...dayDocumentParts(estimated)].join("")).toBe(`${JSON.stringify(estimated)}\n`);
  });

  const broken: Array<[string, (d: DaySummary) => DaySummary]> = [
    [
      "a row whose charges do not sum to it",
      (d) => ({
        ...d,
        rows: d.rows.map((r, i) => (i === 1200 ? { ...r, billedCents: (r.billedCents ?? 0) + 1 } : r)),
      }),
    ],
    [
      "a row with a field of the wrong type",
      (d) => ({ ...d, rows: d.rows.map((r, i) => (i === 2400 ? { ...r, bytes: -1 } : r)) }),
    ],
    [
      "a billed line its charges do not add up to",
      (d) => ({
        ...d,
        lines: d.lines.map((l, i) => (i === 0 ? { ...l, billedCents: l.billedCents + 5 } : l)),
      }),
    ],
    [
      "a reconciliation that does not hold",
      (d) => ({
        ...d,
        reconciliation: { ...d.reconciliation, unattributedCents: d.reconciliation.unattributedCents + 1 },
      }),
    ],
    ["a day that is not a calendar day", (d) => ({ ...d, dt: "2026-02-30" })],
  ];

  test.each(broken)(
    "%s is rejected with the error a whole parse gives, before the last part",
    (_what, breakIt) => {
      const bad = breakIt(day);
      const whole = (() => {
        try {
          daySummarySchema.parse(bad);
        } catch (error) {
          return String(error);
        }
        return "accepted";
      })();
      expect(whole).not.toBe("accepted");
      const parts: string[] = [];
      expect(() => {
        for (const part of dayDocumentParts(bad, 100)) parts.push(part);
      }).toThrow(whole.replace(/^ZodError: /, ""));
      // Nothing complete was produced: the closing brace is the last part's.
      expect(parts.join("").endsWith("}\n")).toBe(false);
      expect(() => parseDaySummary(bad)).toThrow(whole.replace(/^ZodError: /, ""));
    },
  );
});

/** A store over one in-memory document, recording the parts it was written in. */
function memoryStore() {
  const docs = new Map<string, string>();
  const parts: string[] = [];
  const store = createResultsStore({
    list: async () => [...docs.keys()],
    get: async (key) => docs.get(key),
    put: async (key, body) => {
      docs.set(key, body);
    },
    putParts: async (key, written) => {
      let text = "";
      for (const part of written) {
        parts.push(part);
        text += part;
      }
      docs.set(key, text);
    },
  });
  return { store, docs, parts };
}

describe("the day document made and written a row at a time, from its reconciliation", () => {
  const input = billedDayInput(2_500);
  const whole = `${JSON.stringify(daySummarySchema.parse(buildDaySummary(input)))}\n`;

  test.each([1, 7, 1000, 10_000])(
    "daySummaryParts gives the text of buildDaySummary's document, byte for byte (%i rows a part)",
    (perPart) => {
      const parts = [...daySummaryParts(input, perPart)];
      expect(parts.join("")).toBe(whole);
      expect(parts).toHaveLength(Math.floor(2_502 / perPart) + 1);
    },
  );

  test("buildDaySummary returns what a whole parse of it returns, key order included, without copying rows", () => {
    const built = buildDaySummary(input);
    expect(JSON.stringify(built)).toBe(JSON.stringify(daySummarySchema.parse(built)));
    // A day of several places: its rows name their account and Region.
    const tagged = billedDayInput(3);
    const places: DaySummaryInput = {
      ...tagged,
      reconciliation: {
        ...tagged.reconciliation,
        rows: tagged.reconciliation.rows.map((r) =>
          resultRow(r, r.billed_cost_usd, r.cost_basis, { account_id: "111122223333", region: "us-east-1" }),
        ),
      },
    };
    const placed = buildDaySummary(places);
    expect(placed.rows[0]).toMatchObject({ account: "111122223333", region: "us-east-1" });
    expect(JSON.stringify(placed)).toBe(JSON.stringify(daySummarySchema.parse(placed)));
    expect([...daySummaryParts(places, 2)].join("")).toBe(`${JSON.stringify(placed)}\n`);
  });

  test("writeDayOf stores what writeDay of the built document stores, in parts", async () => {
    const byParts = memoryStore();
    await byParts.store.writeDayOf(input);
    const byDocument = memoryStore();
    await byDocument.store.writeDay(buildDaySummary(input));
    const key = "results/summary/dt=2026-11-22/summary.json";
    expect(byParts.docs.get(key)).toBe(whole);
    expect(byDocument.docs.get(key)).toBe(whole);
    expect(byParts.parts).toHaveLength(3);
    expect(await byParts.store.readDay("2026-11-22")).toEqual(buildDaySummary(input));
  });

  test("a reconciliation whose document would not hold is rejected with the whole parse's error, nothing stored", async () => {
    const r = input.reconciliation;
    const bad: DaySummaryInput = { ...input, reconciliation: { ...r, allocatedCents: r.allocatedCents + 1 } };
    const error = (() => {
      try {
        buildDaySummary(bad);
      } catch (e) {
        return String(e).replace(/^ZodError: /, "");
      }
      return "accepted";
    })();
    expect(error).toContain("billed");
    expect(() => [...daySummaryParts(bad, 100)]).toThrow(error);
    const { store, docs } = memoryStore();
    await expect(store.writeDayOf(bad)).rejects.toThrow(error);
    expect(docs.size).toBe(0);
    await expect(store.writeDayOf({ ...input, reconciliation: { ...r, dt: "2026-02-30" } })).rejects.toThrow(
      "not a calendar day",
    );
  });
});
