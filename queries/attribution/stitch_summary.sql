-- stitch_summary: how one day's flows without packet addresses were stitched (stitch_flows'
--   output), for the run's precision report: bytes and curated rows per pairing outcome and
--   direction. An empty result means every format of the day logs pkt-srcaddr/pkt-dstaddr.
-- Parameters: dt.
-- Output: pairing, flow_direction, bytes, rows.
SELECT pairing, flow_direction, sum(bytes) AS bytes, count(*) AS "rows"
FROM stitched_flows
WHERE dt = CAST(? AS varchar)
GROUP BY pairing, flow_direction
ORDER BY pairing, flow_direction
