-- flow_ledger: the ingestion ledger's per-object counts over the raw flow-log table.
-- Grain: one row per flow-log object ("$path"; the local engine uses source_file).
-- used counts what compact_flows takes as traffic: log_status 'OK' (or absent from the format)
--   with a start and bytes. NODATA and SKIPDATA are status records, never traffic. The rest of
--   records (an OK record without start or bytes, an unknown log-status) is invalid_record.
-- Parameters: dayFrom, dayTo bound the raw `day` partition (YYYY/MM/DD).
-- Output: file, records, used, nodata, skipdata.
SELECT
  "$path" AS file,
  count(*) AS records,
  sum(CASE WHEN coalesce(log_status, 'OK') = 'OK' AND "start" IS NOT NULL AND bytes IS NOT NULL THEN 1 ELSE 0 END) AS used,
  sum(CASE WHEN log_status = 'NODATA' THEN 1 ELSE 0 END) AS nodata,
  sum(CASE WHEN log_status = 'SKIPDATA' THEN 1 ELSE 0 END) AS skipdata
FROM raw_flow_logs
WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
GROUP BY "$path"
ORDER BY "$path"
