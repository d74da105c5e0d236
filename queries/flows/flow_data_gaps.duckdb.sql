-- flow_data_gaps: SKIPDATA records, one per ENI and aggregation window whose records AWS dropped.
-- A SKIPDATA line can stand for many flows, so it is a data gap to report, never traffic to sum.
-- Grain: one row per SKIPDATA record, named by its object (source_file; the Athena sibling uses "$path").
-- Local difference: it reads raw_flow_status (see flow_ledger.duckdb.sql), where identical
--   SKIPDATA records of one object are one row with their count, so each is repeated `records` times.
-- Parameters: dayFrom, dayTo bound the raw `day` partition (YYYY/MM/DD).
-- Output: file, interface_id, start, end.
SELECT file, interface_id, "start", "end"
FROM (
  SELECT
    source_file AS file,
    gap_interface_id AS interface_id,
    gap_start AS "start",
    gap_end AS "end",
    unnest(range(records)) AS copy
  FROM raw_flow_status
  WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
    AND log_status = 'SKIPDATA'
) gaps
ORDER BY file, interface_id, "start"
