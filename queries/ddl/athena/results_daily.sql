-- results_daily: the attribute job's output, one row per (day, category, both ends, Service, load
--   balancer, NAT gateway, confidence), Parquet at <lake>/results/daily/dt=YYYY-MM-DD/.
-- Columns: exactly packages/local/src/engine/tables.ts CURATED_TABLES.results_daily (a unit test
--   checks they agree); billed_cost_usd is decimal so a day's rows add up to the bill to the cent.
-- Partitions: dt (`YYYY-MM-DD`), registered in Glue, not projected: the Athena engine's
--   materialize writes each run under <partition>/run=<id>/ and then switches the partition's
--   LOCATION, so readers never see half a run.
-- Template variables, filled by infra/catalog.ts:
--   ${LAKE_BUCKET}  the lake bucket
CREATE EXTERNAL TABLE IF NOT EXISTS results_daily (
  category string,
  subcategory string,
  src_kind string,
  src_namespace string,
  src_workload_kind string,
  src_workload string,
  src_ip string,
  src_az_id string,
  src_node string,
  src_resource string,
  dst_kind string,
  dst_namespace string,
  dst_workload_kind string,
  dst_workload string,
  dst_ip string,
  dst_az_id string,
  dst_node string,
  dst_resource string,
  service string,
  load_balancer string,
  nat_gateway string,
  confidence string,
  bytes bigint,
  list_cost_usd double,
  billed_cost_usd decimal(18,2),
  cost_basis string
)
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://${LAKE_BUCKET}/results/daily/'
TBLPROPERTIES ('parquet.compression' = 'ZSTD')
