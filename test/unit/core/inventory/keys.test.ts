import { awsInventoryKey, parseAwsInventoryKey } from "@flowcost/core";
import { describe, expect, test } from "vitest";

const at = Date.parse("2026-11-22T09:05:00Z") / 1000;

describe("describe-output keys: one account's layout and an Organization's", () => {
  test("the single-account layout is kept and still read", () => {
    const key = awsInventoryKey(at, "describe-nat-gateways");
    expect(key).toBe("inventory/aws/dt=2026-11-22/20261122T090500Z/describe-nat-gateways.json.gz");
    expect(parseAwsInventoryKey(key)).toEqual({
      capturedAt: at,
      scope: undefined,
      call: "describe-nat-gateways",
      place: undefined,
    });
    expect(parseAwsInventoryKey(awsInventoryKey(at, "describe-nat-gateways", "vpc-1"))?.scope).toBe("vpc-1");
  });

  test("with several accounts or Regions each capture names both; captures of one second stay apart", () => {
    const east = awsInventoryKey(at, "describe-network-interfaces", undefined, {
      accountId: "111122223333",
      region: "us-east-1",
    });
    const west = awsInventoryKey(at, "describe-network-interfaces", "vpc-1", {
      accountId: "444455556666",
      region: "us-west-2",
    });
    expect(east).toBe(
      "inventory/aws/account=111122223333/region=us-east-1/dt=2026-11-22/20261122T090500Z/describe-network-interfaces.json.gz",
    );
    expect(parseAwsInventoryKey(east)).toEqual({
      capturedAt: at,
      scope: "111122223333/us-east-1",
      call: "describe-network-interfaces",
      place: { accountId: "111122223333", region: "us-east-1" },
    });
    expect(parseAwsInventoryKey(west)?.scope).toBe("444455556666/us-west-2/vpc-1");
  });
});
