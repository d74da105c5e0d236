-- compact_flows_directed (local engine only): compact_flows' curated rows for runs whose every
--   format logs flow-direction (v5+ custom formats, every Parquet delivery), without the direction
--   inference, plus the ledger's per-object status counts from the same scan, so the raw text is
--   read once per run. compact_flows' inference reads the aggregated groups twice, so DuckDB
--   materialises every group before writing one; with nothing to infer the groups stream straight
--   into the partitioned write. A record whose format names flow-direction but logs '-' (never
--   seen on an OK record) keeps flow_direction NULL with direction_inferred true, as compact_flows
--   leaves a record it cannot infer. Athena compacts with compact_flows, one hour at a time.
-- Local difference: Athena counts the ledger with its own queries over "$path"; locally one
--   aggregate with two grouping sets feeds both. The first set is the curated grain (records
--   that are traffic in the window, as compact_flows takes them); the second is
--   raw_flow_status' grain (object, day, log status, traffic flag, SKIPDATA window), over every
--   record the objects hold. The status rows travel in the same partitioned write, in their own
--   partition dt='raw_flow_status', hour='all', which the engine loads into raw_flow_status and
--   removes before any partition is published. A COPY writes one schema, so a status row carries
--   its values in curated columns of the same type:
--     account_id = source_file, region = day, action = log_status ('NUMBER_RANGE' for an OK
--     record outside compact_flows' number limits), direction_inferred = traffic,
--     interface_id = the SKIPDATA record's ENI, first_start = min(start), minute = max(start),
--     last_end = max(end) (a SKIPDATA group's start and end are its window's), records = count(*).
-- Passes: a run too large for DuckDB's memory compacts in several scans (passes), each
--   aggregating only the curated groups whose ENI falls in its hash bucket
--   (hash(interface_id) % passes = pass). interface_id is a grouping key, so every curated group
--   is whole in exactly one pass and the rows are those of one scan. Pass 0 reads every record and
--   alone yields the status rows (counted once, over every record); its records outside its bucket
--   have their curated keys NULLed, so they fold into one group the final WHERE drops. Passes 1
--   and up keep only their bucket's records. passes = 1, pass = 0 is the one scan.
-- Parameters: dayFrom, dayTo, windowStart, windowEnd, as compact_flows; passes (>= 1) and pass
--   (0 to passes - 1).
-- Output: compact_flows' columns; partitions dt, hour (the status rows' as above).
WITH records AS (
  SELECT
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    CASE WHEN protocol IN (6, 17) THEN least(srcport, dstport) END AS service_port,
    CASE WHEN protocol IN (6, 17) AND pkt_srcaddr IS NULL AND pkt_dstaddr IS NULL THEN greatest(srcport, dstport) END AS client_port,
    action, "start", "end", bytes, packets, "start" - ("start" % 60) AS minute,
    source_file, day,
    CASE
      WHEN coalesce(log_status, 'OK') = 'OK' AND "start" IS NOT NULL AND bytes IS NOT NULL
        AND NOT (bytes BETWEEN 0 AND 1000000000000000
        AND coalesce(packets, 0) BETWEEN 0 AND 1000000000000000
        AND coalesce(srcport, 0) BETWEEN 0 AND 65535
        AND coalesce(dstport, 0) BETWEEN 0 AND 65535
        AND coalesce(protocol, 0) BETWEEN 0 AND 255
        AND "start" BETWEEN 0 AND 253402300799
        AND coalesce("end", 0) BETWEEN 0 AND 253402300799)
      THEN 'NUMBER_RANGE' ELSE log_status
    END AS log_status,
    coalesce(log_status, 'OK') = 'OK' AND "start" IS NOT NULL AND bytes IS NOT NULL
      AND bytes BETWEEN 0 AND 1000000000000000
      AND coalesce(packets, 0) BETWEEN 0 AND 1000000000000000
      AND coalesce(srcport, 0) BETWEEN 0 AND 65535
      AND coalesce(dstport, 0) BETWEEN 0 AND 65535
      AND coalesce(protocol, 0) BETWEEN 0 AND 255
      AND "start" BETWEEN 0 AND 253402300799
      AND coalesce("end", 0) BETWEEN 0 AND 253402300799 AS traffic,
    CASE WHEN log_status = 'SKIPDATA' THEN interface_id END AS gap_interface_id,
    CASE WHEN log_status = 'SKIPDATA' THEN "start" END AS gap_start,
    CASE WHEN log_status = 'SKIPDATA' THEN "end" END AS gap_end
  FROM raw_flow_logs
  WHERE day BETWEEN CAST(? AS varchar) AND CAST(? AS varchar)
    AND (CAST(? AS integer) = 0 OR hash(interface_id) % CAST(? AS ubigint) = CAST(? AS ubigint))
),
flagged AS (
  SELECT
    *,
    traffic AND "start" >= CAST(? AS bigint) AND "start" < CAST(? AS bigint)
      AND (CAST(? AS integer) = 1 OR hash(interface_id) % CAST(? AS ubigint) = CAST(? AS ubigint)) AS compacted
  FROM records
),
keyed AS (
  SELECT
    compacted,
    CASE WHEN compacted THEN account_id END AS account_id,
    CASE WHEN compacted THEN region END AS region,
    CASE WHEN compacted THEN vpc_id END AS vpc_id,
    CASE WHEN compacted THEN interface_id END AS interface_id,
    CASE WHEN compacted THEN az_id END AS az_id,
    CASE WHEN compacted THEN flow_direction END AS flow_direction,
    CASE WHEN compacted THEN srcaddr END AS srcaddr,
    CASE WHEN compacted THEN dstaddr END AS dstaddr,
    CASE WHEN compacted THEN pkt_srcaddr END AS pkt_srcaddr,
    CASE WHEN compacted THEN pkt_dstaddr END AS pkt_dstaddr,
    CASE WHEN compacted THEN pkt_src_aws_service END AS pkt_src_aws_service,
    CASE WHEN compacted THEN pkt_dst_aws_service END AS pkt_dst_aws_service,
    CASE WHEN compacted THEN traffic_path END AS traffic_path,
    CASE WHEN compacted THEN protocol END AS protocol,
    CASE WHEN compacted THEN service_port END AS service_port,
    CASE WHEN compacted THEN client_port END AS client_port,
    CASE WHEN compacted THEN action END AS action,
    CASE WHEN compacted THEN minute END AS minute,
    "start", "end", bytes, packets,
    source_file, day, log_status, traffic, gap_interface_id, gap_start, gap_end
  FROM flagged
),
grouped AS (
  SELECT
    grouping(source_file) = 0 AS status_row,
    compacted,
    account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
    pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
    service_port, client_port, action, minute,
    source_file, day, log_status, traffic, gap_interface_id,
    min("start") AS first_start,
    max("start") AS last_start,
    max("end") AS max_end,
    -- Status rows need no bytes; summing a rejected record's (say 2^63-1) would overflow.
    CAST(sum(CASE WHEN traffic THEN bytes END) AS BIGINT) AS bytes,
    CAST(sum(CASE WHEN traffic THEN packets END) AS BIGINT) AS packets,
    count(*) AS records
  FROM keyed
  GROUP BY GROUPING SETS (
    (
      compacted, account_id, region, vpc_id, interface_id, az_id, flow_direction, srcaddr, dstaddr,
      pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, protocol,
      service_port, client_port, action, minute
    ),
    (source_file, day, log_status, traffic, gap_interface_id, gap_start, gap_end)
  )
)
SELECT
  CASE WHEN status_row THEN source_file ELSE account_id END AS account_id,
  CASE WHEN status_row THEN day ELSE region END AS region,
  vpc_id,
  CASE WHEN status_row THEN gap_interface_id ELSE interface_id END AS interface_id,
  az_id,
  flow_direction,
  CASE WHEN status_row THEN traffic ELSE flow_direction IS NULL END AS direction_inferred,
  srcaddr,
  dstaddr,
  pkt_srcaddr,
  pkt_dstaddr,
  pkt_src_aws_service,
  pkt_dst_aws_service,
  traffic_path,
  protocol,
  service_port,
  client_port,
  CASE WHEN status_row THEN log_status ELSE action END AS action,
  CASE WHEN status_row THEN last_start ELSE minute END AS minute,
  first_start,
  CASE WHEN status_row THEN max_end ELSE coalesce(max_end, last_start) END AS last_end,
  bytes,
  packets,
  records,
  CASE WHEN status_row THEN 'raw_flow_status' ELSE date_format(from_unixtime(minute), '%Y-%m-%d') END AS dt,
  CASE WHEN status_row THEN 'all' ELSE date_format(from_unixtime(minute), '%H') END AS hour
FROM grouped
WHERE (status_row AND CAST(? AS integer) = 0) OR compacted
