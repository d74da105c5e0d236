/**
 * Every commercial AWS Region (the `aws` partition; GovCloud and China are separate partitions
 * with their own price lists) and its billing code, the prefix of CUR usage types
 * (`USW2-NatGateway-Bytes`). Source: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html
 * (aws-facts.md §4.4). Several third-party tables get these wrong: `APS1` is ap-southeast-1, not
 * ap-south-1 (`APS3`), and eu-west-1 is plain `EU`.
 */
export const COMMERCIAL_REGIONS = {
  "us-east-1": "USE1",
  "us-east-2": "USE2",
  "us-west-1": "USW1",
  "us-west-2": "USW2",
  "ca-central-1": "CAN1",
  "ca-west-1": "CAN2",
  "mx-central-1": "MXC1",
  "af-south-1": "AFS1",
  "ap-east-1": "APE1",
  "ap-east-2": "APE2",
  "ap-northeast-1": "APN1",
  "ap-northeast-2": "APN2",
  "ap-northeast-3": "APN3",
  "ap-southeast-1": "APS1",
  "ap-southeast-2": "APS2",
  "ap-south-1": "APS3",
  "ap-southeast-3": "APS4",
  "ap-south-2": "APS5",
  "ap-southeast-4": "APS6",
  "ap-southeast-5": "APS7",
  "ap-southeast-6": "APS8",
  "ap-southeast-7": "APS9",
  "eu-west-1": "EU",
  "eu-central-1": "EUC1",
  "eu-central-2": "EUC2",
  "eu-west-2": "EUW2",
  "eu-west-3": "EUW3",
  "eu-north-1": "EUN1",
  "eu-south-1": "EUS1",
  "eu-south-2": "EUS2",
  "il-central-1": "ILC1",
  "me-central-1": "MEC1",
  "me-south-1": "MES1",
  "sa-east-1": "SAE1",
} as const satisfies Record<string, string>;

export type CommercialRegion = keyof typeof COMMERCIAL_REGIONS;

export const isCommercialRegion = (region: string): region is CommercialRegion =>
  Object.hasOwn(COMMERCIAL_REGIONS, region);
