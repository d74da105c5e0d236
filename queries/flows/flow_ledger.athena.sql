-- flow_ledger: the ingestion ledger's per-object counts over the raw flow-log table.
-- Grain: one row per flow-log object ("$path"; the local engine uses source_file).
-- used counts what compact_flows takes as traffic: log_status 'OK' (or absent from the format)
--   with a start and bytes, every number in range. NODATA and SKIPDATA are status records, never
--   traffic. number_range counts OK records with an impossible number (compact_flows' limits). The
--   rest of records (an OK record without start or bytes, an unknown log-status) is invalid_record.
-- Parameters: dayFrom, dayTo bound the raw `day` partition (YYYY/MM/DD).
-- Output: file, records, used, nodata, skipdata, number_range.
SELECT
  "$path" AS file,
  count(*) AS records,
  sum(
    CASE WHEN coalesce(log_status, 'OK') = 'OK' AND "start" IS NOT NULL AND bytes IS NOT NULL
      AND bytes BETWEEN 0 AND 1000000000000000
      AND coalesce(packets, 0) BETWEEN 0 AND 1000000000000000
      AND coalesce(srcport, 0) BETWEEN 0 AND 65535
      AND coalesce(dstport, 0) BETWEEN 0 AND 65535
      AND coalesce(protocol, 0) BETWEEN 0 AND 255
      AND "start" BETWEEN 0 AND 253402300799
      AND coalesce("end", 0) BETWEEN 0 AND 253402300799
    THEN 1 ELSE 0 END
  ) AS used,
  sum(CASE WHEN log_status = 'NODATA' THEN 1 ELSE 0 END) AS nodata,
  sum(CASE WHEN log_status = 'SKIPDATA' THEN 1 ELSE 0 END) AS skipdata,
  sum(
    CASE WHEN coalesce(log_status, 'OK') = 'OK' AND "start" IS NOT NULL AND bytes IS NOT NULL
      AND NOT (bytes BETWEEN 0 AND 1000000000000000
      AND coalesce(packets, 0) BETWEEN 0 AND 1000000000000000
      AND coalesce(srcport, 0) BETWEEN 0 AND 65535
      AND coalesce(dstport, 0) BETWEEN 0 AND 65535
      AND coalesce(protocol, 0) BETWEEN 0 AND 255
      AND "start" BETWEEN 0 AND 253402300799
      AND coalesce("end", 0) BETWEEN 0 AND 253402300799)
    THEN 1 ELSE 0 END
  ) AS number_range
FROM raw_flow_logs
WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
GROUP BY "$path"
ORDER BY "$path"
