import { z } from "zod";
import { col, defineQuery } from "../catalog.ts";
import { compactFlows } from "./flows.ts";
import { claimsUnaccounted, dt, scopeAccount, scopeRegion } from "./params.ts";

/** Attribution and reconciliation queries (`queries/attribution/`). */
const price = z.number().nonnegative();

/** The columns of one attributed row (and of `results/daily` before reconciliation adds billed cost). */
export const attributedRowSchema = z.object({
  dt: col.string,
  category: col.string,
  subcategory: col.nullableString,
  src_kind: col.string,
  src_namespace: col.nullableString,
  src_workload_kind: col.nullableString,
  src_workload: col.nullableString,
  src_ip: col.nullableString,
  src_az_id: col.nullableString,
  src_node: col.nullableString,
  src_resource: col.nullableString,
  dst_kind: col.string,
  dst_namespace: col.nullableString,
  dst_workload_kind: col.nullableString,
  dst_workload: col.nullableString,
  dst_ip: col.nullableString,
  dst_az_id: col.nullableString,
  dst_node: col.nullableString,
  dst_resource: col.nullableString,
  service: col.nullableString,
  load_balancer: col.nullableString,
  nat_gateway: col.nullableString,
  confidence: col.string,
  bytes: col.int,
  list_cost_usd: col.number,
});
export type AttributedRow = z.output<typeof attributedRowSchema>;

/**
 * Every category of one day (`queries/attribution/attribute_flows.sql`). `dt` is bound once per
 * table read so that each scan carries its own partition predicate on Athena. DuckDB runs
 * `attribute_flows.sql` (flows grouped per conversation first), Athena `attribute_flows.athena.sql`
 * (per record), with the same rules and results.
 */
export const attributeFlows = defineQuery({
  name: "attribute_flows",
  area: "attribution",
  params: z.object({
    dt,
    bytesPerGb: z.number().positive(),
    interAzPerGb: price,
    natPerGb: price,
    vpcEndpointPerGb: price,
    internetPerGb: price,
    accountId: scopeAccount,
    region: scopeRegion,
    claimsUnaccounted,
  }),
  paramOrder: [
    "bytesPerGb",
    "interAzPerGb",
    "natPerGb",
    "vpcEndpointPerGb",
    "internetPerGb",
    "accountId",
    "region",
    "claimsUnaccounted",
    "dt",
    "dt",
    "dt",
    "dt",
  ],
  row: attributedRowSchema,
  // Trino runs a WITH query once per reference: the local text's two passes would multiply its scans.
  engineSpecific: ["athena"],
});

/**
 * How a stitched record's true ends were found (`queries/attribution/stitch_flows.sql`):
 * `logged` (pkt-srcaddr/pkt-dstaddr logged; only its direction came from inventory),
 * `own_address` (the ENI's one address is the end), `paired` (the peer ENI's record named it),
 * `ambiguous` (several records could pair: the end stays at the node) or `unpaired` (no record
 * of the peer ENI: the end stays at the node).
 */
export const PAIRINGS = ["logged", "own_address", "paired", "ambiguous", "unpaired"] as const;
export type Pairing = (typeof PAIRINGS)[number];

/**
 * The true ends of a day's flows whose format lacks pkt-srcaddr/pkt-dstaddr, recovered by
 * pairing the sender's egress record with the receiver's ingress record; materialised into
 * `curated/stitched_flows/dt=`, which attribute_flows reads in place of those curated rows.
 */
export const stitchFlows = defineQuery({
  name: "stitch_flows",
  area: "attribution",
  params: z.object({ dt }),
  paramOrder: ["dt", "dt"],
  row: compactFlows.row
    .omit({
      direction_inferred: true,
      traffic_path: true,
      action: true,
      packets: true,
      records: true,
      hour: true,
    })
    .extend({ flow_direction: col.string, pairing: z.enum(PAIRINGS) }),
  partitionedBy: ["dt"],
});

/** Bytes and records of a day's stitched flows per pairing outcome and direction (the precision report). */
export const stitchSummary = defineQuery({
  name: "stitch_summary",
  area: "attribution",
  params: z.object({ dt, accountId: scopeAccount, region: scopeRegion, claimsUnaccounted }),
  paramOrder: ["accountId", "region", "claimsUnaccounted", "dt"],
  row: z.object({
    pairing: z.enum(PAIRINGS),
    flow_direction: col.string,
    bytes: col.int,
    rows: col.int,
  }),
});
