import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  ipIdentityFromStaging,
  type MaterializeResult,
  type MaterializeTarget,
  type QueryDefinition,
  type QueryEngine,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { fillTemplate, glueTableArgs, parseTableDdl } from "../../../infra/glue-ddl.ts";
import {
  buildRecentIdentity,
  type IdentityLake,
  identityDays,
  stagingKey,
} from "../../../packages/functions/src/jobs/build-identity.ts";

const T = Date.UTC(2026, 10, 22) / 1000; // 2026-11-22 00:00 UTC
const DAY = 86400;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
const stamp = (seconds: number) => iso(seconds).replace(/[-:]/g, "");
const dtOf = (seconds: number) => iso(seconds).slice(0, 10);

const NODE = "ip-10-0-1-5.ec2.internal";
const INSTANCE = "i-0a99d3bb7b27d62ac";
const VPC = "vpc-0123456789abcdef0";

const node = {
  kind: "Node",
  metadata: {
    name: NODE,
    uid: "uid-node",
    labels: { "topology.kubernetes.io/zone": "us-east-1a" },
    creationTimestamp: iso(T - 10 * DAY),
  },
  spec: { providerID: `aws:///us-east-1a/${INSTANCE}` },
  status: { addresses: [{ type: "InternalIP", address: "10.0.1.5" }] },
};

function pod(name: string, uid: string, ip: string, created: number, owner: { kind: string; name: string }) {
  return {
    kind: "Pod",
    metadata: {
      name,
      namespace: "shop",
      uid,
      creationTimestamp: iso(created),
      labels: owner.kind === "ReplicaSet" ? { "pod-template-hash": "7d9f8" } : {},
      ownerReferences: [
        { apiVersion: "apps/v1", kind: owner.kind, name: owner.name, uid: "x", controller: true },
      ],
    },
    spec: { nodeName: NODE },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }], hostIP: "10.0.1.5" },
  };
}

const api = pod("api-7d9f8-abcde", "u-api", "10.0.1.20", T - 7200, { kind: "ReplicaSet", name: "api-7d9f8" });
// 10.0.1.40 changes hands across midnight: a CronJob's pod until 00:00, then web from 00:02.
const report = pod("report-29400000-x1", "u-report", "10.0.1.40", T - 1800, {
  kind: "Job",
  name: "report-29400000",
});
const web = pod("web-0", "u-web", "10.0.1.40", T + 120, { kind: "StatefulSet", name: "web" });
const late = pod("late-0", "u-late", "10.0.1.50", T + 1400, { kind: "StatefulSet", name: "late" });

const list = (...items: unknown[]) => ({ apiVersion: "v1", kind: "List", items });

/**
 * Snapshots at 23:55, 00:00, 00:05 and 00:25 (after the 00:20 run's scheduled time, so never
 * read by it); one AWS capture at 00:00 holding a NAT gateway ENI and the node's ENI.
 */
function inventory(): Map<string, unknown> {
  const k8s = (at: number, ...items: unknown[]) =>
    [`inventory/kubernetes/cluster=shop-prod/dt=${dtOf(at)}/${stamp(at)}.json.gz`, list(...items)] as const;
  const aws = (at: number, call: string, value: unknown) =>
    [`inventory/aws/dt=${dtOf(at)}/${stamp(at)}/${call}.json.gz`, value] as const;
  return new Map<string, unknown>([
    k8s(T - 300, node, api, report),
    k8s(T, node, api),
    k8s(T + 300, node, api, web),
    k8s(T + 1500, node, api, web, late),
    aws(T, "describe-network-interfaces", {
      NetworkInterfaces: [
        {
          NetworkInterfaceId: "eni-0nat",
          InterfaceType: "nat_gateway",
          Description: "Interface for NAT Gateway nat-0abc",
          RequesterManaged: true,
          AvailabilityZone: "us-east-1b",
          VpcId: VPC,
          OwnerId: "111122223333",
          PrivateIpAddress: "10.0.200.10",
          PrivateIpAddresses: [{ PrivateIpAddress: "10.0.200.10", Primary: true }],
        },
        {
          NetworkInterfaceId: "eni-0node",
          InterfaceType: "interface",
          AvailabilityZone: "us-east-1a",
          VpcId: VPC,
          OwnerId: "111122223333",
          Attachment: { InstanceId: INSTANCE, DeviceIndex: 0 },
          PrivateIpAddress: "10.0.1.5",
          PrivateIpAddresses: [
            { PrivateIpAddress: "10.0.1.5", Primary: true },
            { PrivateIpAddress: "10.0.1.20", Primary: false },
          ],
        },
      ],
    }),
    aws(T, "describe-availability-zones", {
      AvailabilityZones: [
        { ZoneName: "us-east-1a", ZoneId: "use1-az4" },
        { ZoneName: "us-east-1b", ZoneId: "use1-az6" },
      ],
    }),
    aws(T, "describe-nat-gateways", {
      NatGateways: [
        { NatGatewayId: "nat-0abc", VpcId: VPC, NatGatewayAddresses: [{ NetworkInterfaceId: "eni-0nat" }] },
      ],
    }),
    aws(T, "describe-load-balancers", { LoadBalancers: [] }),
    aws(T, "describe-tags", { TagDescriptions: [] }),
  ]);
}

