-- ip_identity_staging: the build-identity Lambda's rows before they become Parquet. Lambdas have
--   no Parquet writer (and never bundle DuckDB), so each run writes gzip JSON lines (one object per
--   row, keys = the columns below) at <lake>/staging/ip_identity/dt=YYYY-MM-DD/run=<id>/part-0.json.gz,
--   materialises them into ip_identity with queries/identity/ip_identity_from_staging.sql, then
--   deletes them.
-- Columns: exactly ip_identity's (queries/ddl/athena/ip_identity.sql; core IpIdentityRow).
-- Partitions: dt and run, both projected as `injected`: a run's folder exists only for the
--   seconds between its write and its delete, so registering partitions in Glue would cost two
--   catalog calls per run for nothing. Queries must name both with static equalities
--   (`dt = '...' AND run = '...'`), which is all the one query reading this table does.
-- Template variables, filled by infra/catalog.ts:
--   ${LAKE_BUCKET}  the lake bucket
CREATE EXTERNAL TABLE IF NOT EXISTS ip_identity_staging (
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
PARTITIONED BY (dt string, run string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS TEXTFILE
LOCATION 's3://${LAKE_BUCKET}/staging/ip_identity/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'injected',
  'projection.run.type' = 'injected',
  'storage.location.template' = 's3://${LAKE_BUCKET}/staging/ip_identity/dt=${dt}/run=${run}/'
)
