-- ip_identity: build-identity's output, one row per (address, owner) validity interval
--   [valid_from, valid_to) in Unix seconds, Parquet at <lake>/curated/ip_identity/dt=YYYY-MM-DD/.
-- Columns: exactly packages/local/src/engine/tables.ts CURATED_TABLES.ip_identity (a unit test
--   checks they agree).
-- Partitions (projected): dt (`yyyy-MM-dd`).
-- Template variables, filled by infra/catalog.ts:
--   ${LAKE_BUCKET}  the lake bucket
CREATE EXTERNAL TABLE IF NOT EXISTS ip_identity (
  cluster string,
  ip string,
  kind string,
  owner_id string,
  namespace string,
  pod_name string,
  workload_kind string,
  workload string,
  node string,
  az_id string,
  resource_id string,
  service string,
  valid_from bigint,
  valid_to bigint
)
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://${LAKE_BUCKET}/curated/ip_identity/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2021-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${LAKE_BUCKET}/curated/ip_identity/dt=${dt}/'
)