interface FakeLake extends IdentityLake {
  readonly json: Map<string, unknown>;
  readonly objects: Map<string, Uint8Array>;
  readonly log: string[];
}

function fakeLake(json = inventory()): FakeLake {
  const objects = new Map<string, Uint8Array>();
  const log: string[] = [];
  const keys = () => [...json.keys(), ...objects.keys()].sort();
  return {
    json,
    objects,
    log,
    list: async (prefix) => keys().filter((k) => k.startsWith(prefix)),
    listFolders: async (prefix) => [
      ...new Set(
        keys()
          .filter((k) => k.startsWith(prefix) && k.indexOf("/", prefix.length) > 0)
          .map((k) => k.slice(prefix.length, k.indexOf("/", prefix.length))),
      ),
    ],
    getJson: async (key) => {
      if (!json.has(key)) throw new Error(`${key}: NoSuchKey`);
      return structuredClone(json.get(key));
    },
    putGzip: async (key, body) => {
      log.push(`put ${key}`);
      objects.set(key, body);
    },
    delete: async (deleted) => {
      if (deleted.length > 0) log.push(`delete ${deleted.join(" ")}`);
      for (const key of deleted) objects.delete(key);
    },
  };
}

interface MaterializeCall {
  readonly query: string;
  readonly params: unknown;
  readonly target: MaterializeTarget;
  /** The staged rows as Athena would have read them at that moment. */
  readonly staged: unknown[];
}

