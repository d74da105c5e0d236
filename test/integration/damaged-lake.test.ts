import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateScenario } from "@flowcost/local/scenario/write";
import { beforeAll, describe, expect, test } from "vitest";
import {
  type AnalyzeRun,
  analyzeJson,
  copyInputs,
  figures,
  flowLogObjects,
} from "../support/damaged-lake.ts";
import { tempDir } from "../support/temp.ts";

/**
 * A generated lake damaged in one way at a time, analysed as a user would: the answer covers
 * exactly what was readable (the same bytes and dollars as the undamaged lake, or as the lake
 * without the one object that could not be read), every damaged file is named in `warnings`,
 * and the exit status says whether every input was used (0) or some were skipped (4).
 */
describe("a damaged lake gives the undamaged answer for what was readable, and names what was not", async () => {
  const root = await tempDir("damaged");
  const pristine = join(root, "pristine");
  await generateScenario({ outDir: pristine, seed: 7 });
  let lakes = 0;
  /** A fresh copy of the pristine lake's inputs, damaged by `damage`, analysed. */
  const damaged = async (damage: (lake: string, objects: string[]) => Promise<unknown>) => {
    const lake = join(root, `lake-${++lakes}`);
    await copyInputs(pristine, lake);
    const objects = await flowLogObjects(lake);
    const detail = await damage(lake, objects);
    return { lake, objects, detail, run: await analyzeJson(lake) };
  };
  let clean: AnalyzeRun;
  let withoutOne: AnalyzeRun;
  let victim: string;
  beforeAll(async () => {
    clean = (await damaged(async () => undefined)).run;
    const without = await damaged(async (_, objects) => rm(objects[3] as string));
    withoutOne = without.run;
    victim = basename(without.objects[3] as string);
  });
  const skipWarnings = (run: AnalyzeRun) => run.output.warnings.filter((w) => w.file !== undefined);
  const victimOf = (objects: string[]) => {
    const path = objects[3] as string;
    expect(basename(path)).toBe(victim);
    return path;
  };

  test("the undamaged lake: exit 0, no input skipped, and the lake without one object differs from it", () => {
    expect(clean.code).toBe(0);
    expect(skipWarnings(clean)).toEqual([]);
    expect(withoutOne.code).toBe(0);
    expect(withoutOne.output.totals.bytes).toBeLessThan(clean.output.totals.bytes);
  });

  test("records of -1 TB and 2^63-1 bytes, negative packets, ports -1 and 70000: rejected as number_range, named, exit 4, the same bytes and dollars", async () => {
    const { run, objects } = await damaged(async (_, objects) => {
      const path = victimOf(objects);
      const lines = gunzipSync(await readFile(path))
        .toString("utf8")
        .trimEnd()
        .split("\n");
      const fields = (lines[1] as string).split(" ");
      const header = (lines[0] as string).split(" ");
      const withField = (name: string, value: string) =>
        fields.map((v, i) => (i === header.indexOf(name) ? value : v)).join(" ");
      await writeFile(
        path,
        gzipSync(
          `${[
            ...lines,
            withField("bytes", "-1000000000000"),
            withField("bytes", "9223372036854775807"),
            withField("packets", "-5"),
            withField("srcport", "-1"),
            withField("dstport", "70000"),
          ].join("\n")}\n`,
        ),
      );
    });
    expect(run.code).toBe(4);
    expect(figures(run.output)).toEqual(figures(clean.output));
    expect(run.output.ledger.read).toBe(clean.output.ledger.read + 5);
    expect(run.output.ledger.rejectedByReason).toEqual({ number_range: 5 });
    expect(skipWarnings(run)).toEqual([
      { code: "rejected-records", message: expect.stringContaining("5 number_range"), file: objects[3] },
    ]);
    expect(run.output.rows.every((r) => r.bytes >= 0 && (r.billedCostUsd ?? 0) >= 0)).toBe(true);
  });

  test("an exact copy of an object under a second name: flagged as a duplicate, counted once, exit 4", async () => {
    const { run, detail } = await damaged(async (_, objects) => {
      const path = victimOf(objects);
      const copy = path.replace(/_[0-9a-f]+\.log\.gz$/, "_ffffffff.log.gz");
      await writeFile(copy, await readFile(path));
      return copy;
    });
    expect(run.code).toBe(4);
    expect(figures(run.output)).toEqual(figures(clean.output));
    expect(skipWarnings(run)).toEqual([
      { code: "duplicate-object", message: expect.stringContaining("the same bytes as"), file: detail },
    ]);
  });

  test.each([
    ["*", "111122223333_vpcflowlogs_us-east-1_*.log.gz"],
    ["? and [", "111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_[0-9]?.log.gz"],
  ])(
    "a %s in an object's name stays data: the object is read once, the others once, exit 0",
    async (_, name) => {
      const { run } = await damaged(async (_, objects) => {
        const path = victimOf(objects);
        await rename(path, join(dirname(path), name));
      });
      expect(run.code).toBe(0);
      expect(figures(run.output)).toEqual(figures(clean.output));
      expect(run.output.ledger.read).toBe(clean.output.ledger.read);
    },
  );

  test("an object reached through a symbolic link is read like the object itself, exit 0", async () => {
    const { run } = await damaged(async (lake, objects) => {
      const path = victimOf(objects);
      const outside = join(`${lake}-outside`, basename(path));
      await mkdir(dirname(outside), { recursive: true });
      await rename(path, outside);
      await symlink(outside, path);
    });
    expect(run.code).toBe(0);
    expect(figures(run.output)).toEqual(figures(clean.output));
  });

  test("a symbolic link to a folder of objects is not followed: named, exit 4, the rest as before", async () => {
    const { run, detail } = await damaged(async (lake, objects) => {
      const outside = `${lake}-folder`;
      await mkdir(outside, { recursive: true });
      await writeFile(join(outside, basename(objects[0] as string)), await readFile(objects[0] as string));
      const link = join(dirname(objects[0] as string), "07");
      await symlink(outside, link);
      return link;
    });
    expect(run.code).toBe(4);
    expect(figures(run.output)).toEqual(figures(clean.output));
    expect(skipWarnings(run)).toEqual([
      { code: "symlink-not-followed", message: expect.stringContaining("not followed"), file: detail },
    ]);
  });

  test.each([
    [
      "a .log.gzip extension",
      "unrecognised-extension",
      async (path: string) => {
        const moved = path.replace(/\.log\.gz$/, ".log.gzip");
        await rename(path, moved);
        return moved;
      },
    ],
    [
      "a key layout flowcost does not know (no day folder)",
      "unrecognised-key-layout",
      async (path: string) => {
        const moved = join(dirname(dirname(path)), basename(path));
        await rename(path, moved);
        return moved;
      },
    ],
    [
      "a name of its own outside AWSLogs/ (copied out of its key layout)",
      "unrecognised-key-layout",
      async (path: string) => {
        const moved = join(path.slice(0, path.indexOf("/vpc-flow-logs/")), "vpc-flow-logs", "copied.log.gz");
        await rename(path, moved);
        return moved;
      },
    ],
    [
      "a truncated gzip stream",
      "failed-object",
      async (path: string) => {
        const bytes = await readFile(path);
        await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
        return path;
      },
    ],
    [
      "a header line naming an unknown field",
      "failed-object",
      async (path: string) => {
        const text = gunzipSync(await readFile(path)).toString("utf8");
        await writeFile(path, gzipSync(text.replace(/^version /, "versoin ")));
        return path;
      },
    ],
  ])(
    "an object with %s is not read: named (%s), exit 4, the answer of the lake without it",
    async (label, code, damage) => {
      const { run, detail } = await damaged(async (_, objects) => damage(victimOf(objects)));
      expect(run.code).toBe(4);
      expect(figures(run.output)).toEqual(figures(withoutOne.output));
      expect(skipWarnings(run)).toEqual([
        { code, message: expect.stringContaining(detail as string), file: detail },
      ]);
      if (label.startsWith("a header")) {
        // A header failure keeps the object's records in the ledger: read, and rejected for the header.
        expect(run.output.ledger.read).toBe(clean.output.ledger.read);
        expect(run.output.ledger.rejected).toBe(clean.output.ledger.read - withoutOne.output.ledger.read);
      }
    },
  );
});

