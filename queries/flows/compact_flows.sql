-- compact_flows: raw VPC flow-log records of a window of whole hours, aggregated to the grain
--   attribution needs, each row in its own hour's partition.
-- Grain: (logging ENI, direction, ENI and packet addresses, AWS-service fields, traffic path,
--   protocol, service port, client port, action, start minute). Ephemeral client ports are folded
--   away by keeping the lower of the two ports, which is the service side for TCP/UDP, except
--   where the format has neither pkt-srcaddr nor pkt-dstaddr: there the higher port is kept as
--   client_port, since the sender's and the receiver's records of one connection pair on it
--   (stitch_flows recovers the true ends from them).
-- Traffic: records whose log_status is 'OK' (or absent from the format) with a start and bytes,
--   every number within what a record can hold (core FLOW_NUMBER_LIMITS: bytes and packets
--   0-1e15, ports 0-65535, protocol 0-255, times 1970-9999); the rest is rejected as number_range.
--   NODATA and SKIPDATA are never traffic; the flow_ledger query counts them.
-- Direction: flow_direction as logged (v5+). Formats without it (the default v2 format, v3/v4
--   custom formats) get it inferred, and direction_inferred says so. A record belongs to its
--   interface_id and srcaddr/dstaddr are ENI-level addresses: the ENI's primary IP is srcaddr on
--   egress and dstaddr on ingress (aws-facts.md §1.3). So within an hour, the ENI's primary
--   address is the address present in every record of that ENI. When two addresses are (all of
--   the ENI's records are between the same two hosts), the one that is another ENI's sole
--   primary address in that hour is the peer; failing that, an ENI's primary IPv4 address is
--   private (RFC 1918 or 100.64/10), so a private address beats a public one. A tie stays
--   unresolved. The record is egress when srcaddr is the primary address, ingress when dstaddr
--   is; when no single primary address is found, flow_direction stays NULL (direction_inferred
--   true) and attribution cannot count it as egress.
--   The raw records are aggregated first and the inference counts records through the groups'
--   `records` (srcaddr and dstaddr are grain columns, so the counts are exact): the raw rows
--   are read once, in one pass, however many hours the window holds.
-- Parameters: dayFrom, dayTo bound the raw `day` partition (YYYY/MM/DD, the default layout's
--   projection format); windowStart (incl.) and windowEnd (excl.) bound the records' `start`,
--   Unix seconds, on whole hours. Athena runs it one hour at a time; DuckDB a whole run at once.
-- Output: one row per group with first_start, last_end (max start when the format has no `end`),
--   bytes, packets (BIGINT on both engines: DuckDB's sum is 128-bit, cast back, failing loudly on
--   overflow) (NULL when the format has none), records and direction_inferred; partitions
--   dt (YYYY-MM-DD) and hour (HH) of the group's minute, UTC.
WITH records AS (
  SELECT
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    CASE WHEN protocol IN (6, 17) THEN least(srcport, dstport) END AS service_port,
    CASE WHEN protocol IN (6, 17) AND pkt_srcaddr IS NULL AND pkt_dstaddr IS NULL THEN greatest(srcport, dstport) END AS client_port,
    action, "start", "end", bytes, packets
  FROM raw_flow_logs
  WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
    AND "start" >= CAST(? AS bigint)
    AND "start" < CAST(? AS bigint)
    AND coalesce(log_status, 'OK') = 'OK'
    AND bytes BETWEEN 0 AND 1000000000000000
    AND coalesce(packets, 0) BETWEEN 0 AND 1000000000000000
    AND coalesce(srcport, 0) BETWEEN 0 AND 65535
    AND coalesce(dstport, 0) BETWEEN 0 AND 65535
    AND coalesce(protocol, 0) BETWEEN 0 AND 255
    AND "start" BETWEEN 0 AND 253402300799
    AND coalesce("end", 0) BETWEEN 0 AND 253402300799
),
grouped AS (
  SELECT
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    service_port, client_port, action,
    "start" - ("start" % 60) AS minute,
    min("start") AS first_start,
    coalesce(max("end"), max("start")) AS last_end,
    CAST(sum(bytes) AS bigint) AS bytes,
    CAST(sum(packets) AS bigint) AS packets,
    count(*) AS records
  FROM records
  GROUP BY
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    service_port, client_port, action, "start" - ("start" % 60)
),
undirected AS (
  SELECT interface_id, minute - (minute % 3600) AS hour_start, srcaddr, dstaddr, records
  FROM grouped
  WHERE flow_direction IS NULL AND interface_id IS NOT NULL
),
eni_records AS (
  SELECT interface_id, hour_start, sum(records) AS n FROM undirected GROUP BY interface_id, hour_start
),
eni_addresses AS (
  SELECT interface_id, hour_start, address, sum(records) AS n
  FROM (
    SELECT interface_id, hour_start, srcaddr AS address, records FROM undirected WHERE srcaddr IS NOT NULL
    UNION ALL
    SELECT interface_id, hour_start, dstaddr AS address, records
    FROM undirected
    WHERE dstaddr IS NOT NULL AND (srcaddr IS NULL OR dstaddr <> srcaddr)
  ) a
  GROUP BY interface_id, hour_start, address
),
candidates AS (
  SELECT
    a.interface_id, a.hour_start, a.address,
    count(*) OVER (PARTITION BY a.interface_id, a.hour_start) AS k
  FROM eni_addresses a
  JOIN eni_records e ON e.interface_id = a.interface_id AND e.hour_start = a.hour_start AND a.n = e.n
),
sole AS (
  SELECT interface_id, hour_start, address FROM candidates WHERE k = 1
),
peer_addresses AS (
  SELECT DISTINCT hour_start, address FROM sole
),
scored AS (
  SELECT
    c.interface_id,
    c.hour_start,
    c.address,
    CASE WHEN p.address IS NULL THEN 2 ELSE 0 END
      + CASE
          WHEN regexp_like(c.address, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.)')
          THEN 1 ELSE 0
        END AS score
  FROM candidates c
  LEFT JOIN peer_addresses p ON p.hour_start = c.hour_start AND p.address = c.address
  WHERE c.k = 2
),
ranked AS (
  SELECT
    interface_id, hour_start, address, score,
    max(score) OVER (PARTITION BY interface_id, hour_start) AS best,
    min(score) OVER (PARTITION BY interface_id, hour_start) AS worst
  FROM scored
),
primary_address AS (
  SELECT interface_id, hour_start, address FROM sole
  UNION ALL
  SELECT interface_id, hour_start, address FROM ranked WHERE score = best AND best > worst
)
SELECT
  g.account_id,
  g.region,
  g.vpc_id,
  g.interface_id,
  g.az_id,
  coalesce(
    g.flow_direction,
    CASE WHEN p.address = g.srcaddr THEN 'egress' WHEN p.address = g.dstaddr THEN 'ingress' END
  ) AS flow_direction,
  g.flow_direction IS NULL AS direction_inferred,
  g.srcaddr,
  g.dstaddr,
  g.pkt_srcaddr,
  g.pkt_dstaddr,
  g.pkt_src_aws_service,
  g.pkt_dst_aws_service,
  g.traffic_path,
  g.protocol,
  g.service_port,
  g.client_port,
  g.action,
  g.minute,
  g.first_start,
  g.last_end,
  g.bytes,
  g.packets,
  g.records,
  date_format(from_unixtime(g.minute), '%Y-%m-%d') AS dt,
  date_format(from_unixtime(g.minute), '%H') AS hour
FROM grouped g
LEFT JOIN primary_address p
  ON p.interface_id = g.interface_id AND p.hour_start = g.minute - (g.minute % 3600)
