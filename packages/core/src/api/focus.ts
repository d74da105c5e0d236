import { chargeView } from "../results/charge-view.ts";
import type { DaySummary } from "../results/day-summary.ts";
import { ownerLabel, usdOfCents } from "./views.ts";

/**
 * flowcost's allocation as FOCUS allocated charges (FinOps Foundation FOCUS 1.3, "data
 * generator-calculated split cost allocation"): one row per (origin CUR line, owner), where the
 * origin line is one day's billed network line (line class x resource, its CUR usage types
 * pooled) and the owner is who the charge view makes pay. Per origin line the allocated rows and
 * its unattributed row sum to the line's billed cost, flowcost's reconciliation rule, so a FinOps
 * platform can take the allocation as it is.
 */
export const FOCUS_METHOD_ID = "flowcost-network-bytes-v1";

export const FOCUS_METHOD_DESCRIPTION =
  "Each billed network line (CUR line class x resource, per UTC day) is split over the transfers that drew on it in proportion to their list-priced bytes (largest-remainder cents); each transfer's share is charged to one owner: InterZone-Out to the sender's workload, InterZone-In to the receiver's, NAT gateway processing and hours to the workload behind the NAT, load balancer hours and LCUs to the Service behind it, interface endpoint bytes and hours to the caller. What no transfer explains is the line's unattributed row.";

/** The FOCUS columns flowcost fills, in CSV order (x_ columns are flowcost's own, as FOCUS allows). */
export const FOCUS_COLUMNS = [
  "ChargePeriodStart",
  "ChargePeriodEnd",
  "BillingCurrency",
  "BilledCost",
  "ResourceId",
  "x_ProductCode",
  "x_UsageClass",
  "x_UsageTypes",
  "x_OriginBilledCost",
  "AllocatedMethodId",
  "AllocatedMethodDetails",
  "AllocatedResourceId",
  "AllocatedResourceName",
  "AllocatedTags",
] as const;

export type FocusRow = Record<(typeof FOCUS_COLUMNS)[number], string | number | null>;

const PRODUCT_CODE: Readonly<Record<string, string>> = {
  inter_az_out: "AmazonEC2",
  inter_az_in: "AmazonEC2",
  nat_bytes: "AmazonEC2",
  nat_hours: "AmazonEC2",
  lb_hours: "AWSELB",
  lb_lcu: "AWSELB",
  vpce_bytes: "AmazonVPC",
  vpce_hours: "AmazonVPC",
};

/** The allocation unit behind each line class's ratio. */
const USAGE_UNIT: Readonly<Record<string, string>> = {
  nat_hours: "Bytes (hours shared by bytes)",
  lb_hours: "Bytes (hours shared by bytes)",
  lb_lcu: "Bytes (LCUs shared by bytes)",
  vpce_hours: "Bytes (hours shared by bytes)",
};

const nextDay = (dt: string) =>
  new Date(Date.parse(`${dt}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** One day's FOCUS rows: for each billed line, one row per owner and one for its unattributed part. */
export function focusRows(day: DaySummary): FocusRow[] {
  const byLine = new Map<
    string,
    Map<
      string,
      {
        owner: string;
        name: string | null;
        tags: Record<string, string>;
        cents: number;
        bytes: number;
        unattributed: boolean;
      }
    >
  >();
  for (const c of chargeView(day)) {
    const charge = c.charge;
    if (!charge || charge.resourceId === null || c.billedCents === null || c.billedCents === 0) continue;
    const lineKey = `${charge.usageClass}|${charge.resourceId}`;
    const owners = byLine.get(lineKey) ?? new Map();
    byLine.set(lineKey, owners);
    const unattributed = c.ownedAs === "unattributed";
    const owner = unattributed ? "flowcost:unattributed" : ownerLabel(c.owner);
    const o = owners.get(owner) ?? {
      owner,
      name: unattributed ? null : (c.owner.workload ?? c.owner.id),
      tags: unattributed ? {} : tagsOf(c.owner, c.row.service),
      cents: 0,
      bytes: 0,
      unattributed,
    };
    o.cents += c.billedCents;
    o.bytes += c.row.bytes;
    owners.set(owner, o);
  }
  const rows: FocusRow[] = [];
  for (const line of day.lines) {
    const owners = [...(byLine.get(`${line.usageClass}|${line.resourceId}`)?.values() ?? [])].sort(
      (a, b) => b.cents - a.cents || (a.owner < b.owner ? -1 : 1),
    );
    for (const o of owners)
      rows.push({
        ChargePeriodStart: `${day.dt}T00:00:00Z`,
        ChargePeriodEnd: `${nextDay(day.dt)}T00:00:00Z`,
        BillingCurrency: "USD",
        BilledCost: usdOfCents(o.cents),
        ResourceId: line.resourceArn || line.resourceId,
        x_ProductCode: PRODUCT_CODE[line.usageClass] ?? null,
        x_UsageClass: line.usageClass,
        x_UsageTypes: line.usageTypes.join(","),
        x_OriginBilledCost: usdOfCents(line.billedCents),
        AllocatedMethodId: FOCUS_METHOD_ID,
        AllocatedMethodDetails: JSON.stringify({
          Elements: [
            {
              AllocatedRatio: line.billedCents === 0 ? 0 : o.cents / line.billedCents,
              UsageUnit: o.unattributed ? "Bytes (none observed)" : (USAGE_UNIT[line.usageClass] ?? "Bytes"),
              UsageQuantity: o.bytes,
            },
          ],
          ...(o.unattributed ? { x_Unattributed: true } : {}),
        }),
        AllocatedResourceId: o.owner,
        AllocatedResourceName: o.name,
        AllocatedTags: o.unattributed ? null : JSON.stringify(o.tags),
      });
  }
  return rows;
}

function tagsOf(
  owner: { kind: string; namespace: string | null; workloadKind: string | null; workload: string | null },
  service: string | null,
) {
  const tags: Record<string, string> = { "flowcost/kind": owner.kind };
  if (owner.namespace) tags["flowcost/namespace"] = owner.namespace;
  if (owner.workloadKind) tags["flowcost/workload-kind"] = owner.workloadKind;
  if (owner.workload) tags["flowcost/workload"] = owner.workload;
  if (service) tags["flowcost/service"] = service;
  return tags;
}

const csvCell = (v: string | number | null) => {
  if (v === null) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** FOCUS rows as CSV with a header line (JSON columns serialized, as FOCUS allows for CSV). */
export function focusCsv(rows: ReadonlyArray<FocusRow>): string {
  return [FOCUS_COLUMNS.join(","), ...rows.map((r) => FOCUS_COLUMNS.map((c) => csvCell(r[c])).join(","))]
    .map((l) => `${l}\n`)
    .join("");
}
