import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type IpIdentityRow, ipIdentityFromStaging } from "@flowcost/core";
import { stagedRows, stagingKey } from "@flowcost/functions/jobs/build-identity";
import { describe, expect, test } from "vitest";
import { describeRun, openSqlLake } from "../support/sql-lake.ts";

const D = Date.UTC(2026, 10, 22) / 1000;
const dt = "2026-11-22";
const run = "20261122t102000z";

const podRow = (ip: string, uid: string, workload: string, from: number, to: number): IpIdentityRow => ({
  cluster: "shop-prod",
  ip,
  kind: "pod",
  owner_id: uid,
  namespace: "shop",
  pod_name: `${workload}-0`,
  workload_kind: "Deployment",
  workload,
  node: "ip-10-0-1-5.ec2.internal",
  az_id: "use1-az4",
  resource_id: null,
  service: null,
  valid_from: from,
  valid_to: to,
});
const natRow: IpIdentityRow = {
  cluster: "shop-prod",
  ip: "10.0.200.10",
  kind: "nat_gateway",
  owner_id: "nat-0abc",
  namespace: null,
  pod_name: null,
  workload_kind: "NatGateway",
  workload: "nat-0abc",
  node: null,
  az_id: "use1-az6",
  resource_id: "nat-0abc",
  service: null,
  valid_from: D,
  valid_to: D + 37200,
};

/**
 * The local stand-in for Athena's `ip_identity_staging` (JSON SerDe, partitions dt and run from
 * the key): DuckDB's newline-delimited JSON reader with the same columns and Hive partitions.
 */
const STAGING_VIEW = (lakeDir: string) => `
  CREATE OR REPLACE VIEW ip_identity_staging AS
  SELECT * FROM read_json('${join(lakeDir, "staging/ip_identity/*/*/*.json.gz")}',
    format = 'newline_delimited', hive_partitioning = true,
    hive_types = {'dt': 'VARCHAR', 'run': 'VARCHAR'},
    columns = {cluster: 'VARCHAR', ip: 'VARCHAR', kind: 'VARCHAR', owner_id: 'VARCHAR',
      namespace: 'VARCHAR', pod_name: 'VARCHAR', workload_kind: 'VARCHAR', workload: 'VARCHAR',
      node: 'VARCHAR', az_id: 'VARCHAR', resource_id: 'VARCHAR', service: 'VARCHAR',
      valid_from: 'BIGINT', valid_to: 'BIGINT'})`;

async function stage(lakeDir: string, day: string, runId: string, rows: IpIdentityRow[]) {
  const path = join(lakeDir, stagingKey(day, runId));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stagedRows(rows));
}

describe("ip_identity_from_staging", () => {
  test("returns exactly one run's staged rows for one day, nulls and integers intact, with dt", async () => {
    const { lakeDir, engine } = await openSqlLake("sql-identity-staging");
    const rows = [podRow("10.0.1.20", "u-api", "api", D, D + 37500), natRow];
    await stage(lakeDir, dt, run, rows);
    // Another run of the same day and the same run id on another day must not leak in.
    await stage(lakeDir, dt, "20261122t092000z", [podRow("10.0.9.9", "u-old", "old", D, D + 33900)]);
    await stage(lakeDir, "2026-11-21", run, [podRow("10.0.8.8", "u-prev", "prev", D - 600, D)]);
    await engine.run(STAGING_VIEW(lakeDir));

    const result = await engine.query(ipIdentityFromStaging, { dt, run });

    expect(
      [...result.rows].sort((a, b) => (a.ip < b.ip ? -1 : 1)),
      await describeRun(ipIdentityFromStaging, { dt, run }),
    ).toEqual(rows.map((r) => ({ ...r, dt })));
  });

  test("an unsafe run id is refused before any SQL runs", async () => {
    const { engine } = await openSqlLake("sql-identity-staging-bad");
    await expect(engine.query(ipIdentityFromStaging, { dt, run: "x' OR '1'='1" })).rejects.toThrow(/run id/);
  });
});
