import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../../packages/local/src/cli/config.ts";
import { runCli as cli } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";

/**
 * `flowcost prices` on files in the AWS Price List CSV form: five preamble lines, the header row,
 * then every field quoted (the shape of .../offers/v1.0/aws/<offer>/current/<region>/index.csv).
 * The prices below are test data for eu-central-1 (billing code EUC1), not a claim about AWS's.
 */
const quote = (fields: ReadonlyArray<string>) => fields.map((f) => `"${f.replaceAll('"', '""')}"`).join(",");

function priceList(offer: string, header: string[], rows: Array<Record<string, string>>): string {
  const preamble = [
    ["FormatVersion", "v1.0"],
    ["Disclaimer", "This pricing list is for informational purposes only."],
    ["Publication Date", "2026-11-30T18:00:00Z"],
    ["Version", "20261130180000"],
    ["OfferCode", offer],
  ];
  const columns = [
    "SKU",
    "OfferTermCode",
    "RateCode",
    "TermType",
    "PriceDescription",
    "EffectiveDate",
    "StartingRange",
    "EndingRange",
    "Unit",
    "PricePerUnit",
    "Currency",
    ...header,
  ];
  const line = (r: Record<string, string>) =>
    quote(
      columns.map(
        (c) =>
          r[c] ??
          (
            {
              TermType: "OnDemand",
              Currency: "USD",
              EffectiveDate: "2026-11-01T00:00:00Z",
              StartingRange: "0",
              EndingRange: "Inf",
              "Location Type": "AWS Region",
              "Region Code": "eu-central-1",
            } as Record<string, string>
          )[c] ??
          "",
      ),
    );
  return `${[...preamble.map(quote), quote(columns), ...rows.map(line)].join("\n")}\n`;
}

const EC2 = priceList(
  "AmazonEC2",
  ["Product Family", "Location", "Location Type", "Transfer Type", "usageType", "operation", "Region Code"],
  [
    {
      usageType: "EUC1-DataTransfer-Regional-Bytes",
      Unit: "GB",
      PricePerUnit: "0.0100000000",
      "Transfer Type": "IntraRegion",
      PriceDescription:
        "$0.010 per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB",
    },
    {
      usageType: "EUC1-NatGateway-Hours",
      operation: "NatGateway",
      Unit: "Hrs",
      PricePerUnit: "0.0520000000",
    },
    { usageType: "EUC1-NatGateway-Bytes", operation: "NatGateway", Unit: "GB", PricePerUnit: "0.0520000000" },
    // Egress bands in GB, with the older lists' free first GB, which the configuration leaves out.
    {
      usageType: "EUC1-DataTransfer-Out-Bytes",
      Unit: "GB",
      StartingRange: "0",
      EndingRange: "1",
      PricePerUnit: "0.0000000000",
      "Transfer Type": "AWS Outbound",
    },
    {
      usageType: "EUC1-DataTransfer-Out-Bytes",
      Unit: "GB",
      StartingRange: "1",
      EndingRange: "10240",
      PricePerUnit: "0.0900000000",
      "Transfer Type": "AWS Outbound",
    },
    {
      usageType: "EUC1-DataTransfer-Out-Bytes",
      Unit: "GB",
      StartingRange: "10240",
      EndingRange: "51200",
      PricePerUnit: "0.0850000000",
      "Transfer Type": "AWS Outbound",
    },
    {
      usageType: "EUC1-DataTransfer-Out-Bytes",
      Unit: "GB",
      StartingRange: "51200",
      EndingRange: "153600",
      PricePerUnit: "0.0700000000",
      "Transfer Type": "AWS Outbound",
    },
    {
      usageType: "EUC1-DataTransfer-Out-Bytes",
      Unit: "GB",
      StartingRange: "153600",
      EndingRange: "Inf",
      PricePerUnit: "0.0500000000",
      "Transfer Type": "AWS Outbound",
    },
    // Rows that must not count: to another Region, a Local Zone, a reserved term, another Region's row.
    {
      usageType: "EUC1-USE1-AWS-Out-Bytes",
      Unit: "GB",
      PricePerUnit: "0.0200000000",
      "Transfer Type": "InterRegion Outbound",
    },
    {
      usageType: "EUC1-HAM1-DataTransfer-Regional-Bytes",
      Unit: "GB",
      PricePerUnit: "0.0200000000",
      "Location Type": "AWS Local Zone",
    },
    {
      usageType: "EUC1-NatGateway-Hours",
      operation: "NatGateway",
      Unit: "Hrs",
      PricePerUnit: "300.0000000000",
      TermType: "Reserved",
    },
    {
      usageType: "USE1-NatGateway-Hours",
      operation: "NatGateway",
      Unit: "Hrs",
      PricePerUnit: "0.0450000000",
      "Region Code": "us-east-1",
    },
    {
      usageType: "EUC1-BoxUsage:m5.large",
      operation: "RunInstances",
      Unit: "Hrs",
      PricePerUnit: "0.1150000000",
    },
  ],
);

