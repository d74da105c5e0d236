-- flow_ledger: the ingestion ledger's per-object counts over the raw flow-log records.
-- Grain: one row per flow-log object (source_file; the Athena sibling uses "$path").
-- used counts what compact_flows takes as traffic: log_status 'OK' (or absent from the format)
--   with a start and bytes, every number in range. NODATA and SKIPDATA are status records, never
--   traffic. number_range counts OK records with an impossible number: raw_flow_status files them
--   under the status 'NUMBER_RANGE'. The rest of records (an OK record without start or bytes, an
--   unknown log-status) is invalid_record.
-- Local difference: it reads raw_flow_status, the raw records already counted per object, log
--   status and traffic flag: compact_flows_directed's scan counts them when every format logs
--   flow-direction, else the local engine scans the objects for them once per run.
-- Parameters: dayFrom, dayTo bound the raw `day` partition (YYYY/MM/DD).
-- Output: file, records, used, nodata, skipdata, number_range.
SELECT
  source_file AS file,
  sum(records) AS records,
  sum(CASE WHEN traffic THEN records ELSE 0 END) AS used,
  sum(CASE WHEN log_status = 'NODATA' THEN records ELSE 0 END) AS nodata,
  sum(CASE WHEN log_status = 'SKIPDATA' THEN records ELSE 0 END) AS skipdata,
  sum(CASE WHEN log_status = 'NUMBER_RANGE' THEN records ELSE 0 END) AS number_range
FROM raw_flow_status
WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
GROUP BY source_file
ORDER BY source_file
