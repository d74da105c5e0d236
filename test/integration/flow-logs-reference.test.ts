import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ledgerBalances } from "@flowcost/core";
import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import { compactFlowLogs } from "@flowcost/local/jobs/compact";
import { findFlowLogFiles } from "@flowcost/local/lake/flow-log-files";
import { afterAll, describe, expect, test } from "vitest";
import { asDelivered, docsSections, writeFlowLogObject } from "../fixtures/flow-logs/objects.ts";
import { tempDir } from "../support/temp.ts";

const REFERENCE = "/work/shared/reference-data/vpc-flow-logs";

/** The 5-minute bucket an object holding a record ending at `end` is named after. */
const bucket = (end: number) => end - (end % 300);

describe("every record of the AWS docs examples and the OpenTelemetry sample parses to the documented values", async () => {
  const lakeDir = await tempDir("flow-reference");
  const root = join(lakeDir, "vpc-flow-logs");
  const sections = docsSections(
    await readFile(join(REFERENCE, "aws-docs-flow-log-record-examples.txt"), "utf8"),
  );
  // One object per 5-minute bucket of `end`, as AWS files them; blocks without time fields
  // (NAT, transit gateway) become one object under an arbitrary time.
  const objectsOf = new Map<string, string[]>();
  for (const [title, block] of sections) {
    const delivered = asDelivered(block);
    const header = /^\d/.test(delivered[0] ?? "") ? undefined : delivered[0];
    const endAt = header?.split(" ").indexOf("end") ?? 11;
    const buckets = new Map<number, string[]>();
    for (const line of header ? delivered.slice(1) : delivered) {
      const end = Number(line.trim().split(/\s+/)[endAt]);
      const time = Number.isFinite(end) && endAt >= 0 ? bucket(end) : 1700000000;
      buckets.set(time, [...(buckets.get(time) ?? []), line]);
    }
    const paths: string[] = [];
    for (const [fileTime, lines] of buckets) {
      paths.push(await writeFlowLogObject(root, { lines: header ? [header, ...lines] : lines, fileTime }));
    }
    objectsOf.set(title, paths);
  }
  const otel = (await readFile(join(REFERENCE, "otel-valid_vpc_flow_log.log"), "utf8")).trim().split("\n");
  objectsOf.set("otel", [await writeFlowLogObject(root, { lines: otel, fileTime: bucket(1742570142) })]);
  const files = (title: string) => (objectsOf.get(title) ?? []).map((p) => `'${p}'`).join(", ");

  const engine = await DuckDbEngine.open({ lakeDir });
  afterAll(() => engine.close());
  const { ledger } = await compactFlowLogs(engine, lakeDir, await findFlowLogFiles(lakeDir));
  const raw = async (title: string) =>
    engine.run(
      `SELECT * FROM raw_flow_logs WHERE source_file IN (${files(title)}) ORDER BY "start", bytes, srcaddr, interface_id`,
    );
  /** The section's objects' ledgers added up. */
  const fileLedger = (title: string) => {
    const mine = ledger.files.filter((f) => objectsOf.get(title)?.includes(f.file));
    const total = (k: "read" | "used" | "nodata" | "skipdata" | "rejected") =>
      mine.reduce((s, f) => s + f[k], 0);
    const rejectedByReason: Record<string, number> = {};
    for (const f of mine)
      for (const [r, n] of Object.entries(f.rejectedByReason))
        rejectedByReason[r] = (rejectedByReason[r] ?? 0) + (n ?? 0);
    return {
      read: total("read"),
      used: total("used"),
      nodata: total("nodata"),
      skipdata: total("skipdata"),
      rejected: total("rejected"),
      rejectedByReason,
    };
  };
  const curated = (where: string) =>
    engine.run(`SELECT * FROM curated_flows WHERE ${where} ORDER BY first_start, srcaddr, dstaddr, bytes`);

  test("the ledger balances for every object and nothing is unaccounted", () => {
    expect(ledger.files).toHaveLength([...objectsOf.values()].flat().length);
    for (const f of ledger.files) expect(ledgerBalances(f)).toBe(true);
    expect(ledger.rejectedByReason.unaccounted).toBeUndefined();
    expect(ledger.failedObjects).toEqual([]);
    expect(ledger.compacted).toBe(ledger.used);
  });

  test("default v2 records: ACCEPT and REJECT kept with their numbers; ICMP has no service port", async () => {
    const rows = await raw("Accepted and rejected traffic");
    expect(
      rows.map((r) => [r.srcaddr, r.dstaddr, r.srcport, r.dstport, r.protocol, r.packets, r.bytes, r.action]),
    ).toEqual([
      ["172.31.16.139", "172.31.16.21", 20641, 22, 6, 20n, 4249n, "ACCEPT"],
      ["172.31.9.69", "172.31.9.12", 49761, 3389, 6, 20n, 4249n, "REJECT"],
    ]);
    expect(fileLedger("Accepted and rejected traffic")).toMatchObject({ read: 2, used: 2, rejected: 0 });
    const icmp = await curated("protocol = 1");
    expect(icmp.map((r) => [r.srcaddr, r.dstaddr, r.service_port, r.action])).toEqual([
      ["203.0.113.12", "172.31.16.139", null, "ACCEPT"],
      ["172.31.16.139", "203.0.113.12", null, "REJECT"],
    ]);
  });

  test("without flow-direction, the private address in every record of the ENI is its own: ping in, reply out", async () => {
    const icmp = await curated("protocol = 1");
    expect(icmp.map((r) => [r.flow_direction, r.direction_inferred])).toEqual([
      ["ingress", true],
      ["egress", true],
    ]);
  });

  test("NODATA and SKIPDATA are counted, never traffic; SKIPDATA is a data gap of its ENI and window", () => {
    expect(fileLedger("No data and skipped records")).toMatchObject({
      read: 2,
      used: 0,
      nodata: 1,
      skipdata: 1,
      rejected: 0,
    });
    expect(ledger.dataGaps).toEqual([
      {
        interfaceId: "eni-11111111aaaaaaaaa",
        start: 1431280876,
        end: 1431280934,
        file: objectsOf.get("No data and skipped records")?.[0],
      },
    ]);
  });

  test("IPv6 addresses are kept whole", async () => {
    const [row] = await raw("IPv6 traffic");
    expect([row?.srcaddr, row?.dstaddr, row?.bytes]).toEqual([
      "2001:db8:1234:a100:8d6e:3477:df66:f105",
      "2001:db8:1234:a102:3304:8879:34cf:4071",
      8855n,
    ]);
  });

  test("TCP flags in a v3 custom order, including the docs line with a doubled space", async () => {
    const rows = await raw("TCP flag sequence");
    expect(rows.map((r) => [r.srcport, r.dstport, r.tcp_flags, r.bytes, r.packets])).toEqual([
      [5001, 43416, 18, 376n, 7n],
      [43416, 5001, 2, 568n, 8n],
      [5001, 43418, 18, 632n, 12n],
      [43418, 5001, 2, 100701n, 70n],
      [5001, 43418, 1, 63388n, 1219n],
      [43418, 5001, 1, 23294588n, 15774n],
      [5001, 43638, 19, 967n, 14n],
      [43638, 5001, 3, 1260n, 17n],
    ]);
    expect(rows.every((r) => r.vpc_id === "vpc-abcdefab012345678" && r.type === "IPv4")).toBe(true);
    expect(fileLedger("TCP flag sequence")).toMatchObject({ read: 8, used: 8, rejected: 0 });
  });

  test("NAT gateway legs keep ENI-level and packet-level addresses apart", async () => {
    const rows = await engine.run(
      `SELECT instance_id, interface_id, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr FROM raw_flow_logs
       WHERE source_file IN (${files("Traffic through a NAT gateway")})`,
    );
    expect(rows).toEqual([
      {
        instance_id: null,
        interface_id: "eni-1235b8ca123456789",
        srcaddr: "10.0.1.5",
        dstaddr: "10.0.0.220",
        pkt_srcaddr: "10.0.1.5",
        pkt_dstaddr: "203.0.113.5",
      },
      {
        instance_id: null,
        interface_id: "eni-1235b8ca123456789",
        srcaddr: "10.0.0.220",
        dstaddr: "203.0.113.5",
        pkt_srcaddr: "10.0.0.220",
        pkt_dstaddr: "203.0.113.5",
      },
      {
        instance_id: null,
        interface_id: "eni-1235b8ca123456789",
        srcaddr: "203.0.113.5",
        dstaddr: "10.0.0.220",
        pkt_srcaddr: "203.0.113.5",
        pkt_dstaddr: "10.0.0.220",
      },
      {
        instance_id: null,
        interface_id: "eni-1235b8ca123456789",
        srcaddr: "10.0.0.220",
        dstaddr: "10.0.1.5",
        pkt_srcaddr: "203.0.113.5",
        pkt_dstaddr: "10.0.1.5",
      },
      {
        instance_id: "i-01234567890123456",
        interface_id: "eni-1111aaaa2222bbbb3",
        srcaddr: "10.0.1.5",
        dstaddr: "203.0.113.5",
        pkt_srcaddr: "10.0.1.5",
        pkt_dstaddr: "203.0.113.5",
      },
      {
        instance_id: "i-01234567890123456",
        interface_id: "eni-1111aaaa2222bbbb3",
        srcaddr: "203.0.113.5",
        dstaddr: "10.0.1.5",
        pkt_srcaddr: "203.0.113.5",
        pkt_dstaddr: "10.0.1.5",
      },
    ]);
    // The block has no start or bytes: read and booked, but it cannot be traffic.
    expect(fileLedger("Traffic through a NAT gateway")).toMatchObject({
      read: 6,
      used: 0,
      rejectedByReason: { invalid_record: 6 },
    });
  });

  test("transit gateway records (the docs' `...` elision is not a record)", async () => {
    const rows = await raw("Traffic through a transit gateway");
    expect(rows.map((r) => [r.interface_id, r.srcaddr, r.pkt_srcaddr, r.tcp_flags])).toEqual([
      ["eni-33333333333333333", "10.20.33.164", "10.20.33.164", 3],
      ["eni-11111111111111111", "10.40.1.175", "10.20.33.164", 3],
      ["eni-22222222222222222", "10.40.2.236", "10.40.2.236", 19],
      ["eni-33333333333333333", "10.40.2.236", "10.40.2.236", 19],
    ]);
    expect(fileLedger("Traffic through a transit gateway")?.read).toBe(4);
  });

  test("v5: S3 as pkt-dst-aws-service, traffic-path 8 on egress only, flow-direction as logged", async () => {
    const rows = await curated("region = 'ap-southeast-2'");
    expect(
      rows.map((r) => [
        r.flow_direction,
        r.direction_inferred,
        r.pkt_src_aws_service,
        r.pkt_dst_aws_service,
        r.traffic_path,
        r.az_id,
        r.bytes,
        r.service_port,
      ]),
    ).toEqual(
      [
        // Curated bytes are BIGINT (a 64-bit integer, as Athena declares them), never a double.
        ["egress", false, null, "S3", 8, "apse2-az3", 471n, 80],
        ["ingress", false, "S3", null, null, "apse2-az3", 15044n, 80],
      ].sort((a, b) => (a[0] === "egress" ? -1 : 1) - (b[0] === "egress" ? -1 : 1)),
    );
  });

  test("the OpenTelemetry sample: header, one NODATA record, an 11-digit account kept as text", async () => {
    const [row] = await raw("otel");
    expect([row?.account_id, row?.interface_id, row?.log_status, row?.srcaddr, row?.bytes]).toEqual([
      "12345678910",
      "eni-0eb1e4178af74336c",
      "NODATA",
      null,
      null,
    ]);
    expect(fileLedger("otel")).toMatchObject({ read: 1, used: 0, nodata: 1, rejected: 0 });
  });
});
