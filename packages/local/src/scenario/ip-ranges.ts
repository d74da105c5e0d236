import type { IpRanges } from "@flowcost/core";

/**
 * A small `ip-ranges.json` in AWS's exact shape, with prefixes as AWS publishes them for
 * us-east-1 and a neighbour Region: each service range also listed under the catch-all AMAZON
 * (AWS lists every range there), S3 and DynamoDB ranges covering the generator's NAT
 * destinations, EC2 and an S3 range in another Region. The documentation range the generator's
 * internet destination uses (203.0.113.0/24) is in no range, as on the real list.
 */
export function scenarioIpRanges(createdAt: number): IpRanges {
  const createDate = new Date(createdAt * 1000)
    .toISOString()
    .slice(0, 19)
    .replace("T", "-")
    .replaceAll(":", "-");
  const v4 = (ip_prefix: string, service: string, region = "us-east-1") => ({
    ip_prefix,
    region,
    service,
    network_border_group: region,
  });
  return {
    syncToken: String(createdAt),
    createDate,
    prefixes: [
      v4("3.208.0.0/12", "AMAZON"),
      v4("3.208.0.0/12", "EC2"),
      v4("3.218.180.0/22", "AMAZON"),
      v4("3.218.180.0/22", "DYNAMODB"),
      v4("52.216.0.0/15", "AMAZON"),
      v4("52.216.0.0/15", "S3"),
      v4("52.94.0.0/22", "AMAZON"),
      v4("52.95.245.0/24", "AMAZON"),
      v4("54.80.0.0/13", "AMAZON"),
      // The planted problems' destinations (scenario/problems.ts): EBS direct APIs, API Gateway,
      // and an address AWS lists only under AMAZON.
      v4("3.80.0.0/12", "AMAZON"),
      v4("3.80.16.0/24", "EBS"),
      v4("3.83.220.0/24", "API_GATEWAY"),
      v4("3.5.0.0/19", "AMAZON"),
      v4("54.80.0.0/13", "EC2"),
      v4("52.218.128.0/17", "AMAZON", "us-west-2"),
      v4("52.218.128.0/17", "S3", "us-west-2"),
      v4("35.71.64.0/22", "AMAZON", "us-west-2"),
    ],
    ipv6_prefixes: [
      {
        ipv6_prefix: "2600:1f18::/36",
        region: "us-east-1",
        service: "AMAZON",
        network_border_group: "us-east-1",
      },
      {
        ipv6_prefix: "2600:1f18::/36",
        region: "us-east-1",
        service: "EC2",
        network_border_group: "us-east-1",
      },
      {
        ipv6_prefix: "2600:1fa0:8000::/39",
        region: "us-east-1",
        service: "S3",
        network_border_group: "us-east-1",
      },
    ],
  };
}