describe("a bad snapshot, describe output or CUR file is skipped by name; the run completes", async () => {
  const root = await tempDir("damaged-inventory");
  const pristine = join(root, "pristine");
  await generateScenario({ outDir: pristine, seed: 7 });
  let lakes = 0;
  const damaged = async (damage: (lake: string) => Promise<string | undefined>) => {
    const lake = join(root, `lake-${++lakes}`);
    await copyInputs(pristine, lake);
    const file = await damage(lake);
    return { file, run: await analyzeJson(lake) };
  };
  const files = async (lake: string, under: string, suffix: string) =>
    (await readdir(join(lake, under), { recursive: true }))
      .filter((f) => f.endsWith(suffix))
      .sort()
      .map((f) => join(lake, under, f));
  const curFile = async (lake: string) => (await files(lake, "billing", ".parquet"))[0] as string;
  /** Runs SQL on a scratch DuckDB (to rewrite a CUR file the way a broken export would). */
  const duck = async (sql: string) => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await connection.run(sql);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  };
  let clean: AnalyzeRun;
  beforeAll(async () => {
    clean = (await damaged(async () => undefined)).run;
  });
  const named = (run: AnalyzeRun) => run.output.warnings.filter((w) => w.file !== undefined);
  /** The run completed without one input (exit 4) and names that input alone: its code, why, its path. */
  const skippedAlone = (run: AnalyzeRun, code: string, message: unknown, file: string | undefined) => {
    expect(run.code).toBe(4);
    expect(named(run)).toEqual([{ code, message, file }]);
  };

  test("a truncated kubectl snapshot: skipped and named, reported as a missed snapshot, the same bytes and dollars", async () => {
    const { run, file } = await damaged(async (lake) => {
      const snapshot = (await files(lake, "inventory/kubernetes", ".json.gz"))[10] as string;
      const json = gunzipSync(await readFile(snapshot));
      await writeFile(snapshot, gzipSync(json.subarray(0, Math.floor(json.length / 2))));
      return snapshot;
    });
    skippedAlone(run, "skipped-snapshot", expect.stringContaining("not valid JSON"), file);
    const missed = (r: AnalyzeRun) => r.output.identity.reduce((s, i) => s + i.missedSnapshots, 0);
    expect(missed(run)).toBe(missed(clean) + 1);
    expect(figures(run.output)).toEqual(figures(clean.output));
  });

  test("an invalid describe-network-interfaces: skipped and named, the run completes with the same bytes", async () => {
    const { run, file } = await damaged(async (lake) => {
      const describe = (
        await files(lake, "inventory/aws", "describe-network-interfaces.json.gz")
      )[5] as string;
      await writeFile(describe, gzipSync('{"NetworkInterfaces": [{"NetworkInterfaceId": 42'));
      return describe;
    });
    skippedAlone(run, "skipped-describe", expect.stringContaining("describe output"), file);
    expect(figures(run.output).bytes).toBe(figures(clean.output).bytes);
  });

  /** What the recommendations said: the same with the file before an unreadable one as with it. */
  const recommendations = (run: AnalyzeRun) =>
    (run.output as unknown as { recommendations: unknown[] }).recommendations;
  // The window is 09:00-11:00: its latest snapshot and AWS capture, which the recommendations read.
  const LATEST = "20261122T105500Z";

  test("the window's latest snapshot truncated (the recommendations' snapshot): skipped and named once, the one before it read, the same bytes, dollars and recommendations", async () => {
    const { run, file } = await damaged(async (lake) => {
      const snapshot = join(lake, `inventory/kubernetes/cluster=demo/dt=2026-11-22/${LATEST}.json.gz`);
      const json = gunzipSync(await readFile(snapshot));
      await writeFile(snapshot, gzipSync(json.subarray(0, Math.floor(json.length / 2))));
      return snapshot;
    });
    skippedAlone(run, "skipped-snapshot", expect.stringContaining("not valid JSON"), file);
    expect(figures(run.output)).toEqual(figures(clean.output));
    expect(recommendations(run).length).toBeGreaterThan(0);
    expect(recommendations(run)).toEqual(recommendations(clean));
  });

  test.each([
    ["describe-route-tables", '{"RouteTables": 5}'],
    ["describe-subnets", '{"Subnets": ['],
  ])(
    "the latest capture's %s unreadable: skipped and named, the capture before it read, the same bytes, dollars and recommendations",
    async (call, body) => {
      const { run, file } = await damaged(async (lake) => {
        const path = join(lake, `inventory/aws/dt=2026-11-22/${LATEST}/${call}.json.gz`);
        await writeFile(path, gzipSync(body));
        return path;
      });
      skippedAlone(
        run,
        "skipped-describe",
        expect.stringContaining(`the recommendations read an earlier ${call}`),
        file,
      );
      expect(figures(run.output)).toEqual(figures(clean.output));
      expect(recommendations(run)).toEqual(recommendations(clean));
    },
  );

  test("a corrupt ip-ranges.json: read as absent and named (skipped-ip-ranges), not an internal error; the same bytes and dollars (the flow logs name AWS services)", async () => {
    const { run, file } = await damaged(async (lake) => {
      const path = join(lake, "inventory/aws/ip-ranges.json");
      await writeFile(path, '{"prefixes": [');
      return path;
    });
    skippedAlone(run, "skipped-ip-ranges", expect.stringContaining("not AWS's ip-ranges.json"), file);
    expect(figures(run.output)).toEqual(figures(clean.output));
  });

  test("a describe-availability-zones that is not the AWS CLI's output: skipped and named, the run completes, exit 4", async () => {
    const { run, file } = await damaged(async (lake) => {
      const path = (await files(lake, "inventory/aws", "describe-availability-zones.json.gz"))[0] as string;
      await writeFile(path, gzipSync("[]"));
      return path;
    });
    skippedAlone(
      run,
      "skipped-describe",
      expect.stringContaining("not a valid AWS CLI describe output"),
      file,
    );
  });

  test("a second CUR file missing a column: skipped and named (the billing period's dollars omit it), the rest billed as before", async () => {
    const { run, file } = await damaged(async (lake) => {
      const cur = await curFile(lake);
      const broken = cur.replace(/\.snappy\.parquet$/, "-broken.snappy.parquet");
      await duck(
        `COPY (SELECT * EXCLUDE (line_item_unblended_cost) FROM read_parquet('${cur}')) TO '${broken}' (FORMAT parquet)`,
      );
      return broken;
    });
    skippedAlone(
      run,
      "skipped-cur-file",
      expect.stringMatching(/line_item_unblended_cost.*BILLING_PERIOD=2026-11/),
      file,
    );
    expect(figures(run.output)).toEqual(figures(clean.output));
  });

  test("the billing period's only CUR file unreadable: skipped and named, the day estimated, and the warning says the lines may be in that file, exit 4", async () => {
    const { run, file } = await damaged(async (lake) => {
      const cur = await curFile(lake);
      await writeFile(cur, (await readFile(cur)).subarray(0, 1000));
      return cur;
    });
    skippedAlone(run, "skipped-cur-file", expect.stringMatching(/unreadable.*BILLING_PERIOD=2026-11/), file);
    expect(run.output.warnings).toContainEqual({
      code: "cur-without-lines",
      message:
        "2026-11-22: no network lines for this day in the CUR export's BILLING_PERIOD=2026-11 files that could be read (1 could not: skipped-cur-file); its dollars are list-price estimates",
    });
    expect(run.output.warnings.map((w) => w.code)).not.toContain("missing-cur");
    expect(run.output.reconciliation?.map((r) => r.billedCents)).toEqual([0]);
    expect(figures(run.output).bytes).toBe(figures(clean.output).bytes);
  });

  test("a plain .csv CUR export is found by discovery and read: billed to the same cent, exit 0", async () => {
    const { run } = await damaged(async (lake) => {
      const cur = await curFile(lake);
      await duck(
        `COPY (SELECT * FROM read_parquet('${cur}')) TO '${cur.replace(/\.snappy\.parquet$/, ".csv")}' (FORMAT csv, HEADER true)`,
      );
      await rm(cur);
      return undefined;
    });
    expect(run.code).toBe(0);
    expect(run.output.warnings.map((w) => w.code)).not.toContain("missing-cur");
    expect(figures(run.output)).toEqual(figures(clean.output));
  });
});

describe("a CUR billing period with no lines", async () => {
  const lake = await tempDir("cur-empty");
  await generateScenario({ outDir: lake, seed: 7 });
  const cur = (await readdir(join(lake, "billing"), { recursive: true })).find((f) => f.endsWith(".parquet"));
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const path = join(lake, "billing", cur as string);
  await connection.run(
    `COPY (SELECT * FROM read_parquet('${path}') WHERE false) TO '${path.replace(/\.snappy\.parquet$/, ".csv")}' (FORMAT csv, HEADER true)`,
  );
  connection.closeSync();
  instance.closeSync();
  await rm(path);
  const { code, output } = await analyzeJson(lake);

  test("is read, says so (list-price estimates because the period holds no lines), and is not mistaken for no CUR", () => {
    expect(code).toBe(0);
    expect(output.reconciliation?.map((r) => r.billedCents)).toEqual([0]);
    expect(output.warnings).toContainEqual({
      code: "cur-without-lines",
      message: expect.stringContaining("BILLING_PERIOD=2026-11 holds no network lines"),
    });
    expect(output.warnings.map((w) => w.code)).not.toContain("missing-cur");
  });
});
