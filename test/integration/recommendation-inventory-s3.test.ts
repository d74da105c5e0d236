import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { classifyAddress, type IpRanges, loadRecommendationInventory } from "@flowcost/core";
import { folderInventoryReader } from "@flowcost/local/lake/recommendation-inputs";
import { generateScenario } from "@flowcost/local/scenario/write";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { s3InventoryReader } from "../../packages/functions/src/adapters/s3-inventory-reader.ts";
import { S3Lake } from "../../packages/functions/src/adapters/s3-lake.ts";
import { type LocalS3, startS3rver } from "../support/s3rver.ts";
import { tempDir } from "../support/temp.ts";

const BUCKET = "flowcost-recs-inventory";
let s3: LocalS3;

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
});
afterAll(() => s3.stop());

describe("the recommendations' inventory from the lake bucket reads as from the folder", async () => {
  const lakeDir = await tempDir("recs-s3");
  const appliedAt = Date.UTC(2026, 10, 22, 10) / 1000;
  const scenario = await generateScenario({
    outDir: lakeDir,
    seed: 3,
    problems: true,
    topologyAppliedAt: appliedAt,
  });
  // The cluster is named: s3rver answers no delimiter listings (CommonPrefixes), which finding the
  // cluster folders needs; the S3Lake's listFolders is covered against the SDK in build-identity-s3.
  const window = { from: scenario.cluster.start, to: scenario.cluster.end, cluster: "demo" };

  test("same snapshot, describe outputs, ip-ranges and the change applied mid-window, whichever store", async () => {
    const root = join(lakeDir, "inventory");
    const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    for (const f of files) {
      const key = `inventory/${relative(root, join(f.parentPath, f.name)).split(sep).join("/")}`;
      await s3.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(join(f.parentPath, f.name)) }),
      );
    }
    const fromFolder = await loadRecommendationInventory(folderInventoryReader(lakeDir), window);
    const fromS3 = await loadRecommendationInventory(
      s3InventoryReader(new S3Lake({ s3: s3.client, bucket: BUCKET })),
      window,
    );

    expect(fromS3).toEqual(fromFolder);
    expect(fromS3.cluster).toBe("demo");
    expect(fromS3.kubernetes?.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toContain(
      "shop/search",
    );
    expect(fromS3.aws.vpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([scenario.network?.vpcEndpoint.id]);
    expect(
      fromS3.aws.loadBalancerAttributes?.get(scenario.network?.nlb.arn ?? "")?.[
        "load_balancing.cross_zone.enabled"
      ],
    ).toBe("true");
    expect(classifyAddress(fromS3.ipRanges as IpRanges, "52.216.8.10")?.region).toBe("us-east-1");
    expect(fromS3.appliedChanges).toEqual([
      {
        namespace: "shop",
        name: "search",
        setting: "topology",
        appliedAt,
        observed: "spec.trafficDistribution: PreferSameZone",
      },
    ]);
  });
});
