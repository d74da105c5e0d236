import { classifyAddress, ipRangeRows, parseIpRanges } from "@flowcost/core";
import { describe, expect, test } from "vitest";

/** An excerpt in AWS's exact shape (https://ip-ranges.amazonaws.com/ip-ranges.json). */
const doc = JSON.stringify({
  syncToken: "1795330800",
  createDate: "2026-11-22-08-00-00",
  prefixes: [
    { ip_prefix: "52.216.0.0/15", region: "us-east-1", service: "AMAZON", network_border_group: "us-east-1" },
    { ip_prefix: "52.216.0.0/15", region: "us-east-1", service: "S3", network_border_group: "us-east-1" },
    {
      ip_prefix: "3.218.180.0/22",
      region: "us-east-1",
      service: "DYNAMODB",
      network_border_group: "us-east-1",
    },
    { ip_prefix: "3.208.0.0/12", region: "us-east-1", service: "AMAZON", network_border_group: "us-east-1" },
    { ip_prefix: "52.218.128.0/17", region: "us-west-2", service: "S3", network_border_group: "us-west-2" },
  ],
  ipv6_prefixes: [
    {
      ipv6_prefix: "2600:1fa0:8000::/39",
      region: "us-east-1",
      service: "S3",
      network_border_group: "us-east-1",
    },
  ],
});

describe("AWS's ip-ranges.json names AWS-service addresses when flow logs lack pkt-*-aws-service", () => {
  const ranges = parseIpRanges(doc);

  test("the longest prefix wins, a named service before AMAZON, with its Region (gateway endpoints serve their own Region)", () => {
    expect(classifyAddress(ranges, "52.216.8.10")).toEqual({
      service: "S3",
      region: "us-east-1",
      prefix: "52.216.0.0/15",
    });
    expect(classifyAddress(ranges, "3.218.180.5")).toEqual({
      service: "DYNAMODB",
      region: "us-east-1",
      prefix: "3.218.180.0/22",
    });
    expect(classifyAddress(ranges, "3.208.1.1")?.service).toBe("AMAZON");
    expect(classifyAddress(ranges, "52.218.200.1")).toEqual({
      service: "S3",
      region: "us-west-2",
      prefix: "52.218.128.0/17",
    });
    expect(classifyAddress(ranges, "203.0.113.5")).toBeUndefined();
    expect(classifyAddress(ranges, "52.218.0.1")).toBeUndefined();
  });

  test("the table rows are the IPv4 prefixes as AWS spells them", () => {
    expect(ipRangeRows(ranges)).toHaveLength(5);
    expect(ipRangeRows(ranges)[1]).toEqual({
      ip_prefix: "52.216.0.0/15",
      region: "us-east-1",
      service: "S3",
      network_border_group: "us-east-1",
    });
  });

  test("a document that is not AWS's shape fails naming the field", () => {
    expect(() =>
      parseIpRanges(JSON.stringify({ syncToken: "1", createDate: "x", prefixes: [{ ip_prefix: "nope" }] })),
    ).toThrow(/ip_prefix|region/);
  });
});