const ELB = priceList(
  "AWSELB",
  [
    "Product Family",
    "serviceCode",
    "Location",
    "Location Type",
    "Group",
    "Group Description",
    "usageType",
    "operation",
    "Region Code",
    "serviceName",
  ],
  [
    {
      usageType: "EUC1-LoadBalancerUsage",
      operation: "LoadBalancing:Application",
      Unit: "Hrs",
      PricePerUnit: "0.0270000000",
      "Product Family": "Load Balancer-Application",
    },
    {
      usageType: "EUC1-LCUUsage",
      operation: "LoadBalancing:Application",
      Unit: "LCU-Hrs",
      PricePerUnit: "0.0080000000",
      "Product Family": "Load Balancer-Application",
    },
    {
      usageType: "EUC1-LoadBalancerUsage",
      operation: "LoadBalancing:Network",
      Unit: "Hrs",
      PricePerUnit: "0.0270000000",
      "Product Family": "Load Balancer-Network",
    },
    {
      usageType: "EUC1-LCUUsage",
      operation: "LoadBalancing:Network",
      Unit: "LCU-Hrs",
      PricePerUnit: "0.0060000000",
      "Product Family": "Load Balancer-Network",
    },
    {
      usageType: "EUC1-LoadBalancerUsage",
      operation: "LoadBalancing:Gateway",
      Unit: "Hrs",
      PricePerUnit: "0.0150000000",
      "Product Family": "Load Balancer-Gateway",
    },
  ],
);

const VPC = priceList(
  "AmazonVPC",
  ["Product Family", "Location", "Location Type", "usageType", "operation", "Region Code"],
  [
    {
      usageType: "EUC1-VpcEndpoint-Hours",
      operation: "VpcEndpoint",
      Unit: "Hrs",
      PricePerUnit: "0.0120000000",
    },
    {
      usageType: "EUC1-VpcEndpoint-Bytes",
      operation: "VpcEndpoint",
      Unit: "GB",
      StartingRange: "0",
      EndingRange: "1048576",
      PricePerUnit: "0.0100000000",
    },
    {
      usageType: "EUC1-VpcEndpoint-Bytes",
      operation: "VpcEndpoint",
      Unit: "GB",
      StartingRange: "1048576",
      EndingRange: "5242880",
      PricePerUnit: "0.0060000000",
    },
  ],
);

async function writeLists(dir: string) {
  const files = {
    ec2: join(dir, "AmazonEC2.csv"),
    elb: join(dir, "AWSELB.csv"),
    vpc: join(dir, "AmazonVPC.csv"),
  };
  await writeFile(files.ec2, EC2);
  await writeFile(files.elb, ELB);
  await writeFile(files.vpc, VPC);
  return files;
}

const EXPECTED_EU_CENTRAL_1 = {
  interAzPerGbEachDirection: 0.01,
  natGatewayPerHour: 0.052,
  natGatewayPerGb: 0.052,
  albPerHour: 0.027,
  albPerLcuHour: 0.008,
  nlbPerHour: 0.027,
  nlbPerLcuHour: 0.006,
  interfaceEndpointPerAzHour: 0.012,
  interfaceEndpointPerGb: 0.01,
  internetEgressTiers: [
    { upToTb: 10, perGb: 0.09 },
    { upToTb: 50, perGb: 0.085 },
    { upToTb: 150, perGb: 0.07 },
    { upToTb: null, perGb: 0.05 },
  ],
};

