const CURATED_FLOWS_COLUMNS = {
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
  client_port: "INTEGER",
  action: "VARCHAR",
  minute: "BIGINT",
  first_start: "BIGINT",
  last_end: "BIGINT",
  bytes: "BIGINT",
  packets: "BIGINT",
  records: "BIGINT",
  dt: "VARCHAR",
  hour: "VARCHAR",
} as const;

/** stitch_flows' rows: the curated columns attribution reads, the day partition and `pairing`. */
const {
  direction_inferred: _inferred,
  traffic_path: _path,
  action: _action,
  packets: _packets,
  records: _records,
  hour: _hour,
  dt: _dt,
  ...stitched
} = CURATED_FLOWS_COLUMNS;
const STITCHED_FLOWS_COLUMNS = { ...stitched, pairing: "VARCHAR", dt: "VARCHAR" } as const;

/**
 * Column types of the curated tables, as the local engine declares them when a dataset has no
 * files yet (so queries still bind) and as `queries/ddl/athena/` declares them in Glue.
 */
export const CURATED_TABLES = {
  curated_flows: {
    prefix: "curated/flows",
    partitions: ["dt", "hour"],
    columns: CURATED_FLOWS_COLUMNS,
  },
  stitched_flows: {
    prefix: "curated/stitched_flows",
    partitions: ["dt"],
    columns: STITCHED_FLOWS_COLUMNS,
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
  results_daily: {
    prefix: "results/daily",
    partitions: ["dt"],
    /** Columns were added after files were written: read by name, missing ones NULL. */
    readByName: true,
    columns: {
      category: "VARCHAR",
      subcategory: "VARCHAR",
      src_kind: "VARCHAR",
      src_namespace: "VARCHAR",
      src_workload_kind: "VARCHAR",
      src_workload: "VARCHAR",
      src_ip: "VARCHAR",
      src_az_id: "VARCHAR",
      src_node: "VARCHAR",
      src_resource: "VARCHAR",
      dst_kind: "VARCHAR",
      dst_namespace: "VARCHAR",
      dst_workload_kind: "VARCHAR",
      dst_workload: "VARCHAR",
      dst_ip: "VARCHAR",
      dst_az_id: "VARCHAR",
      dst_node: "VARCHAR",
      dst_resource: "VARCHAR",
      service: "VARCHAR",
      load_balancer: "VARCHAR",
      nat_gateway: "VARCHAR",
      confidence: "VARCHAR",
      bytes: "BIGINT",
      list_cost_usd: "DOUBLE",
      billed_cost_usd: "DECIMAL(18,2)",
      cost_basis: "VARCHAR",
      // Added for lakes holding several accounts or Regions: last, so files written before them
      // still read (Athena matches JSON keys by name, the local view reads by name too); NULL on
      // those files and on a day of one account and Region.
      account_id: "VARCHAR",
      region: "VARCHAR",
      dt: "VARCHAR",
    },
  },
} as const satisfies Record<
  string,
  { prefix: string; partitions: readonly string[]; columns: Record<string, string>; readByName?: boolean }
>;

export type CuratedTable = keyof typeof CURATED_TABLES;
