import { DATASETS, type IpIdentityRow, nodeInstances } from "@flowcost/core";
import { describe, expect, test } from "vitest";
import { describeRun, openSqlLake } from "../support/sql-lake.ts";

const D = Date.UTC(2026, 10, 22) / 1000;
const dt = "2026-11-22";

const row = (over: Partial<IpIdentityRow>): Omit<IpIdentityRow, "dt"> => ({
  cluster: "shop-prod",
  ip: "10.0.1.10",
  kind: "node",
  owner_id: "node/ip-10-0-1-10.ec2.internal",
  namespace: null,
  pod_name: null,
  workload_kind: "Node",
  workload: "ip-10-0-1-10.ec2.internal",
  node: "ip-10-0-1-10.ec2.internal",
  az_id: "use1-az4",
  resource_id: "i-0aaa",
  service: null,
  valid_from: D,
  valid_to: D + 3600,
  ...over,
});

describe("node_instances", () => {
  test("maps every node seen that day to the instance the CUR bills, once, from node rows only", async () => {
    const { engine } = await openSqlLake("sql-node-instances");
    const quiet = "ip-10-0-2-20.ec2.internal";
    await engine.partitions.writeRows("ip_identity", DATASETS.ipIdentity, { dt }, [
      // One node with two addresses (two ENIs): one pair, not two.
      row({}),
      row({ ip: "10.0.1.11" }),
      // A node whose own address never carries traffic: pods on it still bill to its instance.
      row({
        ip: "10.0.2.20",
        owner_id: `node/${quiet}`,
        workload: quiet,
        node: quiet,
        resource_id: "i-0bbb",
      }),
      // A pod on the first node names the node but is not the node's identity.
      row({
        ip: "10.0.1.50",
        kind: "pod",
        owner_id: "u-1",
        workload_kind: "Deployment",
        workload: "api",
        resource_id: null,
      }),
      // A NAT gateway's resource is not an instance.
      row({ ip: "10.0.0.220", kind: "nat_gateway", owner_id: "nat-0c", node: null, resource_id: "nat-0c" }),
    ]);
    await engine.partitions.writeRows("ip_identity", DATASETS.ipIdentity, { dt: "2026-11-21" }, [
      row({ node: "gone-yesterday", resource_id: "i-0old" }),
    ]);

    const result = await engine.query(nodeInstances, { dt });

    expect(result.rows, await describeRun(nodeInstances, { dt })).toEqual([
      { node: "ip-10-0-1-10.ec2.internal", instance_id: "i-0aaa" },
      { node: quiet, instance_id: "i-0bbb" },
    ]);
  });
});