function fakeEngine(lake: FakeLake, fail?: Error): QueryEngine & { calls: MaterializeCall[] } {
  const calls: MaterializeCall[] = [];
  return {
    name: "athena",
    calls,
    query: () => Promise.reject(new Error("build-identity runs no plain query")),
    materialize: async (
      q: QueryDefinition,
      params: unknown,
      target: MaterializeTarget,
    ): Promise<MaterializeResult> => {
      const { dt, run } = params as { dt: string; run: string };
      const body = lake.objects.get(stagingKey(dt, run));
      const staged = body
        ? gunzipSync(body)
            .toString("utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line))
        : [];
      calls.push({ query: q.name, params: structuredClone(params), target: structuredClone(target), staged });
      if (fail) throw fail;
      return {
        rowsWritten: staged.length,
        partitionsWritten: staged.length > 0 ? [`dt=${dt}`] : [],
        stats: { engine: "athena", queryId: `q${calls.length}`, bytesScanned: 1024, elapsedMs: 1 },
      };
    },
  };
}

const podRow = (ip: string, ownerId: string, podName: string, kind: string, workload: string) => ({
  cluster: "shop-prod",
  ip,
  kind: "pod",
  owner_id: ownerId,
  namespace: "shop",
  pod_name: podName,
  workload_kind: kind,
  workload,
  node: NODE,
  az_id: "use1-az4",
  resource_id: null,
  service: null,
});
const nodeRow = {
  cluster: "shop-prod",
  ip: "10.0.1.5",
  kind: "node",
  owner_id: `node/${NODE}`,
  namespace: null,
  pod_name: null,
  workload_kind: "Node",
  workload: NODE,
  node: NODE,
  az_id: "use1-az4",
  resource_id: INSTANCE,
  service: null,
};
const natRow = {
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
};

const RUN = "20261122t002000z";
const AT_0020 = "2026-11-22T00:20:00Z";

describe("build-identity", () => {
  test("a run at 00:20 rebuilds yesterday and today: the day's rows staged as JSON lines, materialised into ip_identity, then removed", async () => {
    const lake = fakeLake();
    const engine = fakeEngine(lake);

    const results = await buildRecentIdentity({ lake, engine }, AT_0020);

    expect(engine.calls).toEqual([
      {
        query: "ip_identity_from_staging",
        params: { dt: "2026-11-21", run: RUN },
        target: { table: "ip_identity", prefix: "curated/ip_identity", partitions: [{ dt: "2026-11-21" }] },
        // Intervals clipped to the 21st: the node since its creation, api since 22:00, the
        // CronJob's pod from its creation at 23:30 to the 00:00 snapshot that no longer shows it.
        staged: [
          {
            ...podRow("10.0.1.20", "u-api", "api-7d9f8-abcde", "Deployment", "api"),
            valid_from: T - 7200,
            valid_to: T,
          },
          {
            ...podRow("10.0.1.40", "u-report", "report-29400000-x1", "CronJob", "report"),
            valid_from: T - 1800,
            valid_to: T,
          },
          { ...nodeRow, valid_from: T - DAY, valid_to: T },
        ],
      },
      {
        query: "ip_identity_from_staging",
        params: { dt: "2026-11-22", run: RUN },
        target: { table: "ip_identity", prefix: "curated/ip_identity", partitions: [{ dt: "2026-11-22" }] },
        // Until one period after the last snapshot read (00:05): the 00:25 snapshot comes after
        // the scheduled time and is not read, so `late` is absent and nothing reaches past 00:10.
        // web holds 10.0.1.40 from its creation at 00:02 (after the 00:00 snapshot).
        staged: [
          {
            ...podRow("10.0.1.20", "u-api", "api-7d9f8-abcde", "Deployment", "api"),
            valid_from: T,
            valid_to: T + 600,
          },
          {
            ...podRow("10.0.1.40", "u-web", "web-0", "StatefulSet", "web"),
            valid_from: T + 120,
            valid_to: T + 600,
          },
          { ...nodeRow, valid_from: T, valid_to: T + 600 },
          { ...natRow, valid_from: T, valid_to: T + 300 },
        ],
      },
    ]);
    expect(lake.log).toEqual([
      "put staging/ip_identity/dt=2026-11-21/run=20261122t002000z/part-0.json.gz",
      "delete staging/ip_identity/dt=2026-11-21/run=20261122t002000z/part-0.json.gz",
      "put staging/ip_identity/dt=2026-11-22/run=20261122t002000z/part-0.json.gz",
      "delete staging/ip_identity/dt=2026-11-22/run=20261122t002000z/part-0.json.gz",
    ]);
    expect(lake.objects.size).toBe(0);
    expect(results.map((r) => [r.dt, r.kubernetesSnapshots, r.awsCaptures, r.rows, r.overlaps])).toEqual([
      ["2026-11-21", 3, 1, 3, 0],
      ["2026-11-22", 3, 1, 4, 0],
    ]);
  });

  test("hourly runs after the first hour rebuild only the current UTC day", () => {
    expect(identityDays("2026-11-22T00:20:00Z").map((d) => d.dt)).toEqual(["2026-11-21", "2026-11-22"]);
    expect(identityDays("2026-11-22T01:20:00Z").map((d) => d.dt)).toEqual(["2026-11-22"]);
    expect(identityDays("2026-11-22T23:20:00Z").map((d) => d.dt)).toEqual(["2026-11-22"]);
  });

  test("a re-run of the same scheduled time makes identical calls and stages identical bytes", async () => {
    const lake = fakeLake();
    const first = fakeEngine(lake);
    await buildRecentIdentity({ lake, engine: first }, AT_0020);
    const firstLog = [...lake.log];
    lake.log.length = 0;
    const second = fakeEngine(lake);

    await buildRecentIdentity({ lake, engine: second }, AT_0020);

    expect(second.calls).toEqual(first.calls);
    expect(lake.log).toEqual(firstLog);
  });

  test("a stopped run's leftover staging objects for the day are removed before staging", async () => {
    const lake = fakeLake();
    const leftover = "staging/ip_identity/dt=2026-11-22/run=20261122t001500z/part-0.json.gz";
    lake.objects.set(leftover, new Uint8Array([31, 139]));

    await buildRecentIdentity({ lake, engine: fakeEngine(lake) }, "2026-11-22T01:20:00Z");

    expect(lake.log).toEqual([
      `delete ${leftover}`,
      "put staging/ip_identity/dt=2026-11-22/run=20261122t012000z/part-0.json.gz",
      "delete staging/ip_identity/dt=2026-11-22/run=20261122t012000z/part-0.json.gz",
    ]);
  });

  test("a failed materialisation throws (so the scheduler retries) and still removes the staged rows", async () => {
    const lake = fakeLake();
    const engine = fakeEngine(lake, new Error("query ip_identity_from_staging failed: HIVE_BAD_DATA"));

    await expect(buildRecentIdentity({ lake, engine }, "2026-11-22T01:20:00Z")).rejects.toThrow(
      /HIVE_BAD_DATA/,
    );
    expect(engine.calls).toHaveLength(1);
    expect(lake.objects.size).toBe(0);
  });

  test("a snapshot that is not a Kubernetes List fails naming its key, before anything is staged", async () => {
    const json = inventory();
    const bad = `inventory/kubernetes/cluster=shop-prod/dt=2026-11-22/${stamp(T + 300)}.json.gz`;
    json.set(bad, { kind: "List", items: "oops" });
    const lake = fakeLake(json);
    const engine = fakeEngine(lake);

    await expect(buildRecentIdentity({ lake, engine }, "2026-11-22T01:20:00Z")).rejects.toThrow(bad);
    expect(engine.calls).toEqual([]);
    expect(lake.log).toEqual([]);
  });
});

describe("the staged JSON lines and the Athena tables agree", () => {
  const ddlColumns = (file: string) => {
    const sql = readFileSync(join(import.meta.dirname, "../../../queries/ddl/athena", file), "utf8");
    const body = /CREATE EXTERNAL TABLE[^(]*\(([\s\S]*?)\n\)/.exec(sql)?.[1] ?? "";
    return body
      .split(",")
      .map((c) => c.trim().split(/\s+/))
      .filter((c) => c.length === 2);
  };

  test("each staged object's keys are exactly ip_identity_staging's columns, which are ip_identity's", async () => {
    const lake = fakeLake();
    const engine = fakeEngine(lake);
    await buildRecentIdentity({ lake, engine }, "2026-11-22T01:20:00Z");
    const staged = engine.calls[0]?.staged ?? [];

    // The openx JSON SerDe matches keys to columns by name; a missing key reads as NULL silently.
    const columns = ddlColumns("ip_identity_staging.sql");
    expect(staged).toHaveLength(5);
    for (const row of staged) expect(Object.keys(row as object)).toEqual(columns.map(([name]) => name));
    expect(columns).toEqual(ddlColumns("ip_identity.sql"));
    expect(Object.keys(ipIdentityFromStaging.row.shape)).toEqual([...columns.map(([name]) => name), "dt"]);
  });

  test("the Glue table infra creates from the DDL reads gzip JSON lines at the key the Lambda writes", () => {
    const file = "ip_identity_staging.sql";
    const sql = readFileSync(join(import.meta.dirname, "../../../queries/ddl/athena", file), "utf8");

    const glue = glueTableArgs(
      parseTableDdl(file, fillTemplate(file, sql, { LAKE_BUCKET: "flowcost-prod-lake" })),
      "flowcost_prod",
    );

    expect(glue.storageDescriptor.serDeInfo.serializationLibrary).toBe("org.openx.data.jsonserde.JsonSerDe");
    expect(glue.storageDescriptor.inputFormat).toBe("org.apache.hadoop.mapred.TextInputFormat");
    expect(glue.partitionKeys).toEqual([
      { name: "dt", type: "string" },
      { name: "run", type: "string" },
    ]);
    expect(glue.parameters).toMatchObject({
      classification: "json",
      "projection.enabled": "true",
      "projection.dt.type": "injected",
      "projection.run.type": "injected",
    });
    const location = glue.parameters["storage.location.template"]
      ?.replace(/\$\{dt\}/, "2026-11-22")
      .replace(/\$\{run\}/, RUN);
    expect(`${location}part-0.json.gz`).toBe(`s3://flowcost-prod-lake/${stagingKey("2026-11-22", RUN)}`);
  });
});
