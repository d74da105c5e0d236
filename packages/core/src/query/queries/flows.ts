import { z } from "zod";
import { col, defineQuery } from "../catalog.ts";
import { dt, epochSeconds, hour } from "./params.ts";

/** Queries over raw and curated flow logs (`queries/flows/`). */
export const compactFlows = defineQuery({
  name: "compact_flows",
  area: "flows",
  params: z.object({
    dayFrom: z.string(),
    dayTo: z.string(),
    windowStart: epochSeconds,
    windowEnd: epochSeconds,
    dt,
    hour,
  }),
  paramOrder: ["dt", "hour", "dayFrom", "dayTo", "windowStart", "windowEnd"],
  row: z.object({
    account_id: col.nullableString,
    region: col.nullableString,
    vpc_id: col.nullableString,
    interface_id: col.nullableString,
    az_id: col.nullableString,
    flow_direction: col.nullableString,
    srcaddr: col.nullableString,
    dstaddr: col.nullableString,
    pkt_srcaddr: col.nullableString,
    pkt_dstaddr: col.nullableString,
    pkt_src_aws_service: col.nullableString,
    pkt_dst_aws_service: col.nullableString,
    traffic_path: col.nullableInt,
    protocol: col.nullableInt,
    service_port: col.nullableInt,
    action: col.nullableString,
    minute: col.int,
    first_start: col.int,
    last_end: col.int,
    bytes: col.int,
    packets: col.int,
    records: col.int,
    dt: col.string,
    hour: col.string,
  }),
  partitionedBy: ["dt", "hour"],
});
