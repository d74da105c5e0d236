import { z } from "zod";
import { col, defineQuery } from "../catalog.ts";
import { dt, scopeAccount, scopeRegion } from "./params.ts";

/** CUR 2.0 queries (`queries/cur/`). */
export const curNetworkLines = defineQuery({
  name: "cur_network_lines",
  area: "cur",
  params: z.object({
    billingPeriod: z.string().regex(/^\d{4}-\d{2}$/, "a billing period, YYYY-MM"),
    dt,
    accountId: scopeAccount,
    region: scopeRegion,
  }),
  paramOrder: ["accountId", "region", "billingPeriod", "dt"],
  row: z.object({
    dt: col.string,
    usage_class: col.string,
    resource_id: col.nullableString,
    usage_type: col.string,
    usage_amount: col.number,
    cost_usd: col.number,
  }),
});
export type CurNetworkLine = z.output<typeof curNetworkLines.row>;
