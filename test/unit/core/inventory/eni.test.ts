import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  classifyNetworkInterface,
  type EniContext,
  natGatewaysByEni,
  networkInterfaceAddresses,
  readLoadBalancers,
  readLoadBalancerTags,
  readNatGateways,
  readNetworkInterfaces,
} from "@flowcost/core";
import { describe, expect, test } from "vitest";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", `${name}.json`), "utf8"));

const interfaces = readNetworkInterfaces(
  fixture("describe-network-interfaces"),
  "describe-network-interfaces.json",
);
const context: EniContext = {
  natGatewayByEni: natGatewaysByEni(readNatGateways(fixture("describe-nat-gateways"), "nat")),
  loadBalancers: readLoadBalancers(fixture("describe-load-balancers"), "lbs"),
  loadBalancerTags: readLoadBalancerTags(fixture("describe-tags"), "tags"),
  nodeInstanceIds: new Set(["i-0a99d3bb7b27d62ac", "i-0b88c2aa6a16c51bd"]),
};
const byId = (id: string) => {
  const eni = interfaces.find((e) => e.NetworkInterfaceId === id);
  if (!eni) throw new Error(`fixture lacks ${id}`);
  return eni;
};

describe("ENI classification from AWS CLI describe-network-interfaces output", () => {
  test.each([
    {
      eni: "eni-0aa00000000000001",
      expected: { kind: "nat_gateway", resourceId: "nat-0f1e2d3c4b5a69788", service: null, cluster: null },
    },
    {
      eni: "eni-0aa00000000000002",
      expected: {
        kind: "load_balancer",
        resourceId:
          "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/k8s-shop-frontend-4f2a1c9e07/5e2d8c1b3a4f6e7d",
        name: "k8s-shop-frontend-4f2a1c9e07",
        service: "shop/frontend",
        cluster: "shop-prod",
      },
    },
    {
      eni: "eni-0aa00000000000003",
      expected: {
        kind: "load_balancer",
        resourceId:
          "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/k8s-payments-api-9d8c7b6a5f/0f9e8d7c6b5a4f3e",
        service: "payments/api",
        cluster: "shop-prod",
      },
    },
    {
      eni: "eni-0aa00000000000004",
      expected: { kind: "vpc_endpoint", resourceId: "vpce-0c1d2e3f4a5b6c7d8" },
    },
    {
      eni: "eni-0aa00000000000005",
      expected: { kind: "eks_control_plane", resourceId: "eni-0aa00000000000005", cluster: "shop-prod" },
    },
    {
      eni: "eni-0aa00000000000006",
      expected: { kind: "eni", resourceId: "eni-0aa00000000000006", name: "RDSNetworkInterface" },
    },
    { eni: "eni-0aa00000000000007", expected: { kind: "kubernetes" } },
    { eni: "eni-0aa00000000000008", expected: { kind: "kubernetes" } },
    { eni: "eni-0aa00000000000009", expected: { kind: "eni", resourceId: "eni-0aa00000000000009" } },
  ])("$eni is $expected.kind", ({ eni, expected }) => {
    expect(classifyNetworkInterface(byId(eni), context)).toMatchObject(expected);
  });

  test("the type field wins over the description: an NLB ENI without DescribeLoadBalancers keeps its short id", () => {
    const nlb = { ...structuredClone(byId("eni-0aa00000000000003")) };
    expect(classifyNetworkInterface(nlb, {})).toEqual({
      kind: "load_balancer",
      resourceId: "net/k8s-payments-api-9d8c7b6a5f/0f9e8d7c6b5a4f3e",
      name: "k8s-payments-api-9d8c7b6a5f",
      service: null,
      cluster: null,
    });
  });

  test("the SDK's enum spelling natGateway is a NAT gateway too, and the description names it", () => {
    const nat = { ...structuredClone(byId("eni-0aa00000000000001")), InterfaceType: "natGateway" };
    expect(classifyNetworkInterface(nat, {})).toMatchObject({
      kind: "nat_gateway",
      resourceId: "nat-0f1e2d3c4b5a69788",
    });
  });

  test("a description alone does not make a self-managed ENI a load balancer", () => {
    const fake = { ...structuredClone(byId("eni-0aa00000000000009")), Description: "ELB app/spoof/0123abcd" };
    expect(classifyNetworkInterface(fake, context).kind).toBe("eni");
  });

  test("an ENI's addresses are all its private IPv4 addresses and its IPv6 addresses", () => {
    expect(networkInterfaceAddresses(byId("eni-0aa00000000000007"))).toEqual([
      "10.0.0.77",
      "10.0.0.78",
      "10.0.0.79",
    ]);
    expect(networkInterfaceAddresses(byId("eni-0aa00000000000003"))).toEqual([
      "10.0.2.12",
      "2600:1f18:2:3c00::1a",
    ]);
  });

  test("a file that is not describe-network-interfaces output names itself in the error", () => {
    expect(() =>
      readNetworkInterfaces({ Reservations: [] }, "inventory/aws/x/describe-network-interfaces.json"),
    ).toThrow(/inventory\/aws\/x\/describe-network-interfaces\.json: not the AWS CLI's output shape/);
  });
});
