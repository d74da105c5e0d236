import { z } from "zod";
import { col, defineQuery } from "../catalog.ts";
import { dt } from "./params.ts";

/** Attribution and reconciliation queries (`queries/attribution/`). */
export const attributeCrossAz = defineQuery({
  name: "attribute_cross_az",
  area: "attribution",
  params: z.object({
    dt,
    bytesPerGb: z.number().positive(),
    outPerGb: z.number().nonnegative(),
    inPerGb: z.number().nonnegative(),
  }),
  paramOrder: ["dt", "bytesPerGb", "outPerGb", "inPerGb"],
  row: z.object({
    dt: col.string,
    category: col.string,
    src_namespace: col.nullableString,
    src_workload_kind: col.nullableString,
    src_workload: col.nullableString,
    src_az_id: col.nullableString,
    dst_namespace: col.nullableString,
    dst_workload_kind: col.nullableString,
    dst_workload: col.nullableString,
    dst_az_id: col.nullableString,
    confidence: col.string,
    bytes: col.int,
    list_cost_usd: col.number,
  }),
});
