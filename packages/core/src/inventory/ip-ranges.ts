import { z } from "zod";

/**
 * AWS's published IP ranges (https://ip-ranges.amazonaws.com/ip-ranges.json), in AWS's exact
 * JSON shape. Flow logs name an AWS service in pkt-src/dst-aws-service from these ranges
 * (aws-facts.md §1.4); formats without those fields get the same answer from the document.
 * The lake keeps it at `inventory/aws/ip-ranges.json` (the snapshot job refreshes it daily).
 */
export const IP_RANGES_KEY = "inventory/aws/ip-ranges.json";
export const IP_RANGES_URL = "https://ip-ranges.amazonaws.com/ip-ranges.json";
/** The `aws_ip_ranges` table's one object in AWS (gzip JSON lines of `IpRangeRow`). */
export const IP_RANGES_TABLE_KEY = "curated/aws_ip_ranges/ip_ranges.json.gz";

const ipv4Prefix = z.object({
  ip_prefix: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "an IPv4 prefix such as 52.216.0.0/15"),
  region: z.string(),
  service: z.string(),
  network_border_group: z.string(),
});
const ipv6Prefix = z.object({
  ipv6_prefix: z.string(),
  region: z.string(),
  service: z.string(),
  network_border_group: z.string(),
});

export const ipRangesSchema = z.object({
  syncToken: z.string(),
  createDate: z.string(),
  prefixes: z.array(ipv4Prefix),
  ipv6_prefixes: z.array(ipv6Prefix).default([]),
});
export type IpRanges = z.output<typeof ipRangesSchema>;

/** One IPv4 prefix as the `aws_ip_ranges` table holds it (AWS's field names). */
export interface IpRangeRow {
  readonly ip_prefix: string;
  readonly region: string;
  readonly service: string;
  readonly network_border_group: string;
}

/** Parses the document; a wrong shape throws naming the first field that does not fit. */
export function parseIpRanges(text: string): IpRanges {
  return ipRangesSchema.parse(JSON.parse(text));
}

/** The IPv4 prefixes as table rows (IPv6 flows are not classified by range yet). */
export function ipRangeRows(doc: IpRanges): IpRangeRow[] {
  return doc.prefixes.map((p) => ({
    ip_prefix: p.ip_prefix,
    region: p.region,
    service: p.service,
    network_border_group: p.network_border_group,
  }));
}

const toNumber = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

/**
 * The service an IPv4 address belongs to, as attribute_flows decides it: the longest matching
 * prefix, a named service before AMAZON at equal length; with that prefix's Region (a gateway
 * endpoint serves S3 in its own Region only). Undefined outside every range.
 *
 * @example classifyAddress(doc, "52.216.8.10") // { service: "S3", region: "us-east-1" }
 */
export function classifyAddress(
  doc: IpRanges,
  ip: string,
): { service: string; region: string; prefix: string } | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return undefined;
  const n = toNumber(ip);
  let best: { service: string; region: string; prefix: string; rank: number } | undefined;
  for (const p of doc.prefixes) {
    const [network = "", bits = "32"] = p.ip_prefix.split("/");
    const length = Number(bits);
    const first = toNumber(network);
    if (n < first || n >= first + 2 ** (32 - length)) continue;
    const rank = length * 2 + (p.service === "AMAZON" ? 0 : 1);
    if (!best || rank > best.rank) best = { service: p.service, region: p.region, prefix: p.ip_prefix, rank };
  }
  return best && { service: best.service, region: best.region, prefix: best.prefix };
}
