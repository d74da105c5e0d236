import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { BYTES_PER_GB, pricesFor } from "@flowcost/core";
import type { SimNetwork } from "./network.ts";
import type { Cluster } from "./topology.ts";

const gz = promisify(gzip);

/** Where the scenario's Data Export lands: `<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/`. */
export const CUR_EXPORT = { prefix: "billing", name: "flowcost-cur2" } as const;

/** A resource with traffic but nothing in the cluster: its inter-AZ line stays unattributed. */
export const UNEXPLAINED_INSTANCE = "i-0b1a2b3c4d5e6f708";
export const UNEXPLAINED_GB = 1.5;

const HEADER = [
  "bill_billing_period_start_date",
  "line_item_usage_start_date",
  "line_item_usage_end_date",
  "line_item_line_item_type",
  "line_item_product_code",
  "line_item_usage_type",
  "line_item_operation",
  "line_item_resource_id",
  "line_item_usage_amount",
  "line_item_unblended_cost",
  "line_item_availability_zone",
  "line_item_usage_account_id",
  "product_product_family",
  "product_region_code",
  "product_from_location",
  "product_to_location",
] as const;

type Line = Record<(typeof HEADER)[number], string | number>;

/**
 * Writes the CUR 2.0 lines the scenario's traffic caused (inter-AZ both directions per resource,
 * NAT bytes and hours, LB hours and LCUs, interface-endpoint bytes and AZ-hours) plus charges that
 * are not network (instance hours, S3 storage) and one inter-AZ line no transfer explains. Inter-AZ lines alternate between the two
 * spellings real bills carry (`DataTransfer-Regional-Bytes` + `InterZone-*` and
 * `DataTransfer-xAZ-*-Bytes`), and one instance's lines have no billing-code prefix.
 * Returns the billed network dollars per day (the reconciliation target).
 */
