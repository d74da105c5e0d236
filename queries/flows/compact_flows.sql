-- compact_flows: one hour of raw VPC flow-log records, aggregated to the grain attribution needs.
-- Grain: (logging ENI, direction, ENI and packet addresses, AWS-service fields, traffic path,
--   protocol, service port, action, start minute). Ephemeral client ports are folded away by
--   keeping the lower of the two ports, which is the service side for TCP/UDP.
-- Only log_status = 'OK' records are traffic; NODATA and SKIPDATA are counted by the ledger query.
-- Parameters: dt (YYYY-MM-DD), hour (HH) of the output partition; dayFrom, dayTo bound the raw
--   `day` partition (YYYY/MM/DD, the default layout's projection format); windowStart (incl.) and
--   windowEnd (excl.) bound the records' `start`, Unix seconds.
-- Output: one row per group with first_start, last_end, bytes, packets, records; partitions dt, hour.
SELECT
  account_id,
  region,
  vpc_id,
  interface_id,
  az_id,
  flow_direction,
  srcaddr,
  dstaddr,
  pkt_srcaddr,
  pkt_dstaddr,
  pkt_src_aws_service,
  pkt_dst_aws_service,
  traffic_path,
  protocol,
  CASE WHEN protocol IN (6, 17) THEN least(srcport, dstport) END AS service_port,
  action,
  "start" - ("start" % 60) AS minute,
  min("start") AS first_start,
  max("end") AS last_end,
  sum(bytes) AS bytes,
  sum(packets) AS packets,
  count(*) AS records,
  CAST(? AS varchar) AS dt,
  CAST(? AS varchar) AS hour
FROM raw_flow_logs
WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
  AND "start" >= CAST(? AS bigint)
  AND "start" < CAST(? AS bigint)
  AND log_status = 'OK'
GROUP BY
  account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
  pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
  CASE WHEN protocol IN (6, 17) THEN least(srcport, dstport) END, action, "start" - ("start" % 60)
