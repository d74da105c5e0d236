import { defaultLayoutKey, hiveLayoutKey, parseFlowLogKey } from "@flowcost/core";
import { describe, expect, test } from "vitest";

const object = {
  accountId: "123456789012",
  region: "us-east-1",
  flowLogId: "fl-1234abcd",
  fileTime: Date.UTC(2018, 5, 20, 16, 20) / 1000,
  hash: "fe123456",
};

describe("flow-log S3 keys: account, region, day, hour and file time from where AWS puts the object", () => {
  test("the default layout, as the AWS docs spell it", () => {
    const key =
      "my-bucket-prefix/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz";
    expect(parseFlowLogKey(key)).toEqual({
      key,
      layout: "default",
      encoding: "text",
      accountId: "123456789012",
      region: "us-east-1",
      day: "2018-06-20",
      hour: undefined,
      flowLogId: "fl-1234abcd",
      fileTime: object.fileTime,
      organizationId: undefined,
    });
    expect(defaultLayoutKey({ ...object, prefix: "my-bucket-prefix" })).toBe(key);
  });

  test.each([
    ["default, hourly", defaultLayoutKey({ ...object, hourly: true }), "default", 16, undefined],
    ["Hive, daily", hiveLayoutKey(object), "hive", undefined, undefined],
    ["Hive, hourly", hiveLayoutKey({ ...object, hourly: true }), "hive", 16, undefined],
    [
      "default with an organisation",
      defaultLayoutKey({ ...object, organizationId: "o-a1b2c3d4e5" }),
      "default",
      undefined,
      "o-a1b2c3d4e5",
    ],
    [
      "Hive with an organisation, hourly",
      hiveLayoutKey({ ...object, organizationId: "o-a1b2c3d4e5", hourly: true }),
      "hive",
      16,
      "o-a1b2c3d4e5",
    ],
  ])("%s", (_, key, layout, hour, organizationId) => {
    expect(parseFlowLogKey(key)).toMatchObject({
      layout,
      accountId: "123456789012",
      region: "us-east-1",
      day: "2018-06-20",
      hour,
      organizationId,
      fileTime: object.fileTime,
    });
  });

  test("the hourly folder of the Hive layout is spelled hour=HH", () => {
    expect(hiveLayoutKey({ ...object, hourly: true })).toContain(
      "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2018/month=06/day=20/hour=16/",
    );
  });

  test("Parquet objects are recognised as Parquet", () => {
    expect(parseFlowLogKey(defaultLayoutKey({ ...object, encoding: "parquet" }))?.encoding).toBe("parquet");
  });

  test("keys that are not flow-log objects are ignored", () => {
    expect(
      parseFlowLogKey("AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/notes.txt"),
    ).toBeUndefined();
    expect(parseFlowLogKey("AWSLogs/123456789012/CloudTrail/us-east-1/2018/06/20/x.json.gz")).toBeUndefined();
    expect(parseFlowLogKey("inventory/kubernetes/cluster=a/dt=2026-11-22/x.json.gz")).toBeUndefined();
  });
});
