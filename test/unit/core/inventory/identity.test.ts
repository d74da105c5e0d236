import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AwsSnapshot,
  buildIdentity,
  buildIdentityIntervals,
  type IdentityInterval,
  type KubernetesInventory,
  readKubernetesList,
  readLoadBalancers,
  readLoadBalancerTags,
  readNatGateways,
  readNetworkInterfaces,
  type Snapshot,
  zoneMapFrom,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0) / 1000;
const PERIOD = 300;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

function node(name: string, ip: string, labels: Record<string, string>, instance = "i-0a99d3bb7b27d62ac") {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `uid-${name}`, labels, creationTimestamp: iso(T0 - 86400) },
    spec: { providerID: `aws:///us-east-1a/${instance}` },
    status: {
      addresses: [
        { type: "InternalIP", address: ip },
        { type: "Hostname", address: name },
      ],
    },
  };
}

function pod(
  name: string,
  ip: string,
  options: {
    uid?: string;
    created?: number;
    phase?: string;
    hostNetwork?: boolean;
    owner?: { kind: string; name: string };
    hash?: string;
  } = {},
) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "shop",
      uid: options.uid ?? `uid-${name}`,
      creationTimestamp: iso(options.created ?? T0 - 3600),
      labels: options.hash ? { "pod-template-hash": options.hash } : {},
      ownerReferences: options.owner
        ? [
            {
              apiVersion: "apps/v1",
              kind: options.owner.kind,
              name: options.owner.name,
              uid: "x",
              controller: true,
            },
          ]
        : undefined,
    },
    spec: { nodeName: "ip-10-0-0-77.ec2.internal", hostNetwork: options.hostNetwork },
    status: { phase: options.phase ?? "Running", podIP: ip, podIPs: [{ ip }], hostIP: "10.0.0.77" },
  };
}

const zoneLabels = { "topology.kubernetes.io/zone": "us-east-1a" };
const list = (...items: unknown[]) => ({
  apiVersion: "v1",
  kind: "List",
  items,
  metadata: { resourceVersion: "" },
});
const snapshot = (at: number, ...items: unknown[]): Snapshot => ({
  capturedAt: at,
  inventory: readKubernetesList(list(...items), `snapshot@${at}`),
});
/** What a flow at time t from/to `ip` resolves to: every interval holding the address then. */
const ownersAt = (intervals: IdentityInterval[], ip: string, t: number) =>
  intervals
    .filter((i) => i.ip === ip && i.validFrom <= t && t < i.validTo)
    .map((i) => i.podName ?? i.ownerId);

const zones = new Map([
  ["us-east-1a", "use1-az4"],
  ["us-east-1b", "use1-az6"],
]);
const theNode = node("ip-10-0-0-77.ec2.internal", "10.0.0.77", zoneLabels);

