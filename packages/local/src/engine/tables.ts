/**
 * Column types of the curated tables, as the local engine declares them when a dataset has no
 * files yet (so queries still bind) and as `queries/ddl/athena/` declares them in Glue.
 */
export const CURATED_TABLES = {
  curated_flows: {
    prefix: "curated/flows",
    partitions: ["dt", "hour"],
    columns: {
      account_id: "VARCHAR",
      region: "VARCHAR",
      vpc_id: "VARCHAR",
      interface_id: "VARCHAR",
      az_id: "VARCHAR",
      flow_direction: "VARCHAR",
      direction_inferred: "BOOLEAN",
      srcaddr: "VARCHAR",
      dstaddr: "VARCHAR",
      pkt_srcaddr: "VARCHAR",
      pkt_dstaddr: "VARCHAR",
      pkt_src_aws_service: "VARCHAR",
      pkt_dst_aws_service: "VARCHAR",
      traffic_path: "INTEGER",
      protocol: "INTEGER",
      service_port: "INTEGER",
      action: "VARCHAR",
      minute: "BIGINT",
      first_start: "BIGINT",
      last_end: "BIGINT",
      bytes: "BIGINT",
      packets: "BIGINT",
      records: "BIGINT",
      dt: "VARCHAR",
      hour: "VARCHAR",
    },
  },
  ip_identity: {
    prefix: "curated/ip_identity",
    partitions: ["dt"],
    columns: {
      cluster: "VARCHAR",
      ip: "VARCHAR",
      kind: "VARCHAR",
      owner_id: "VARCHAR",
      namespace: "VARCHAR",
      pod_name: "VARCHAR",
      workload_kind: "VARCHAR",
      workload: "VARCHAR",
      node: "VARCHAR",
      az_id: "VARCHAR",
      resource_id: "VARCHAR",
      service: "VARCHAR",
      valid_from: "BIGINT",
      valid_to: "BIGINT",
      dt: "VARCHAR",
    },
  },
} as const satisfies Record<
  string,
  { prefix: string; partitions: readonly string[]; columns: Record<string, string> }
>;

export type CuratedTable = keyof typeof CURATED_TABLES;