describe("flowcost prices: a Region's list prices from the AWS Price List files", () => {
  test("the three offers' files give every price flowcost uses, on-demand in the Region only, each with its usage type and offer version", async () => {
    const dir = await tempDir("prices");
    const f = await writeLists(dir);
    const { code, stdout, stderr } = await cli([
      "prices",
      f.ec2,
      f.elb,
      f.vpc,
      "--region",
      "eu-central-1",
      "--format",
      "json",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.overrides).toEqual(EXPECTED_EU_CENTRAL_1);
    expect(result.missing).toEqual([]);
    expect(result.ambiguous).toEqual([]);
    const nlb = result.found.find((p: { item: string }) => p.item === "nlbPerLcuHour");
    expect(nlb).toMatchObject({
      usageType: "EUC1-LCUUsage",
      operation: "LoadBalancing:Network",
      unit: "LCU-Hrs",
    });
    expect(nlb.source).toBe(`AWS Price List AWSELB 20261130180000 (${f.elb})`);
  });

  test("--write merges the prices into a configuration that analyze reads, keeping other Regions and items", async () => {
    const dir = await tempDir("prices");
    const f = await writeLists(dir);
    const config = join(dir, "flowcost.config.json");
    await writeFile(
      config,
      JSON.stringify({
        prices: { "us-west-2": { natGatewayPerGb: 0.04 }, "eu-central-1": { albPerHour: 1 } },
      }),
    );
    const { code, stdout, stderr } = await cli([
      "prices",
      f.elb,
      "--region",
      "eu-central-1",
      "--write",
      config,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("AWS Price List AWSELB 20261130180000");
    expect(stdout).toMatch(/nlbPerLcuHour\s+0\.006\s+LCU-Hrs\s+EUC1-LCUUsage LoadBalancing:Network/);
    expect(stdout).toContain(
      "Not in these files (the table's value stays): interAzPerGbEachDirection, natGatewayPerHour",
    );
    expect(stderr).toContain(`Wrote 4 prices under prices.eu-central-1 in ${config}`);
    const loaded = await loadConfig(dir, config);
    expect(loaded.prices).toEqual({
      "us-west-2": { natGatewayPerGb: 0.04 },
      "eu-central-1": { albPerHour: 0.027, albPerLcuHour: 0.008, nlbPerHour: 0.027, nlbPerLcuHour: 0.006 },
    });
  });

  test("us-east-1's bare usage types (no billing code) are read as us-east-1's", async () => {
    const dir = await tempDir("prices");
    const file = join(dir, "AmazonEC2.csv");
    await writeFile(
      file,
      priceList(
        "AmazonEC2",
        ["usageType", "operation", "Region Code"],
        [
          {
            usageType: "NatGateway-Hours",
            operation: "NatGateway",
            Unit: "Hrs",
            PricePerUnit: "0.0450000000",
            "Region Code": "us-east-1",
          },
          {
            usageType: "USE1-NatGateway-Bytes",
            operation: "NatGateway",
            Unit: "GB",
            PricePerUnit: "0.0450000000",
            "Region Code": "us-east-1",
          },
        ],
      ),
    );
    const { code, stdout } = await cli(["prices", file, "--region", "us-east-1", "--format", "json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).overrides).toEqual({ natGatewayPerHour: 0.045, natGatewayPerGb: 0.045 });
  });

  test("rows that disagree on a price are named and not imported", async () => {
    const dir = await tempDir("prices");
    const file = join(dir, "AmazonVPC.csv");
    await writeFile(
      file,
      priceList(
        "AmazonVPC",
        ["usageType", "operation", "Region Code"],
        [
          { usageType: "EUC1-VpcEndpoint-Hours", Unit: "Hrs", PricePerUnit: "0.0120000000" },
          { usageType: "EUC1-VpcEndpoint-Hours", Unit: "Hrs", PricePerUnit: "0.0130000000" },
          { usageType: "EUC1-VpcEndpoint-Bytes", Unit: "GB", PricePerUnit: "0.0100000000" },
        ],
      ),
    );
    const { code, stdout } = await cli(["prices", file, "--region", "eu-central-1"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Not imported, rows disagree: interfaceEndpointPerAzHour (0.012, 0.013 USD)");
    expect(stdout).toMatch(/interfaceEndpointPerGb\s+0\.01\s/);
  });

  test("a file that is not a Price List CSV is bad input naming the file (exit 1); the JSON form is pointed to its CSV", async () => {
    const dir = await tempDir("prices");
    const csv = join(dir, "cur.csv");
    await writeFile(csv, "line_item_usage_type,line_item_unblended_cost\nUSE1-NatGateway-Bytes,1.5\n");
    const notList = await cli(["prices", csv, "--region", "eu-central-1"]);
    expect(notList.code).toBe(1);
    expect(notList.stderr).toContain(`${csv}: not an AWS Price List CSV file`);
    const json = join(dir, "index.json");
    await writeFile(json, '{ "formatVersion": "v1.0", "offerCode": "AWSELB" }\n');
    const jsonRun = await cli(["prices", json, "--region", "eu-central-1"]);
    expect(jsonRun.code).toBe(1);
    expect(jsonRun.stderr).toContain(`${json}: a Price List JSON file: give the same offer's index.csv`);
    const f = await writeLists(dir);
    const broken = join(dir, "broken.csv");
    await writeFile(
      broken,
      `${(await readFile(f.vpc, "utf8")).trimEnd()}\n"EUC1-VpcEndpoint-Hours,"unterminated\n`,
    );
    const brokenRun = await cli(["prices", broken, "--region", "eu-central-1"]);
    expect(brokenRun.code).toBe(1);
    expect(brokenRun.stderr).toContain(`${broken}: line 10: not a row of the header's columns`);
  });

  test("files of another Region give no price: exit 1 saying which files were read", async () => {
    const dir = await tempDir("prices");
    const f = await writeLists(dir);
    const { code, stderr } = await cli(["prices", f.elb, "--region", "us-west-2"]);
    expect(code).toBe(1);
    expect(stderr).toContain(`no price for us-west-2 in ${f.elb}`);
  });

  test("usage errors exit 2 naming the option: no --region, an unknown Region, no file, a missing file", async () => {
    const dir = await tempDir("prices");
    const f = await writeLists(dir);
    const noRegion = await cli(["prices", f.elb]);
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain("--region is needed");
    const badRegion = await cli(["prices", f.elb, "--region", "eu-central-9"]);
    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toContain("--region eu-central-9 is not a commercial AWS Region");
    expect((await cli(["prices", "--region", "eu-central-1"])).code).toBe(2);
    const missing = await cli(["prices", join(dir, "nope.csv"), "--region", "eu-central-1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.csv: no such file");
  });
});
