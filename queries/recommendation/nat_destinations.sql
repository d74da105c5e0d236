-- nat_destinations: bytes NAT gateways processed per outside address and AWS service, one UTC day.
-- Purpose: the recommendations check in which Region an S3 / DynamoDB destination sits (AWS's
--   ip-ranges.json) before advising a gateway endpoint; attributed rows do not keep outside
--   addresses.
-- Grain: outside address, AWS service (pkt-dst-aws-service going out, pkt-src-aws-service coming in).
-- Rule: the outside leg at a NAT gateway's ENI carries the same bytes as its VPC-side leg: the
--   egress record NAT ENI -> outside and the ingress record outside -> NAT ENI, both processed.
--   The other end must be a public address (the VPC-side records of the ENI name a private one).
-- Parameters: dt (x2: NAT ENIs from ip_identity, the day's curated flows).
-- Output: outside_ip, aws_service (null for the internet), bytes.
WITH nat_enis AS (
  SELECT DISTINCT ip
  FROM ip_identity
  WHERE dt = CAST(? AS varchar) AND kind = 'nat_gateway'
),
outside_leg AS (
  SELECT
    CASE WHEN f.flow_direction = 'egress' THEN f.dstaddr ELSE f.srcaddr END AS outside_ip,
    CASE WHEN f.flow_direction = 'egress' THEN f.pkt_dst_aws_service ELSE f.pkt_src_aws_service END AS aws_service,
    f.bytes
  FROM curated_flows f
  JOIN nat_enis n ON n.ip = CASE WHEN f.flow_direction = 'egress' THEN f.srcaddr ELSE f.dstaddr END
  WHERE f.dt = CAST(? AS varchar)
    AND f.action = 'ACCEPT'
    AND f.flow_direction IN ('egress', 'ingress')
)
SELECT outside_ip, aws_service, sum(bytes) AS bytes
FROM outside_leg
WHERE regexp_like(outside_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|f[cd])') = false
GROUP BY outside_ip, aws_service
ORDER BY bytes DESC, outside_ip
