-- ip_identity: build-identity's output, one row per (address, owner) validity interval
--   [valid_from, valid_to) in Unix seconds, Parquet at <lake>/curated/ip_identity/dt=YYYY-MM-DD/.
-- Columns: exactly packages/local/src/engine/tables.ts CURATED_TABLES.ip_identity (a unit test
--   checks they agree).
-- Partitions: dt (`YYYY-MM-DD`), registered in Glue, not projected: the
--   Athena engine's materialize writes each run under <partition>/run=<id>/ and then switches the
--   partition's LOCATION, so readers never see half a run; projection would read the fixed
--   template path and see two runs' files at once.
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
TBLPROPERTIES ('parquet.compression' = 'ZSTD')