export async function writeCurExport(
  outDir: string,
  cluster: Cluster,
  net: SimNetwork | undefined,
  bill: ReadonlyMap<string, ReadonlyMap<string, number>>,
  format: "parquet" | "csv",
): Promise<Map<string, number>> {
  const prices = pricesFor(cluster.region);
  const code = prices.billingCode;
  const networkUsd = new Map<string, number>();
  const byPeriod = new Map<string, Line[]>();
  const instanceIndex = new Map(cluster.nodes.map((n, i) => [n.instanceId, i]));
  const lbPrice = (arn: string) => (arn.includes("/net/") ? prices.nlbPerLcuHour : prices.albPerLcuHour);
  const lbOperation = (arn: string) =>
    arn.includes("/net/") ? "LoadBalancing:Network" : "LoadBalancing:Application";

  for (const [day, usage] of [...bill].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const period = day.slice(0, 7);
    const lines = byPeriod.get(period) ?? [];
    byPeriod.set(period, lines);
    const line = (
      productCode: string,
      usageType: string,
      operation: string,
      resource: string,
      amount: number,
      cost: number,
      family: string,
      network: boolean,
    ) => {
      lines.push({
        bill_billing_period_start_date: `${period}-01T00:00:00.000Z`,
        line_item_usage_start_date: `${day}T00:00:00.000Z`,
        line_item_usage_end_date: new Date(Date.parse(`${day}T00:00:00Z`) + 86400_000).toISOString(),
        line_item_line_item_type: "Usage",
        line_item_product_code: productCode,
        line_item_usage_type: usageType,
        line_item_operation: operation,
        line_item_resource_id: resource,
        line_item_usage_amount: Number(amount.toFixed(12)),
        line_item_unblended_cost: Number(cost.toFixed(10)),
        line_item_availability_zone: "",
        line_item_usage_account_id: cluster.accountId,
        product_product_family: family,
        product_region_code: cluster.region,
        product_from_location: "",
        product_to_location: "",
      });
      if (network) networkUsd.set(day, (networkUsd.get(day) ?? 0) + Number(cost.toFixed(10)));
    };
    for (const [key, bytes] of [...usage].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const [usageClass, resource] = key.split("|") as [string, string];
      const gb = bytes / BYTES_PER_GB;
      if (usageClass === "inter_az_out" || usageClass === "inter_az_in") {
        const cost = gb * prices.interAzPerGbEachDirection;
        const index = instanceIndex.get(resource) ?? 0;
        const direction = usageClass === "inter_az_out" ? "Out" : "In";
        if (index % 2 === 1) {
          line(
            "AmazonEC2",
            `${code}-DataTransfer-xAZ-${direction}-Bytes`,
            "",
            resource,
            gb,
            cost,
            "Data Transfer",
            true,
          );
        } else {
          const prefix = resource === cluster.nodes[0]?.instanceId ? "" : `${code}-`;
          line(
            "AmazonEC2",
            `${prefix}DataTransfer-Regional-Bytes`,
            `InterZone-${direction}`,
            resource,
            gb,
            cost,
            "Data Transfer",
            true,
          );
        }
      } else if (usageClass === "nat_bytes") {
        line(
          "AmazonEC2",
          `${code}-NatGateway-Bytes`,
          "NatGateway",
          resource,
          gb,
          gb * prices.natGatewayPerGb,
          "NAT Gateway",
          true,
        );
      } else if (usageClass === "vpce_bytes") {
        line(
          "AmazonVPC",
          `${code}-VpcEndpoint-Bytes`,
          "VpcEndpoint",
          resource,
          gb,
          gb * prices.interfaceEndpointPerGb,
          "VpcEndpoint",
          true,
        );
      } else if (usageClass === "lb_bytes") {
        // One LCU-hour per GB processed (the bytes dimension of an LCU, aws-facts.md §6).
        line(
          "AWSELB",
          `${code}-LCUUsage`,
          lbOperation(resource),
          resource,
          gb,
          gb * lbPrice(resource),
          "Load Balancer",
          true,
        );
      }
    }
    if (net) {
      line(
        "AmazonEC2",
        `${code}-NatGateway-Hours`,
        "NatGateway",
        net.nat.arn,
        24,
        24 * prices.natGatewayPerHour,
        "NAT Gateway",
        true,
      );
      // An interface endpoint is billed per AZ it has an ENI in, every hour, traffic or not.
      const endpointAzHours = 24 * net.vpcEndpoint.enis.length;
      line(
        "AmazonVPC",
        `${code}-VpcEndpoint-Hours`,
        "VpcEndpoint",
        net.vpcEndpoint.arn,
        endpointAzHours,
        endpointAzHours * prices.interfaceEndpointPerAzHour,
        "VpcEndpoint",
        true,
      );
      for (const lb of [net.alb, net.nlb]) {
        const perHour = lb.type === "network" ? prices.nlbPerHour : prices.albPerHour;
        line(
          "AWSELB",
          `${code}-LoadBalancerUsage`,
          lbOperation(lb.arn),
          lb.arn,
          24,
          24 * perHour,
          "Load Balancer",
          true,
        );
      }
    }
    line(
      "AmazonEC2",
      `${code}-DataTransfer-Regional-Bytes`,
      "InterZone-Out",
      UNEXPLAINED_INSTANCE,
      UNEXPLAINED_GB,
      UNEXPLAINED_GB * prices.interAzPerGbEachDirection,
      "Data Transfer",
      true,
    );
    for (const node of cluster.nodes) {
      line(
        "AmazonEC2",
        `${code}-BoxUsage:m6i.large`,
        "RunInstances",
        node.instanceId,
        24,
        24 * 0.096,
        "Compute Instance",
        false,
      );
    }
    line(
      "AmazonS3",
      `${code}-TimedStorage-ByteHrs`,
      "StandardStorage",
      "flowcost-demo-assets",
      41.5,
      0.9545,
      "Storage",
      false,
    );
  }

  for (const [period, lines] of byPeriod) {
    const dir = join(outDir, CUR_EXPORT.prefix, CUR_EXPORT.name, "data", `BILLING_PERIOD=${period}`);
    await mkdir(dir, { recursive: true });
    const csv = `${[HEADER.join(","), ...lines.map((l) => HEADER.map((h) => csvField(l[h])).join(","))].join("\n")}\n`;
    if (format === "csv") {
      await writeFile(join(dir, `${CUR_EXPORT.name}-00001.csv.gz`), await gz(csv));
    } else {
      await writeParquet(join(dir, `${CUR_EXPORT.name}-00001.snappy.parquet`), csv);
    }
  }
  return networkUsd;
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Typed Parquet as Data Exports writes it: timestamps as TIMESTAMP, amounts as DOUBLE. */
async function writeParquet(path: string, csv: string): Promise<void> {
  const staging = `${path}.csv`;
  await writeFile(staging, csv);
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  try {
    const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
    const columns = HEADER.map((h) =>
      h.endsWith("_date")
        ? `CAST(CAST("${h}" AS TIMESTAMPTZ) AS TIMESTAMP) AS "${h}"`
        : h === "line_item_usage_amount" || h === "line_item_unblended_cost"
          ? `CAST("${h}" AS DOUBLE) AS "${h}"`
          : `"${h}"`,
    ).join(", ");
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(
      `COPY (SELECT ${columns} FROM read_csv(${q(staging)}, header = true, all_varchar = true)) TO ${q(path)} (FORMAT parquet, COMPRESSION snappy)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(staging, { force: true });
  }
}
