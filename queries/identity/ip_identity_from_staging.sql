-- ip_identity_from_staging: one build-identity run's rows for one day, as staged by the Lambda
--   (gzip JSON lines at staging/ip_identity/dt=YYYY-MM-DD/run=<id>/), so AthenaEngine.materialize
--   can write them as the day's Parquet partition of ip_identity. Lambdas have no Parquet writer;
--   this SELECT is the conversion.
-- Grain: one row per (address, owner) validity interval [valid_from, valid_to), Unix seconds,
--   already clipped to the day (core identityRowsForDay).
-- Both predicates are static equalities: ip_identity_staging projects dt and run as `injected`
--   partitions, which Athena accepts only that way.
-- Parameters: dt (YYYY-MM-DD), run (the run id the Lambda wrote under).
-- Output: the ip_identity columns, then dt.
SELECT
  cluster,
  ip,
  kind,
  owner_id,
  namespace,
  pod_name,
  workload_kind,
  workload,
  node,
  az_id,
  resource_id,
  service,
  valid_from,
  valid_to,
  dt
FROM ip_identity_staging
WHERE dt = CAST(? AS varchar)
  AND run = CAST(? AS varchar)
