-- results_daily: the attribute job's output, one row per (day, category, both ends, Service, load
--   balancer, NAT gateway, confidence), as gzip JSON lines at
--   <lake>/results/daily/dt=YYYY-MM-DD/rows.json.gz: one JSON object per line whose keys are the
--   snake_case columns below (Athena reads `.gz` text by its extension).
-- Columns: exactly packages/local/src/engine/tables.ts CURATED_TABLES.results_daily (a unit test
--   checks they agree); billed_cost_usd is decimal so a day's rows add up to the bill to the cent,
--   and null while the day has no CUR (cost_basis `estimated`). account_id and region name the
--   account and Region of the row's flows and bill on a day holding several; null on a day of one,
--   and on objects written before they existed (added last: the SerDe matches keys by name, so
--   older objects read with both null).
-- Partitions: dt (`YYYY-MM-DD`), projected: the attribute job replaces a day's object under the
--   fixed prefix dt=YYYY-MM-DD/ (one PUT, then stale keys deleted), not by switching a Glue
--   partition's location, so the projection template is exactly where readers must look.
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
  cost_basis string,
  account_id string,
  region string
)
PARTITIONED BY (dt string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS TEXTFILE
LOCATION 's3://${LAKE_BUCKET}/results/daily/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${LAKE_BUCKET}/results/daily/dt=${dt}/'
)
