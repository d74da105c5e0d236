-- compact_flows: one hour of raw VPC flow-log records, aggregated to the grain attribution needs.
-- Grain: (logging ENI, direction, ENI and packet addresses, AWS-service fields, traffic path,
--   protocol, service port, action, start minute). Ephemeral client ports are folded away by
--   keeping the lower of the two ports, which is the service side for TCP/UDP.
-- Traffic: records whose log_status is 'OK' (or absent from the format) with a start and bytes.
--   NODATA and SKIPDATA are never traffic; the flow_ledger query counts them.
-- Direction: flow_direction as logged (v5+). Formats without it (the default v2 format, v3/v4
--   custom formats) get it inferred, and direction_inferred says so. A record belongs to its
--   interface_id and srcaddr/dstaddr are ENI-level addresses: the ENI's primary IP is srcaddr on
--   egress and dstaddr on ingress (aws-facts.md §1.3). So within the hour, the ENI's primary
--   address is the address present in every record of that ENI. When two addresses are (all of
--   the ENI's records are between the same two hosts), the one that is another ENI's sole
--   primary address is the peer; failing that, an ENI's primary IPv4 address is private
--   (RFC 1918 or 100.64/10), so a private address beats a public one. A tie stays unresolved.
--   The record is egress when srcaddr is the primary address, ingress when dstaddr is; when no
--   single primary address is found, flow_direction stays NULL (direction_inferred true) and
--   attribution cannot count it as egress.
-- Parameters: dt (YYYY-MM-DD), hour (HH) of the output partition; dayFrom, dayTo bound the raw
--   `day` partition (YYYY/MM/DD, the default layout's projection format); windowStart (incl.) and
--   windowEnd (excl.) bound the records' `start`, Unix seconds.
-- Output: one row per group with first_start, last_end (max start when the format has no `end`),
--   bytes, packets (NULL when the format has none), records and direction_inferred; partitions dt, hour.
WITH records AS (
  SELECT
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    srcport, dstport, action, "start", "end", bytes, packets
  FROM raw_flow_logs
  WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
    AND "start" >= CAST(? AS bigint)
    AND "start" < CAST(? AS bigint)
    AND coalesce(log_status, 'OK') = 'OK'
    AND bytes IS NOT NULL
),
undirected AS (
  SELECT interface_id, srcaddr, dstaddr
  FROM records
  WHERE flow_direction IS NULL AND interface_id IS NOT NULL
),
eni_records AS (
  SELECT interface_id, count(*) AS n FROM undirected GROUP BY interface_id
),
eni_addresses AS (
  SELECT interface_id, address, count(*) AS n
  FROM (
    SELECT interface_id, srcaddr AS address FROM undirected WHERE srcaddr IS NOT NULL
    UNION ALL
    SELECT interface_id, dstaddr AS address
    FROM undirected
    WHERE dstaddr IS NOT NULL AND (srcaddr IS NULL OR dstaddr <> srcaddr)
  ) a
  GROUP BY interface_id, address
),
candidates AS (
  SELECT a.interface_id, a.address, count(*) OVER (PARTITION BY a.interface_id) AS k
  FROM eni_addresses a
  JOIN eni_records e ON e.interface_id = a.interface_id AND a.n = e.n
),
sole AS (
  SELECT interface_id, address FROM candidates WHERE k = 1
),
peer_addresses AS (
  SELECT DISTINCT address FROM sole
),
scored AS (
  SELECT
    c.interface_id,
    c.address,
    CASE WHEN p.address IS NULL THEN 2 ELSE 0 END
      + CASE
          WHEN regexp_like(c.address, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.)')
          THEN 1 ELSE 0
        END AS score
  FROM candidates c
  LEFT JOIN peer_addresses p ON p.address = c.address
  WHERE c.k = 2
),
ranked AS (
  SELECT
    interface_id, address, score,
    max(score) OVER (PARTITION BY interface_id) AS best,
    min(score) OVER (PARTITION BY interface_id) AS worst
  FROM scored
),
primary_address AS (
  SELECT interface_id, address FROM sole
  UNION ALL
  SELECT interface_id, address FROM ranked WHERE score = best AND best > worst
),
directed AS (
  SELECT
    r.account_id, r.region, r.vpc_id, r.interface_id, r.az_id,
    coalesce(
      r.flow_direction,
      CASE WHEN p.address = r.srcaddr THEN 'egress' WHEN p.address = r.dstaddr THEN 'ingress' END
    ) AS flow_direction,
    r.flow_direction IS NULL AS direction_inferred,
    r.srcaddr, r.dstaddr, r.pkt_srcaddr, r.pkt_dstaddr, r.pkt_src_aws_service, r.pkt_dst_aws_service,
    r.traffic_path, r.protocol,
    CASE WHEN r.protocol IN (6, 17) THEN least(r.srcport, r.dstport) END AS service_port,
    r.action, r."start", r."end", r.bytes, r.packets
  FROM records r
  LEFT JOIN primary_address p ON r.flow_direction IS NULL AND p.interface_id = r.interface_id
)
SELECT
  account_id,
  region,
  vpc_id,
  interface_id,
  az_id,
  flow_direction,
  direction_inferred,
  srcaddr,
  dstaddr,
  pkt_srcaddr,
  pkt_dstaddr,
  pkt_src_aws_service,
  pkt_dst_aws_service,
  traffic_path,
  protocol,
  service_port,
  action,
  "start" - ("start" % 60) AS minute,
  min("start") AS first_start,
  coalesce(max("end"), max("start")) AS last_end,
  sum(bytes) AS bytes,
  sum(packets) AS packets,
  count(*) AS records,
  CAST(? AS varchar) AS dt,
  CAST(? AS varchar) AS hour
FROM directed
GROUP BY
  account_id, region, vpc_id, interface_id, az_id, flow_direction, direction_inferred, srcaddr,
  dstaddr, pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path,
  protocol, service_port, action, "start" - ("start" % 60)
