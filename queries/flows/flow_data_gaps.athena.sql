-- flow_data_gaps: SKIPDATA records, one per ENI and aggregation window whose records AWS dropped.
-- A SKIPDATA line can stand for many flows, so it is a data gap to report, never traffic to sum.
-- Grain: one row per SKIPDATA record, named by its object ("$path"; the local engine uses source_file).
-- Parameters: dayFrom, dayTo bound the raw `day` partition (YYYY/MM/DD).
-- Output: file, interface_id, start, end.
SELECT "$path" AS file, interface_id, "start", "end"
FROM raw_flow_logs
WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
  AND log_status = 'SKIPDATA'
ORDER BY "$path", interface_id, "start"