describe("Kubernetes snapshots -> address intervals", () => {
  test("two pods that hold one IP at different times each own it in their own interval", () => {
    const cart = pod("cart-7d4b9c-x2x9z", "10.0.0.78", {
      owner: { kind: "ReplicaSet", name: "cart-7d4b9c" },
      hash: "7d4b9c",
    });
    const report = pod("nightly-report-29412345-abcde", "10.0.0.78", {
      created: T0 + 2 * PERIOD + 60,
      owner: { kind: "Job", name: "nightly-report-29412345" },
    });
    const snapshots = [
      snapshot(T0, theNode, cart),
      snapshot(T0 + PERIOD, theNode, cart),
      snapshot(T0 + 2 * PERIOD, theNode),
      snapshot(T0 + 3 * PERIOD, theNode, report),
      snapshot(T0 + 4 * PERIOD, theNode, report),
    ];

    const build = buildIdentityIntervals("shop-prod", snapshots, zones, PERIOD);

    const forIp = build.intervals.filter((i) => i.ip === "10.0.0.78");
    expect(forIp.map((i) => [i.workloadKind, i.workload, i.validFrom, i.validTo])).toEqual([
      ["Deployment", "cart", T0 - 3600, T0 + 2 * PERIOD],
      ["CronJob", "nightly-report", T0 + 2 * PERIOD + 60, T0 + 5 * PERIOD],
    ]);
    expect(ownersAt(build.intervals, "10.0.0.78", T0 + PERIOD + 10)).toEqual(["cart-7d4b9c-x2x9z"]);
    expect(ownersAt(build.intervals, "10.0.0.78", T0 + 3 * PERIOD + 10)).toEqual([
      "nightly-report-29412345-abcde",
    ]);
    expect(forIp.every((i) => i.azId === "use1-az4" && i.node === "ip-10-0-0-77.ec2.internal")).toBe(true);
    expect(build.stats.overlaps).toBe(0);
  });

  test("when the new pod appears before a snapshot shows the old one gone, the shared stretch is an overlap, not a guess", () => {
    const old = pod("old", "10.0.0.79");
    const next = pod("next", "10.0.0.79", { created: T0 + PERIOD - 100 });
    const build = buildIdentityIntervals(
      "shop-prod",
      [snapshot(T0, theNode, old), snapshot(T0 + PERIOD, theNode, next)],
      zones,
      PERIOD,
    );
    expect(ownersAt(build.intervals, "10.0.0.79", T0 + PERIOD - 50).sort()).toEqual(["next", "old"]);
    expect(build.stats.overlaps).toBe(1);
    expect(build.stats.overlappingAddresses).toEqual(["10.0.0.79"]);
  });

  test("a missed snapshot is reported as a gap, and a pod seen on both sides keeps one interval across it", () => {
    const api = pod("api-0", "10.0.0.90", { owner: { kind: "StatefulSet", name: "api" } });
    const build = buildIdentityIntervals(
      "shop-prod",
      [
        snapshot(T0, theNode, api),
        snapshot(T0 + PERIOD, theNode, api),
        snapshot(T0 + 3 * PERIOD, theNode, api),
      ],
      zones,
      PERIOD,
    );
    expect(build.stats.missedSnapshots).toBe(1);
    expect(build.stats.gaps).toEqual([{ from: T0 + PERIOD, to: T0 + 3 * PERIOD }]);
    expect(build.intervals.filter((i) => i.ip === "10.0.0.90")).toMatchObject([
      { workloadKind: "StatefulSet", workload: "api", validFrom: T0 - 3600, validTo: T0 + 4 * PERIOD },
    ]);
  });

  test("zone names map to AZ IDs through the account's own DescribeAvailabilityZones, not by letter", () => {
    // In this account us-east-1a is use1-az4: a name-to-ID guess by letter would say az1.
    const accountZones = zoneMapFrom(
      JSON.parse(
        readFileSync(join(import.meta.dirname, "fixtures", "describe-availability-zones.json"), "utf8"),
      ),
    );
    const labelled = node("ip-10-0-1-5.ec2.internal", "10.0.1.5", { "topology.k8s.aws/zone-id": "use1-az6" });
    const providerOnly = {
      ...node("ip-10-0-2-5.ec2.internal", "10.0.2.5", {}),
      spec: { providerID: "aws:///us-east-1c/i-0c1" },
    };
    const build = buildIdentityIntervals(
      "shop-prod",
      [snapshot(T0, theNode, labelled, providerOnly)],
      accountZones,
      PERIOD,
    );
    expect(Object.fromEntries(build.intervals.map((i) => [i.workload, i.azId]))).toEqual({
      "ip-10-0-0-77.ec2.internal": "use1-az4",
      "ip-10-0-1-5.ec2.internal": "use1-az6",
      "ip-10-0-2-5.ec2.internal": "use1-az1",
    });
    expect(build.stats.nodesWithoutZone).toEqual([]);
  });

  test("hostNetwork pods and Succeeded or Failed pods never own an address; the node keeps its own", () => {
    const daemon = pod("aws-node-abcde", "10.0.0.77", {
      hostNetwork: true,
      owner: { kind: "DaemonSet", name: "aws-node" },
    });
    const done = pod("migrate-xyz", "10.0.0.81", { phase: "Succeeded" });
    const failed = pod("broken-xyz", "10.0.0.82", { phase: "Failed" });
    const build = buildIdentityIntervals(
      "shop-prod",
      [snapshot(T0, theNode, daemon, done, failed)],
      zones,
      PERIOD,
    );
    expect(build.intervals.map((i) => [i.ip, i.kind, i.ownerId])).toEqual([
      ["10.0.0.77", "node", "node/ip-10-0-0-77.ec2.internal"],
    ]);
  });

  test("external SNAT comes from the aws-node DaemonSet's env and defaults to off when the snapshot lacks it", () => {
    const awsNode = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "aws-node", namespace: "kube-system" },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "aws-node",
                image: "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2",
                env: [
                  { name: "AWS_VPC_K8S_CNI_EXTERNALSNAT", value: "true" },
                  { name: "MY_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                ],
              },
            ],
          },
        },
      },
    };
    const on = buildIdentityIntervals("a", [snapshot(T0, theNode, awsNode)], zones, PERIOD);
    const unknown = buildIdentityIntervals("b", [snapshot(T0, theNode)], zones, PERIOD);
    expect(on.stats.externalSnat).toEqual({ enabled: true, source: "aws-node" });
    expect(unknown.stats.externalSnat).toEqual({ enabled: false, source: "default" });
  });
});

