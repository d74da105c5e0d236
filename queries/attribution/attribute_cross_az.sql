-- attribute_cross_az: cross-AZ and same-AZ bytes and list cost per source -> destination workload, one UTC day.
-- Counting rule: a transfer between two logged ENIs is logged twice; only the sender's egress
--   record counts. Pods are found through pkt-srcaddr/pkt-dstaddr (the VPC CNI puts pod IPs on
--   node ENIs as secondary addresses, so srcaddr/dstaddr name the node).
-- Identity by time: an address matches the identity intervals that overlap the flow's
--   [first_start, last_end]. Several matches mean the address changed hands inside the flow's
--   window: the latest owner is named and the row is labelled 'ambiguous', never silently guessed.
-- Cost: cross-AZ is billed on both sides, out at the sender and in at the receiver.
-- Parameters: dt (YYYY-MM-DD); bytesPerGb; outPerGb and inPerGb (USD list price per GB each way).
-- Output: dt, category (cross_az | same_az), both ends' namespace, workload kind, workload and
--   AZ ID, confidence (exact | node | ambiguous), bytes, list_cost_usd.
WITH params AS (
  SELECT CAST(? AS varchar) AS dt, CAST(? AS double) AS bytes_per_gb,
         CAST(? AS double) AS out_per_gb, CAST(? AS double) AS in_per_gb
),
egress AS (
  SELECT
    row_number() OVER () AS flow_id,
    f.az_id,
    coalesce(f.pkt_srcaddr, f.srcaddr) AS src_ip,
    coalesce(f.pkt_dstaddr, f.dstaddr) AS dst_ip,
    f.first_start,
    f.last_end,
    f.bytes
  FROM curated_flows f
  CROSS JOIN params p
  WHERE f.dt = p.dt
    AND f.flow_direction = 'egress'
    AND f.action = 'ACCEPT'
),
src_match AS (
  SELECT
    e.flow_id,
    i.namespace, i.workload_kind, i.workload, i.kind,
    count(*) OVER (PARTITION BY e.flow_id) AS matches,
    row_number() OVER (PARTITION BY e.flow_id ORDER BY i.valid_from DESC, i.owner_id) AS pick
  FROM egress e
  JOIN ip_identity i
    ON i.ip = e.src_ip AND i.valid_from <= e.last_end AND i.valid_to > e.first_start
  CROSS JOIN params p
  WHERE i.dt = p.dt
),
dst_match AS (
  SELECT
    e.flow_id,
    i.namespace, i.workload_kind, i.workload, i.kind, i.az_id,
    count(*) OVER (PARTITION BY e.flow_id) AS matches,
    row_number() OVER (PARTITION BY e.flow_id ORDER BY i.valid_from DESC, i.owner_id) AS pick
  FROM egress e
  JOIN ip_identity i
    ON i.ip = e.dst_ip AND i.valid_from <= e.last_end AND i.valid_to > e.first_start
  CROSS JOIN params p
  WHERE i.dt = p.dt
),
resolved AS (
  SELECT
    e.bytes,
    e.az_id AS src_az_id,
    d.az_id AS dst_az_id,
    s.namespace AS src_namespace, s.workload_kind AS src_workload_kind, s.workload AS src_workload,
    d.namespace AS dst_namespace, d.workload_kind AS dst_workload_kind, d.workload AS dst_workload,
    CASE
      WHEN s.matches > 1 OR d.matches > 1 THEN 'ambiguous'
      WHEN s.kind = 'node' OR d.kind = 'node' THEN 'node'
      ELSE 'exact'
    END AS confidence
  FROM egress e
  JOIN src_match s ON s.flow_id = e.flow_id AND s.pick = 1
  JOIN dst_match d ON d.flow_id = e.flow_id AND d.pick = 1
)
SELECT
  p.dt,
  CASE WHEN r.src_az_id <> r.dst_az_id THEN 'cross_az' ELSE 'same_az' END AS category,
  r.src_namespace, r.src_workload_kind, r.src_workload, r.src_az_id,
  r.dst_namespace, r.dst_workload_kind, r.dst_workload, r.dst_az_id,
  r.confidence,
  sum(r.bytes) AS bytes,
  CASE
    WHEN r.src_az_id <> r.dst_az_id THEN sum(r.bytes) / p.bytes_per_gb * (p.out_per_gb + p.in_per_gb)
    ELSE 0
  END AS list_cost_usd
FROM resolved r
CROSS JOIN params p
WHERE r.dst_az_id IS NOT NULL
GROUP BY
  p.dt, p.bytes_per_gb, p.out_per_gb, p.in_per_gb,
  CASE WHEN r.src_az_id <> r.dst_az_id THEN 'cross_az' ELSE 'same_az' END,
  r.src_namespace, r.src_workload_kind, r.src_workload, r.src_az_id,
  r.dst_namespace, r.dst_workload_kind, r.dst_workload, r.dst_az_id, r.confidence
ORDER BY bytes DESC, category, r.src_namespace, r.src_workload, r.src_az_id, r.dst_namespace, r.dst_workload, r.dst_az_id
