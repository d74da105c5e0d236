-- stitched_flows: the true ends stitch_flows recovered for one day's flows whose format has no
--   pkt-srcaddr/pkt-dstaddr (queries/attribution/stitch_flows.sql), Parquet at
--   <lake>/curated/stitched_flows/dt=YYYY-MM-DD/; attribute_flows reads them in place of those
--   curated rows. An empty day (every format logs packet addresses) has no files.
-- Columns: exactly packages/local/src/engine/tables.ts CURATED_TABLES.stitched_flows.
-- Partitions: dt (`YYYY-MM-DD`), registered in Glue by the Athena engine's materialize (run=
--   folders, LOCATION switched), like curated_flows.
-- Template variables, filled by infra/catalog.ts:
--   ${LAKE_BUCKET}  the lake bucket
CREATE EXTERNAL TABLE IF NOT EXISTS stitched_flows (
  account_id string,
  region string,
  vpc_id string,
  interface_id string,
  az_id string,
  flow_direction string,
  srcaddr string,
  dstaddr string,
  pkt_srcaddr string,
  pkt_dstaddr string,
  pkt_src_aws_service string,
  pkt_dst_aws_service string,
  protocol int,
  service_port int,
  client_port int,
  minute bigint,
  first_start bigint,
  last_end bigint,
  bytes bigint,
  pairing string
)
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://${LAKE_BUCKET}/curated/stitched_flows/'
TBLPROPERTIES ('parquet.compression' = 'ZSTD')
