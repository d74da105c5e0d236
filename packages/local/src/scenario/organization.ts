import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TruthRow } from "./traffic.ts";
import { type GeneratedScenario, generateScenario } from "./write.ts";

/**
 * The accounts of the generated Organization: two member accounts in two Regions, VPCs that do
 * not overlap (10.0/16 and 10.1/16), one cluster each.
 */
export const ORGANIZATION_MEMBERS = [
  { accountId: "111122223333", region: "us-east-1", vpcNet: "10.0", clusterName: "shop-east" },
  { accountId: "444455556666", region: "us-west-2", vpcNet: "10.1", clusterName: "shop-west" },
] as const;

export interface GeneratedOrganization {
  readonly members: ReadonlyArray<GeneratedScenario>;
  /** Every member's truth, one list (AZ IDs tell the Regions apart). */
  readonly truth: TruthRow[];
}

/**
 * A lake shaped like an Organization's central buckets: both accounts' flow logs under one
 * prefix (the S3 keys name account and Region), their kubectl snapshots by cluster, describe
 * outputs under `inventory/aws/account=<id>/region=<region>/`, and one CUR export holding both
 * accounts' lines (a part per account, as the payer's export would). Each member is the demo
 * cluster generated with its own seed, so each keeps an exact truth.
 */
export async function generateOrganizationScenario(options: {
  readonly outDir: string;
  readonly seed?: number;
  readonly curFormat?: "parquet" | "csv" | "none";
}): Promise<GeneratedOrganization> {
  const seed = options.seed ?? 42;
  const members: GeneratedScenario[] = [];
  for (const [i, member] of ORGANIZATION_MEMBERS.entries()) {
    members.push(
      await generateScenario({
        outDir: options.outDir,
        seed: seed + 1000 * i,
        curFormat: options.curFormat,
        ...member,
        inventoryByAccount: true,
        curPart: i + 1,
      }),
    );
  }
  const truth = members.flatMap((m) => m.truth);
  // Each member wrote its own truth to the same file; the lake's truth is both.
  await writeFile(join(options.outDir, "generator-truth.json"), `${JSON.stringify(truth, null, 2)}\n`);
  return { members, truth };
}
