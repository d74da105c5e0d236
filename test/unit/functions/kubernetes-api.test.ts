import { readKubernetesList } from "@flowcost/core";
import { KubernetesListError, readKubernetesInventory } from "@flowcost/functions/adapters/kubernetes-api";
import { afterEach, describe, expect, test } from "vitest";
import { type FakeKubeApi, startFakeKubeApi } from "../../support/fake-kube-api.ts";

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("Kubernetes API reader (@kubernetes/client-node against a local API server)", () => {
  test("pages every list with limit/continue and prints a kubectl-shaped List that the inventory parser reads", async () => {
    api = await startFakeKubeApi({
      pods: 25,
      nodes: 4,
      services: 3,
      token: "k8s-aws-v1.test",
      externalSnat: false,
    });

    const { document, stats } = await readKubernetesInventory(
      { server: api.url, token: "k8s-aws-v1.test" },
      { pageSize: 10 },
    );

    expect(stats.pages).toEqual({ pods: 3, nodes: 1, services: 1, endpointslices: 1 });
    expect(
      api.requests.filter((r) => r.path === "/api/v1/pods").map((r) => r.query.continue !== undefined),
    ).toEqual([false, true, true]);
    expect(api.requests.every((r) => r.authorization === "Bearer k8s-aws-v1.test")).toBe(true);
    const list = JSON.parse(document.text) as {
      apiVersion: string;
      kind: string;
      items: Array<{ kind: string; apiVersion: string; metadata: { name: string } }>;
    };
    expect([list.apiVersion, list.kind]).toEqual(["v1", "List"]);
    expect(document.counts).toEqual({ Pod: 25, Node: 4, Service: 3, EndpointSlice: 3, DaemonSet: 1 });
    const kinds: Record<string, number> = {};
    for (const item of list.items)
      kinds[`${item.apiVersion} ${item.kind}`] = (kinds[`${item.apiVersion} ${item.kind}`] ?? 0) + 1;
    expect(kinds).toEqual({
      "v1 Pod": 25,
      "v1 Node": 4,
      "v1 Service": 3,
      "discovery.k8s.io/v1 EndpointSlice": 3,
      "apps/v1 DaemonSet": 1,
    });
    const inventory = readKubernetesList(list, "snapshot");
    expect(inventory.pods[24]?.status?.podIP).toBe("10.64.0.28");
    expect(inventory.pods[0]?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "ReplicaSet",
      controller: true,
    });
    expect(inventory.nodes[1]?.metadata.labels?.["topology.k8s.aws/zone-id"]).toBe("use1-az6");
    expect(inventory.endpointSlices[0]?.endpoints?.[0]?.zone).toBe("us-east-1a");
    expect(inventory.awsNode?.spec?.template?.spec?.containers?.[0]?.env?.[1]).toEqual({
      name: "AWS_VPC_K8S_CNI_EXTERNALSNAT",
      value: "false",
    });
  });

  test("an expired continue token (410 Gone) restarts that list from its first page, without duplicates", async () => {
    api = await startFakeKubeApi({ pods: 25, nodes: 2, token: "t", expireFirstContinue: ["pods"] });

    const { document, stats } = await readKubernetesInventory(
      { server: api.url, token: "t" },
      { pageSize: 10 },
    );

    expect(stats.restarts.pods).toBe(1);
    expect(stats.pages.pods).toBe(4);
    const list = JSON.parse(document.text) as { items: Array<{ kind: string; metadata: { name: string } }> };
    const podNames = list.items.filter((i) => i.kind === "Pod").map((i) => i.metadata.name);
    expect(podNames.length).toBe(25);
    expect(new Set(podNames).size).toBe(25);
    expect(list.items.some((i) => i.kind === "DaemonSet")).toBe(false);
  });

  test("a rejected token fails the read naming the resource and the status", async () => {
    api = await startFakeKubeApi({ pods: 1, token: "right" });
    await expect(readKubernetesInventory({ server: api.url, token: "wrong" })).rejects.toThrow(
      KubernetesListError,
    );
    await expect(readKubernetesInventory({ server: api.url, token: "wrong" })).rejects.toThrow(
      /listing pods: HTTP 401/,
    );
  });
});
