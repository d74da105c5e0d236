-- curated_flows: compact-flows' output, one row per aggregated flow group per minute
--   (queries/flows/compact_flows.sql), Parquet at <lake>/curated/flows/dt=YYYY-MM-DD/hour=HH/.
-- Columns: exactly packages/local/src/engine/tables.ts CURATED_TABLES.curated_flows (a unit test
--   checks they agree), so DuckDB-written and Athena-written files read the same.
-- Partitions: dt (`YYYY-MM-DD`), hour (`00`-`23`), registered in Glue, not projected: the
--   Athena engine's materialize writes each run under <partition>/run=<id>/ and then switches the
--   partition's LOCATION, so readers never see half a run; projection would read the fixed
--   template path and see two runs' files at once.
-- Template variables, filled by infra/catalog.ts:
--   ${LAKE_BUCKET}  the lake bucket
CREATE EXTERNAL TABLE IF NOT EXISTS curated_flows (
  account_id string,
  region string,
  vpc_id string,
  interface_id string,
  az_id string,
  flow_direction string,
  direction_inferred boolean,
  srcaddr string,
  dstaddr string,
  pkt_srcaddr string,
  pkt_dstaddr string,
  pkt_src_aws_service string,
  pkt_dst_aws_service string,
  traffic_path int,
  protocol int,
  service_port int,
  client_port int,
  action string,
  minute bigint,
  first_start bigint,
  last_end bigint,
  bytes bigint,
  packets bigint,
  records bigint
)
PARTITIONED BY (dt string, hour string)
STORED AS PARQUET
LOCATION 's3://${LAKE_BUCKET}/curated/flows/'
TBLPROPERTIES ('parquet.compression' = 'ZSTD')
