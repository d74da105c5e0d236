import { z } from "zod";
import { InvalidInputError } from "../errors.ts";

/**
 * AWS's published `ip-ranges.json` (inventory/aws/ip-ranges.json, as AWS publishes it). The
 * recommendations use it for one question flow logs cannot answer: in which Region an AWS-service
 * address sits (an S3 gateway endpoint only serves buckets in the VPC's own Region).
 */
export const ipRangesSchema = z.looseObject({
  prefixes: z.array(z.looseObject({ ip_prefix: z.string(), region: z.string(), service: z.string() })),
  ipv6_prefixes: z
    .array(z.looseObject({ ipv6_prefix: z.string(), region: z.string(), service: z.string() }))
    .optional(),
});

export interface IpRanges {
  /** Every prefix containing the address, most specific first. */
  lookup(ip: string): Array<{ prefix: string; region: string; service: string }>;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function readIpRanges(json: unknown, source = "ip-ranges.json"): IpRanges {
  const parsed = ipRangesSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError(`${source}: not AWS's ip-ranges.json shape (${parsed.error.message})`, {
      cause: parsed.error,
    });
  }
  const ranges = parsed.data.prefixes.flatMap((p) => {
    const [base, bits] = p.ip_prefix.split("/");
    const start = base ? ipv4ToInt(base) : undefined;
    const length = Number(bits);
    if (start === undefined || !Number.isInteger(length) || length < 0 || length > 32) return [];
    const size = 2 ** (32 - length);
    return [{ prefix: p.ip_prefix, region: p.region, service: p.service, start, size }];
  });
  return {
    lookup(ip: string) {
      const n = ipv4ToInt(ip);
      if (n === undefined) return [];
      return ranges
        .filter((r) => n >= r.start && n < r.start + r.size)
        .sort((a, b) => a.size - b.size)
        .map(({ prefix, region, service }) => ({ prefix, region, service }));
    },
  };
}
