import { DEFAULT_FORMAT, flowField } from "./fields.ts";

/**
 * What a flow-log format can tell, from the fields it carries (architecture.md "Flow-log
 * formats"): how each end of a transfer, its direction, its AZ and an AWS-service peer are found,
 * and what the missing fields cost in precision. Counting never depends on it: each transfer is
 * counted once with or without flow-direction.
 */
export interface FlowLogFormatCapabilities {
  /** The fields in the format's order (header-line spelling). */
  readonly fields: ReadonlyArray<string>;
  /** `default`: exactly AWS's default v2 format; otherwise a custom format. */
  readonly name: "default" | "custom";
  /** The highest version among the fields (what the records' `version` field says). */
  readonly version: number;
  /**
   * How pods behind an ENI are found: `packet` (pkt-srcaddr and pkt-dstaddr logged), `stitched`
   * (neither: the sender's egress record paired with the receiver's ingress record), `partial`
   * (one of them: the other end stays at the ENI's primary address, i.e. the node).
   */
  readonly endpoints: "packet" | "stitched" | "partial";
  readonly direction: "logged" | "inferred";
  /** `inventory`: the ENI's AZ ID from the ENI's own address in inventory (node, NAT, LB ENI). */
  readonly azId: "logged" | "inventory";
  /** `ip-ranges`: AWS services named from AWS's ip-ranges.json by address. */
  readonly awsService: "logged" | "ip-ranges";
  /** One sentence per missing field that matters: what flowcost does instead and what it costs. */
  readonly precision: ReadonlyArray<string>;
}

export const PRECISION = {
  stitched:
    "no pkt-srcaddr/pkt-dstaddr: pods behind node ENIs are found by pairing each sender's egress record with the receiver's ingress record (protocol, ports, both ENIs' addresses, the same minute); a transfer whose peer ENI is not logged keeps that end at its node (confidence node), and a record that pairs with several is labelled ambiguous",
  partialSource:
    "no pkt-srcaddr: a transfer's source behind a node ENI is the node (confidence node), not the pod",
  partialDestination:
    "no pkt-dstaddr: a transfer's destination behind a node ENI is the node (confidence node), not the pod",
  direction:
    "no flow-direction: each record's direction is inferred from its ENI's primary address per hour (and from inventory where that is not enough); each transfer is still counted once",
  azId: "no az-id: each ENI's AZ ID comes from inventory (the node, NAT gateway or load balancer owning its address); none is lost when the inventory covers it",
  awsService:
    "no pkt-src-aws-service/pkt-dst-aws-service: AWS services (S3, DynamoDB, ...) are named from AWS's ip-ranges.json by address",
} as const;

/** The capabilities of one format, from its field names (header-line or Athena spelling). */
export function flowLogFormatCapabilities(fields: ReadonlyArray<string>): FlowLogFormatCapabilities {
  const names = fields.map((f) => flowField(f)?.name ?? f.replaceAll("_", "-"));
  const has = (name: string) => names.includes(name);
  const isDefault = names.length === DEFAULT_FORMAT.length && names.every((n, i) => n === DEFAULT_FORMAT[i]);
  const version = Math.max(2, ...names.map((n) => flowField(n)?.version ?? 2));
  const pktSrc = has("pkt-srcaddr");
  const pktDst = has("pkt-dstaddr");
  const endpoints = pktSrc && pktDst ? "packet" : pktSrc || pktDst ? "partial" : "stitched";
  const awsService = has("pkt-src-aws-service") && has("pkt-dst-aws-service") ? "logged" : "ip-ranges";
  const precision: string[] = [];
  if (endpoints === "stitched") precision.push(PRECISION.stitched);
  if (endpoints === "partial")
    precision.push(pktSrc ? PRECISION.partialDestination : PRECISION.partialSource);
  if (!has("flow-direction")) precision.push(PRECISION.direction);
  if (!has("az-id")) precision.push(PRECISION.azId);
  if (awsService === "ip-ranges") precision.push(PRECISION.awsService);
  return {
    fields: names,
    name: isDefault ? "default" : "custom",
    version,
    endpoints,
    direction: has("flow-direction") ? "logged" : "inferred",
    azId: has("az-id") ? "logged" : "inventory",
    awsService,
    precision,
  };
}