describe("kubectl List parsing", () => {
  test("pods, nodes, services, endpointslices and the aws-node DaemonSet are read; other kinds are counted", () => {
    const inventory: KubernetesInventory = readKubernetesList(
      list(
        theNode,
        pod("a", "10.0.0.5"),
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "cart", namespace: "shop" },
          spec: { type: "ClusterIP", clusterIP: "172.20.4.1", selector: { app: "cart" } },
        },
        {
          apiVersion: "discovery.k8s.io/v1",
          kind: "EndpointSlice",
          metadata: {
            name: "cart-abcde",
            namespace: "shop",
            labels: { "kubernetes.io/service-name": "cart" },
          },
          addressType: "IPv4",
          endpoints: [
            { addresses: ["10.0.0.5"], nodeName: "n1", zone: "us-east-1a", conditions: { ready: true } },
          ],
          ports: [{ name: "http", port: 8080, protocol: "TCP" }],
        },
        {
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          metadata: { name: "aws-node", namespace: "kube-system" },
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "y" } },
      ),
      "kubectl.json",
    );
    expect([inventory.pods.length, inventory.nodes.length, inventory.services.length]).toEqual([1, 1, 1]);
    expect(inventory.endpointSlices[0]?.endpoints?.[0]?.zone).toBe("us-east-1a");
    expect(inventory.awsNode?.metadata.name).toBe("aws-node");
    expect(inventory.otherKinds).toEqual({ ConfigMap: 1 });
  });

  test("an item that is not a valid object names the file and its position", () => {
    expect(() => readKubernetesList(list(theNode, { kind: "Pod", metadata: {} }), "snap.json")).toThrow(
      /snap\.json: items\[1\] \(Pod\) is not a valid Pod/,
    );
  });
});

