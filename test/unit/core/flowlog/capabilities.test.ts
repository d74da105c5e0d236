import { DEFAULT_FORMAT, flowLogFormatCapabilities, PRECISION } from "@flowcost/core";
import { describe, expect, test } from "vitest";

const v5 = [
  ...DEFAULT_FORMAT,
  "vpc-id",
  "subnet-id",
  "pkt-srcaddr",
  "pkt-dstaddr",
  "az-id",
  "flow-direction",
];

describe("what a flow-log format can tell, from its fields", () => {
  test("the default v2 format: pods by stitching, direction inferred, AZ from inventory, services from ip-ranges.json", () => {
    const c = flowLogFormatCapabilities(DEFAULT_FORMAT);
    expect(c).toMatchObject({
      name: "default",
      version: 2,
      endpoints: "stitched",
      direction: "inferred",
      azId: "inventory",
      awsService: "ip-ranges",
    });
    expect(c.precision).toEqual([
      PRECISION.stitched,
      PRECISION.direction,
      PRECISION.azId,
      PRECISION.awsService,
    ]);
  });

  test("a v3 custom format with pkt-*: pods from the packet addresses; direction, AZ and services still from elsewhere", () => {
    const c = flowLogFormatCapabilities([...DEFAULT_FORMAT, "vpc-id", "pkt-srcaddr", "pkt-dstaddr"]);
    expect(c).toMatchObject({
      name: "custom",
      version: 3,
      endpoints: "packet",
      direction: "inferred",
      azId: "inventory",
    });
    expect(c.precision).not.toContain(PRECISION.stitched);
  });

  test("a v4 custom format with az-id but only pkt-dstaddr: sources stay at their node", () => {
    const c = flowLogFormatCapabilities([...DEFAULT_FORMAT, "pkt-dstaddr", "az-id"]);
    expect(c).toMatchObject({ version: 4, endpoints: "partial", azId: "logged" });
    expect(c.precision).toContain(PRECISION.partialSource);
  });

  test("the AWS sample's v5 format with flow-direction and the AWS-service fields loses nothing; Athena column spellings read the same", () => {
    const c = flowLogFormatCapabilities([...v5, "pkt-src-aws-service", "pkt-dst-aws-service"]);
    expect(c).toMatchObject({
      version: 5,
      endpoints: "packet",
      direction: "logged",
      azId: "logged",
      awsService: "logged",
    });
    expect(c.precision).toEqual([]);
    expect(flowLogFormatCapabilities(v5.map((f) => f.replaceAll("-", "_")))).toEqual(
      flowLogFormatCapabilities(v5),
    );
  });
});
