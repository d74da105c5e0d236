import { fileLedger, ledgerBalances, reasonForCsvErrors, runLedger } from "@flowcost/core";
import { describe, expect, test } from "vitest";

describe("the ingestion ledger: read = used + nodata + skipdata + rejected, always", () => {
  test("lines the parser neither used nor rejected are booked as unaccounted, not lost", () => {
    const l = fileLedger({
      file: "a.log.gz",
      read: 10,
      used: 6,
      nodata: 1,
      skipdata: 1,
      rejectedByReason: { field_count: 1 },
    });
    expect(l).toMatchObject({ read: 10, rejected: 2, rejectedByReason: { field_count: 1, unaccounted: 1 } });
    expect(ledgerBalances(l)).toBe(true);
  });

  test("a run adds its objects up and lists failed objects by name", () => {
    const ok = fileLedger({ file: "a", read: 5, used: 5, nodata: 0, skipdata: 0, rejectedByReason: {} });
    const bad = fileLedger({
      file: "b",
      read: 3,
      used: 0,
      nodata: 0,
      skipdata: 0,
      rejectedByReason: { truncated_gzip: 3 },
      failure: { reason: "truncated_gzip", message: "b: unexpected end of file" },
    });
    const run = runLedger([ok, bad], [], 5);
    expect(run).toMatchObject({ read: 8, used: 5, rejected: 3, rejectedByReason: { truncated_gzip: 3 } });
    expect(run.failedObjects).toEqual([
      { file: "b", reason: "truncated_gzip", message: "b: unexpected end of file" },
    ]);
    expect(ledgerBalances(run)).toBe(true);
  });

  test("DuckDB reject types map to reasons; a wrong field count wins over the cast errors it causes", () => {
    expect(reasonForCsvErrors(["CAST", "TOO MANY COLUMNS"])).toBe("field_count");
    expect(reasonForCsvErrors(["MISSING COLUMNS"])).toBe("field_count");
    expect(reasonForCsvErrors(["CAST"])).toBe("number_format");
    expect(reasonForCsvErrors(["INVALID UNICODE"])).toBe("invalid_record");
  });
});
