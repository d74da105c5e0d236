import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  buildIdentity,
  IP_RANGES_KEY,
  IP_RANGES_TABLE_KEY,
  ipRangeRows,
  parseIpRanges,
} from "@flowcost/core";
import { readAwsInventory } from "@flowcost/functions/adapters/aws-inventory";
import { readKubernetesInventory } from "@flowcost/functions/adapters/kubernetes-api";
import { type InventoryStore, takeInventorySnapshot } from "@flowcost/functions/jobs/inventory-snapshot";
import { DuckDbEngine } from "@flowcost/local/engine/duckdb-engine";
import {
  findAwsSnapshots,
  findSnapshots,
  readAwsSnapshot,
  readSnapshot,
} from "@flowcost/local/lake/inventory-files";
import { scenarioIpRanges } from "@flowcost/local/scenario/ip-ranges";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FakeKubeApi, startFakeKubeApi } from "../support/fake-kube-api.ts";
import { tempDir } from "../support/temp.ts";

const VPC = "vpc-0123456789abcdef0";
const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);

/** The lake as a local folder: the same keys S3 would hold. */
const folderStore = (root: string): InventoryStore => ({
  async putGzip(key, body) {
    await mkdir(dirname(join(root, key)), { recursive: true });
    await writeFile(join(root, key), body);
  },
});
/** The same, also taking plain JSON (AWS's ip-ranges.json). */
const fullStore = (root: string): InventoryStore => ({
  ...folderStore(root),
  putJson: (key, body) => folderStore(root).putGzip(key, body),
});

let api: FakeKubeApi;
beforeAll(async () => {
  api = await startFakeKubeApi({
    pods: 120,
    nodes: 6,
    services: 5,
    token: "tok",
    externalSnat: true,
    expireFirstContinue: ["pods"],
  });
  ec2.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      {
        NetworkInterfaceId: "eni-0nat",
        // The SDK's enum spelling; the AWS CLI prints nat_gateway. Both classify alike.
        InterfaceType: "natGateway",
        Description: "Interface for NAT Gateway nat-0abc",
        RequesterManaged: true,
        AvailabilityZone: "us-east-1b",
        VpcId: VPC,
        OwnerId: "111122223333",
        PrivateIpAddress: "10.0.200.10",
        PrivateIpAddresses: [{ PrivateIpAddress: "10.0.200.10", Primary: true }],
      },
      {
        NetworkInterfaceId: "eni-0node0",
        InterfaceType: "interface",
        Description: "",
        AvailabilityZone: "us-east-1a",
        VpcId: VPC,
        OwnerId: "111122223333",
        Attachment: { InstanceId: "i-00000000000000000", DeviceIndex: 0 },
        PrivateIpAddress: "10.0.0.4",
        PrivateIpAddresses: [
          { PrivateIpAddress: "10.0.0.4", Primary: true },
          { PrivateIpAddress: "10.64.0.4", Primary: false },
        ],
      },
    ],
  });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({
    AvailabilityZones: [
      { ZoneName: "us-east-1a", ZoneId: "use1-az4" },
      { ZoneName: "us-east-1b", ZoneId: "use1-az6" },
      { ZoneName: "us-east-1c", ZoneId: "use1-az1" },
    ],
  });
  ec2.on(DescribeNatGatewaysCommand).resolves({
    NatGateways: [
      { NatGatewayId: "nat-0abc", VpcId: VPC, NatGatewayAddresses: [{ NetworkInterfaceId: "eni-0nat" }] },
    ],
  });
  elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
  elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
  elbv2.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
});
afterAll(async () => {
  await api.close();
});