describe("VPC network interfaces -> address intervals", () => {
  const fixture = (name: string): unknown =>
    JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", `${name}.json`), "utf8"));
  const capture = (at: number): AwsSnapshot => ({
    capturedAt: at,
    networkInterfaces: readNetworkInterfaces(fixture("describe-network-interfaces"), "enis"),
    natGateways: readNatGateways(fixture("describe-nat-gateways"), "nats"),
    loadBalancers: readLoadBalancers(fixture("describe-load-balancers"), "lbs"),
    loadBalancerTags: readLoadBalancerTags(fixture("describe-tags"), "tags"),
    zones: zoneMapFrom(fixture("describe-availability-zones")),
  });

  test("NAT gateway, ALB, NLB, endpoint, control plane and other ENIs own their addresses; node ENIs are left to Kubernetes", () => {
    const secondaryPod = pod("cart-0", "10.0.0.78");
    const result = buildIdentity({
      clusters: [
        {
          cluster: "shop-prod",
          snapshots: [snapshot(T0, theNode, secondaryPod), snapshot(T0 + PERIOD, theNode, secondaryPod)],
        },
      ],
      aws: [capture(T0), capture(T0 + PERIOD)],
      zones,
      periodSeconds: PERIOD,
    });

    const rows = result.intervals.map((i) => [i.ip, i.cluster, i.kind, i.resourceId, i.service, i.azId]);
    expect(rows).toEqual([
      ["10.0.0.220", "shop-prod", "nat_gateway", "nat-0f1e2d3c4b5a69788", null, "use1-az4"],
      ["10.0.0.45", "shop-prod", "vpc_endpoint", "vpce-0c1d2e3f4a5b6c7d8", null, "use1-az4"],
      ["10.0.0.77", "shop-prod", "node", "i-0a99d3bb7b27d62ac", null, "use1-az4"],
      ["10.0.0.78", "shop-prod", "pod", null, null, "use1-az4"],
      ["10.0.1.200", "shop-prod", "eks_control_plane", "eni-0aa00000000000005", null, "use1-az6"],
      [
        "10.0.1.37",
        "shop-prod",
        "load_balancer",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/k8s-shop-frontend-4f2a1c9e07/5e2d8c1b3a4f6e7d",
        "shop/frontend",
        "use1-az6",
      ],
      [
        "10.0.2.12",
        "shop-prod",
        "load_balancer",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/k8s-payments-api-9d8c7b6a5f/0f9e8d7c6b5a4f3e",
        "payments/api",
        "use1-az1",
      ],
      ["10.0.2.150", "shop-prod", "eni", "eni-0aa00000000000006", null, "use1-az1"],
      ["10.0.2.5", "shop-prod", "eni", "eni-0aa00000000000009", null, "use1-az1"],
      [
        "2600:1f18:2:3c00::1a",
        "shop-prod",
        "load_balancer",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/k8s-payments-api-9d8c7b6a5f/0f9e8d7c6b5a4f3e",
        "payments/api",
        "use1-az1",
      ],
    ]);
    const nat = result.intervals.find((i) => i.kind === "nat_gateway");
    expect([nat?.validFrom, nat?.validTo]).toEqual([T0, T0 + 2 * PERIOD]);
    expect(result.network.interfacesByClass).toEqual({
      nat_gateway: 1,
      load_balancer: 2,
      vpc_endpoint: 1,
      eks_control_plane: 1,
      eni: 2,
      kubernetes: 2,
    });
    expect(result.overlaps).toBe(0);
  });

  test("the control plane names its VPC's cluster without any snapshot; a VPC with no cluster is named by account and VPC", () => {
    const result = buildIdentity({ clusters: [], aws: [capture(T0)], zones, periodSeconds: PERIOD });
    const rds = result.intervals.find((i) => i.ip === "10.0.2.150");
    expect(rds?.cluster).toBe("shop-prod");
    const lonely: AwsSnapshot = {
      capturedAt: T0,
      networkInterfaces: readNetworkInterfaces(
        {
          NetworkInterfaces: [
            {
              NetworkInterfaceId: "eni-1",
              VpcId: "vpc-9",
              OwnerId: "444455556666",
              PrivateIpAddress: "10.9.0.1",
              InterfaceType: "interface",
              Description: "RDSNetworkInterface",
            },
          ],
        },
        "enis",
      ),
    };
    const other = buildIdentity({ clusters: [], aws: [lonely], zones, periodSeconds: PERIOD });
    expect(other.intervals.map((i) => [i.cluster, i.azId])).toEqual([["vpc:444455556666/vpc-9", null]]);
    expect(other.network.interfacesWithoutZone).toBe(1);
  });
  test("a capture without its own describe-availability-zones maps ENI zones through the deployment's zone map", () => {
    const capture: AwsSnapshot = {
      capturedAt: T0 + PERIOD,
      networkInterfaces: readNetworkInterfaces(
        {
          NetworkInterfaces: [
            {
              NetworkInterfaceId: "eni-2",
              VpcId: "vpc-9",
              OwnerId: "444455556666",
              AvailabilityZone: "us-east-1b",
              PrivateIpAddress: "10.9.0.2",
              InterfaceType: "vpc_endpoint",
              Description: "VPC Endpoint Interface vpce-0123abcd",
            },
          ],
        },
        "enis",
      ),
    };
    const result = buildIdentity({ clusters: [], aws: [capture], zones, periodSeconds: PERIOD });
    expect(result.intervals.map((i) => [i.kind, i.resourceId, i.azId])).toEqual([
      ["vpc_endpoint", "vpce-0123abcd", "use1-az6"],
    ]);
    expect(result.network.interfacesWithoutZone).toBe(0);
  });
});
