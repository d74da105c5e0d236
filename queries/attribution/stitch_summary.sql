-- stitch_summary: how one day's flows without packet addresses were stitched (stitch_flows'
--   output), for the run's precision report: bytes and curated rows per pairing outcome and
--   direction. An empty result means every format of the day logs pkt-srcaddr/pkt-dstaddr.
-- Parameters: accountId and region (the place, '*' for every one; a missing account reads as ''),
--   claimsUnaccounted (1: also the Region's records without an account id, as attribute_flows), dt.
-- Output: pairing, flow_direction, bytes, rows.
WITH scope AS (
  SELECT CAST(? AS varchar) AS account_id, CAST(? AS varchar) AS region, CAST(? AS integer) AS claims_unaccounted
)
SELECT f.pairing, f.flow_direction, sum(f.bytes) AS bytes, count(*) AS "rows"
FROM stitched_flows f
CROSS JOIN scope s
WHERE f.dt = CAST(? AS varchar)
  AND (
    s.account_id = '*'
    OR coalesce(f.account_id, '') = s.account_id
    OR (s.claims_unaccounted = 1 AND NOT regexp_like(coalesce(f.account_id, ''), '^[0-9]{12}$'))
  )
  AND (s.region = '*' OR coalesce(f.region, '') = s.region)
GROUP BY f.pairing, f.flow_direction
ORDER BY f.pairing, f.flow_direction