describe("inventory snapshot job -> lake files -> identity", () => {
  test("a snapshot lands under the lake's inventory keys for the scheduled time and builds identity", async () => {
    const lake = await tempDir("inventory-snapshot");
    const sources = {
      readKubernetes: () => readKubernetesInventory({ server: api.url, token: "tok" }, { pageSize: 50 }),
      readAws: () =>
        readAwsInventory({ ec2: new EC2Client({}), elbv2: new ElasticLoadBalancingV2Client({}) }, VPC),
    };

    const first = await takeInventorySnapshot(
      { store: folderStore(lake), sources },
      { cluster: "shop-prod", scheduledTime: "2026-11-22T10:15:00Z" },
    );
    await takeInventorySnapshot(
      { store: folderStore(lake), sources },
      { cluster: "shop-prod", scheduledTime: "2026-11-22T10:20:00Z" },
    );

    expect(first.keys).toEqual([
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-network-interfaces.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-availability-zones.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-nat-gateways.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-load-balancers.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-target-groups.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-tags.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-load-balancer-attributes.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-target-group-attributes.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-vpc-endpoints.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-route-tables.json.gz",
      "inventory/aws/dt=2026-11-22/20261122T101500Z/describe-subnets.json.gz",
      "inventory/kubernetes/cluster=shop-prod/dt=2026-11-22/20261122T101500Z.json.gz",
    ]);
    expect(first.items).toEqual({ Pod: 120, Node: 6, Service: 5, EndpointSlice: 5, DaemonSet: 1 });
    expect(first.restarts.pods).toBe(1);

    const snapshotFiles = await findSnapshots(lake);
    expect(snapshotFiles.map((f) => [f.cluster, f.capturedAt])).toEqual([
      ["shop-prod", Date.UTC(2026, 10, 22, 10, 15) / 1000],
      ["shop-prod", Date.UTC(2026, 10, 22, 10, 20) / 1000],
    ]);
    const snapshots = [];
    for (const f of snapshotFiles)
      snapshots.push({ capturedAt: f.capturedAt, inventory: await readSnapshot(f) });
    const aws = [];
    for (const folder of await findAwsSnapshots(lake)) {
      const capture = await readAwsSnapshot(folder);
      if (capture) aws.push(capture);
    }

    const identity = buildIdentity({
      clusters: [{ cluster: "shop-prod", snapshots }],
      aws,
      zones: new Map(),
      periodSeconds: 300,
    });

    const stats = identity.clusters[0];
    expect(stats?.externalSnat).toEqual({ enabled: true, source: "aws-node" });
    expect(stats?.snapshots).toBe(2);
    expect(stats?.missedSnapshots).toBe(0);
    const kinds: Record<string, number> = {};
    for (const i of identity.intervals) kinds[i.kind] = (kinds[i.kind] ?? 0) + 1;
    expect(kinds).toEqual({ pod: 120, node: 6, nat_gateway: 1 });
    expect(identity.intervals.find((i) => i.ip === "10.64.0.4")).toMatchObject({
      kind: "pod",
      workloadKind: "Deployment",
      workload: "svc-0",
      namespace: "team-0",
      azId: "use1-az4",
    });
    expect(identity.intervals.find((i) => i.kind === "nat_gateway")).toMatchObject({
      ip: "10.0.200.10",
      cluster: "shop-prod",
      resourceId: "nat-0abc",
      azId: "use1-az6",
      validFrom: Date.UTC(2026, 10, 22, 10, 15) / 1000,
      validTo: Date.UTC(2026, 10, 22, 10, 25) / 1000,
    });
    expect(identity.network.interfacesByClass).toEqual({ nat_gateway: 1, kubernetes: 1 });
    expect(identity.overlaps).toBe(0);
  });
});

describe("AWS's ip-ranges.json, refreshed by the day's first snapshot", () => {
  test("00:00 writes the document as AWS publishes it and the aws_ip_ranges rows; 00:05 leaves them; the local engine reads the document", async () => {
    const lake = await tempDir("inventory-ip-ranges");
    const published = `${JSON.stringify(scenarioIpRanges(Date.UTC(2026, 10, 21) / 1000), null, 2)}\n`;
    let downloads = 0;
    const sources = {
      readKubernetes: () => readKubernetesInventory({ server: api.url, token: "tok" }, { pageSize: 50 }),
      readAws: () =>
        readAwsInventory({ ec2: new EC2Client({}), elbv2: new ElasticLoadBalancingV2Client({}) }, VPC),
      readIpRanges: async () => {
        downloads++;
        return published;
      },
    };
    const midnight = await takeInventorySnapshot(
      { store: fullStore(lake), sources },
      { cluster: "shop-prod", scheduledTime: "2026-11-22T00:00:00Z" },
    );
    const later = await takeInventorySnapshot(
      { store: fullStore(lake), sources },
      { cluster: "shop-prod", scheduledTime: "2026-11-22T00:05:00Z" },
    );
    expect(downloads).toBe(1);
    expect(midnight.keys.slice(-2)).toEqual([IP_RANGES_KEY, IP_RANGES_TABLE_KEY]);
    expect(later.keys).not.toContain(IP_RANGES_KEY);
    expect(await readFile(join(lake, IP_RANGES_KEY), "utf8")).toBe(published);
    const lines = gunzipSync(await readFile(join(lake, IP_RANGES_TABLE_KEY)))
      .toString()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(ipRangeRows(parseIpRanges(published)));
    const engine = await DuckDbEngine.open({ lakeDir: lake });
    try {
      const rows = await engine.run(
        "SELECT service, count(*) AS n FROM aws_ip_ranges WHERE service IN ('S3', 'DYNAMODB') GROUP BY service ORDER BY service",
      );
      expect(rows).toEqual([
        { service: "DYNAMODB", n: 1n },
        { service: "S3", n: 2n },
      ]);
    } finally {
      engine.close();
    }
  });
});
