-- compact_flows_directed: compact_flows for raw records whose format logs flow-direction (v5+
--   custom formats, every Parquet delivery): the same rows, without the direction inference.
-- Why a second query: compact_flows' inference reads the aggregated groups twice, so DuckDB
--   materialises every group before writing one; when every format logs the direction there is
--   nothing to infer and the groups stream straight into the partitioned write. The local job
--   picks this query when every format in the run names flow-direction; Athena's job keeps
--   compact_flows (Trino does not materialise, and an hour's formats are not known up front).
-- Grain, traffic and parameters: as compact_flows (see its header). A record whose format names
--   flow-direction but logs '-' (never seen on an OK record) keeps flow_direction NULL with
--   direction_inferred true, as compact_flows leaves a record it cannot infer.
-- Output: compact_flows' columns; partitions dt (YYYY-MM-DD) and hour (HH) of the group's minute, UTC.
WITH records AS (
  SELECT
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    CASE WHEN protocol IN (6, 17) THEN least(srcport, dstport) END AS service_port,
    action, "start", "end", bytes, packets
  FROM raw_flow_logs
  WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
    AND "start" >= CAST(? AS bigint)
    AND "start" < CAST(? AS bigint)
    AND coalesce(log_status, 'OK') = 'OK'
    AND bytes IS NOT NULL
),
grouped AS (
  SELECT
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    service_port, action,
    "start" - ("start" % 60) AS minute,
    min("start") AS first_start,
    coalesce(max("end"), max("start")) AS last_end,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    count(*) AS records
  FROM records
  GROUP BY
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    service_port, action, "start" - ("start" % 60)
)
SELECT
  account_id,
  region,
  vpc_id,
  interface_id,
  az_id,
  flow_direction,
  flow_direction IS NULL AS direction_inferred,
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
  minute,
  first_start,
  last_end,
  bytes,
  packets,
  records,
  date_format(from_unixtime(minute), '%Y-%m-%d') AS dt,
  date_format(from_unixtime(minute), '%H') AS hour
FROM grouped
