/**
 * Every VPC Flow Logs field, the version that introduced it and its type.
 * Source: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 * (see shared/design/aws-facts.md §1.2). Column names follow Athena: `-` becomes `_`.
 */
export type FlowFieldType = "int" | "bigint" | "string";

export interface FlowField {
  /** The name as the text header line and LogFormat spell it, e.g. `pkt-srcaddr`. */
  readonly name: string;
  /** The column name in tables and Parquet delivery, e.g. `pkt_srcaddr`. */
  readonly column: string;
  readonly version: number;
  readonly type: FlowFieldType;
}

const spec: ReadonlyArray<readonly [string, number, FlowFieldType]> = [
  ["version", 2, "int"],
  ["account-id", 2, "string"],
  ["interface-id", 2, "string"],
  ["srcaddr", 2, "string"],
  ["dstaddr", 2, "string"],
  ["srcport", 2, "int"],
  ["dstport", 2, "int"],
  ["protocol", 2, "int"],
  ["packets", 2, "bigint"],
  ["bytes", 2, "bigint"],
  ["start", 2, "bigint"],
  ["end", 2, "bigint"],
  ["action", 2, "string"],
  ["log-status", 2, "string"],
  ["vpc-id", 3, "string"],
  ["subnet-id", 3, "string"],
  ["instance-id", 3, "string"],
  ["tcp-flags", 3, "int"],
  ["type", 3, "string"],
  ["pkt-srcaddr", 3, "string"],
  ["pkt-dstaddr", 3, "string"],
  ["region", 4, "string"],
  ["az-id", 4, "string"],
  ["sublocation-type", 4, "string"],
  ["sublocation-id", 4, "string"],
  ["pkt-src-aws-service", 5, "string"],
  ["pkt-dst-aws-service", 5, "string"],
  ["flow-direction", 5, "string"],
  ["traffic-path", 5, "int"],
  ["ecs-cluster-arn", 7, "string"],
  ["ecs-cluster-name", 7, "string"],
  ["ecs-container-instance-arn", 7, "string"],
  ["ecs-container-instance-id", 7, "string"],
  ["ecs-container-id", 7, "string"],
  ["ecs-second-container-id", 7, "string"],
  ["ecs-service-name", 7, "string"],
  ["ecs-task-definition-arn", 7, "string"],
  ["ecs-task-arn", 7, "string"],
  ["ecs-task-id", 7, "string"],
  ["reject-reason", 8, "string"],
  ["resource-id", 9, "string"],
  ["encryption-status", 10, "int"],
  ["instance-tag", 11, "string"],
  ["instance-tag-2", 11, "string"],
  ["interface-tag", 11, "string"],
  ["interface-tag-2", 11, "string"],
  ["asg-tag", 11, "string"],
  ["asg-tag-2", 11, "string"],
  ["interface-type", 11, "string"],
  ["next-hop-interface-id", 11, "string"],
  ["next-hop-subnet-id", 11, "string"],
  ["next-hop-az-id", 11, "string"],
  ["next-hop-vpc-id", 11, "string"],
  ["next-hop-interface-type", 11, "string"],
];

export const FLOW_FIELDS: ReadonlyArray<FlowField> = spec.map(([name, version, type]) => ({
  name,
  column: name.replaceAll("-", "_"),
  version,
  type,
}));

const byName = new Map(FLOW_FIELDS.map((f) => [f.name, f]));
const byColumn = new Map(FLOW_FIELDS.map((f) => [f.column, f]));

/** Looks a field up by its header spelling (`pkt-srcaddr`) or column spelling (`pkt_srcaddr`). */
export function flowField(name: string): FlowField | undefined {
  return byName.get(name) ?? byColumn.get(name);
}

/** The 14 fields of the default (version 2) format, in their fixed order. */
export const DEFAULT_FORMAT: ReadonlyArray<string> = FLOW_FIELDS.filter((f) => f.version === 2).map(
  (f) => f.name,
);

/**
 * The columns the raw flow-log view exposes to queries, whatever the source format: every
 * field, NULL where a format lacks it. Queries name these; engines fill them.
 */
export const RAW_FLOW_COLUMNS: ReadonlyArray<FlowField> = FLOW_FIELDS;
