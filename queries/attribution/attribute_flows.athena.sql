-- attribute_flows: every counted byte of one UTC day, per category and workload pair, at list price.
-- Grain (architecture.md "Result grain"): dt, category, subcategory, both ends (kind, namespace,
--   workload kind, workload, IP when unresolved, AZ ID, node, AWS resource), Service, load
--   balancer, NAT gateway, confidence; bytes and list cost.
-- Counting rule (each byte once):
--   * Pods are found through pkt-srcaddr/pkt-dstaddr (pod IPs are secondary IPs on node ENIs).
--   * An egress record counts. An ingress record counts only when no egress record of the day
--     carries the same packet source and destination (the sender's ENI is not logged).
--   * NAT gateway processed bytes are the records at the NAT gateway's ENI on its VPC side: the
--     ingress record forwarding out (pkt-dstaddr is not the ENI's address) and the egress record
--     forwarding in (pkt-srcaddr is not the ENI's address). The outside-leg records at the NAT ENI
--     and the node-ENI records of the same packet pairs are the same bytes and do not count again.
--     The VPC-side leg is also billed inter-AZ when the sender/receiver sits in another AZ than the
--     NAT gateway: one extra row, category nat, subcategory cross_az_leg, same bytes.
-- Categories: vpc_endpoint (an end is an interface endpoint), lb (an end is a load balancer;
--   NLB -> target across AZs is cross_az, subcategory nlb_cross_zone, since NLBs only cross zones
--   with cross-zone on; ALB -> target across AZs is free), internet (an end outside the VPC without
--   a NAT gateway), cross_az / same_az (both ends in the VPC, by AZ ID), unknown (a private address
--   no inventory explains: kept with its IP, never dropped).
-- Subcategories: nat by pkt-*-aws-service (s3, dynamodb, aws-other, internet); dns (port 53);
--   control_plane (an end is an EKS control-plane ENI: bypasses Services); nodeport (node -> pod or
--   pod -> node hop on a node a load balancer sends to: tagged with that Service); client / target
--   for load-balancer hops.
-- Identity by time: an address matches identity intervals overlapping [first_start, last_end];
--   several matches -> the latest owner (latest valid_from), confidence 'ambiguous'; a node end -> 'node' (node SNAT,
--   hostNetwork, kubelet); an unresolved private address -> 'ambiguous'.
-- Every statement filters dt = ? so Athena reads one day's partitions only.
-- Athena text (attribute_flows.sql is the local one, same rules and results): each record is a
--   hop of its own, since Trino runs a WITH query once per reference and the local text's
--   two passes over grouped flows would multiply the scans here.
-- Parameters: bytesPerGb, interAzPerGb (each direction), natPerGb, vpcEndpointPerGb,
--   internetPerGb, accountId and region (the place attributed, '*' for every one; a missing
--   account reads as ''), claimsUnaccounted (1: also the Region's records whose account-id is
--   not an account id, e.g. `unknown` on ENIs AWS services create), dt (x4: identity, curated flows, stitched flows, NAT ENIs).
WITH params AS (
  SELECT CAST(? AS double) AS bytes_per_gb, CAST(? AS double) AS inter_az_per_gb,
         CAST(? AS double) AS nat_per_gb, CAST(? AS double) AS vpce_per_gb,
         CAST(? AS double) AS internet_per_gb
),
-- The account and Region attributed ('*': every one): a lake holding several (an Organization's
-- central bucket) is attributed, priced and reconciled one account and Region at a time.
scope AS (
  SELECT CAST(? AS varchar) AS account_id, CAST(? AS varchar) AS region, CAST(? AS integer) AS claims_unaccounted
),
day_identity AS (
  SELECT ip, kind, owner_id, namespace, workload_kind, workload, node, az_id, resource_id, service, valid_from, valid_to
  FROM ip_identity
  WHERE dt = CAST(? AS varchar)
),
-- One group per record: on Trino every reference to a WITH query runs it again, so the two-pass
-- grouping of the local text would multiply the scans; per-record work is spread over workers.
-- Records a format without packet addresses gave are read from stitched_flows (their true ends
-- recovered by stitch_flows) in place of their curated rows.
groups AS (
  SELECT
    f.az_id, f.flow_direction, f.srcaddr, f.dstaddr, f.pkt_srcaddr, f.pkt_dstaddr,
    coalesce(f.pkt_srcaddr, f.srcaddr) AS src_ip, coalesce(f.pkt_dstaddr, f.dstaddr) AS dst_ip,
    f.pkt_src_aws_service, f.pkt_dst_aws_service, f.service_port, f.pairing,
    f.dt,
    f.bytes,
    f.first_start AS min_first_start, f.first_start AS max_first_start,
    f.last_end AS min_last_end, f.last_end AS max_last_end
  FROM (
    SELECT
      az_id, flow_direction, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service,
      pkt_dst_aws_service, service_port, bytes, first_start, last_end, CAST(NULL AS varchar) AS pairing, dt,
      account_id, region
    FROM curated_flows
    WHERE dt = CAST(? AS varchar)
      AND action = 'ACCEPT'
      AND flow_direction IN ('egress', 'ingress')
      AND (pkt_srcaddr IS NOT NULL OR pkt_dstaddr IS NOT NULL)
    UNION ALL
    SELECT
      az_id, flow_direction, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, pkt_src_aws_service,
      pkt_dst_aws_service, service_port, bytes, first_start, last_end, pairing, dt,
      account_id, region
    FROM stitched_flows
    WHERE dt = CAST(? AS varchar)
  ) f
  CROSS JOIN scope s
  WHERE (
    s.account_id = '*'
    OR coalesce(f.account_id, '') = s.account_id
    OR (s.claims_unaccounted = 1 AND NOT regexp_like(coalesce(f.account_id, ''), '^[0-9]{12}$'))
  )
    AND (s.region = '*' OR coalesce(f.region, '') = s.region)
),
flows AS (
  SELECT
    g.dt,
    g.az_id,
    g.flow_direction,
    g.srcaddr,
    g.dstaddr,
    g.src_ip,
    g.dst_ip,
    g.pkt_src_aws_service,
    g.pkt_dst_aws_service,
    g.service_port,
    g.pairing,
    g.min_first_start, g.max_first_start, g.min_last_end, g.max_last_end,
    g.bytes,
    CASE WHEN g.flow_direction = 'egress' THEN g.srcaddr ELSE g.dstaddr END AS eni_ip
  FROM groups g
),
nat_enis AS (
  SELECT ip, min(resource_id) AS nat_id, min(az_id) AS nat_az_id
  FROM ip_identity
  WHERE dt = CAST(? AS varchar) AND kind = 'nat_gateway'
  GROUP BY ip
),
tagged AS (
  SELECT fl.*, n.nat_id, n.nat_az_id
  FROM flows fl
  LEFT JOIN nat_enis n ON n.ip = fl.eni_ip
),
nat_legs AS (
  SELECT *
  FROM tagged
  WHERE nat_id IS NOT NULL
    AND ((flow_direction = 'ingress' AND dst_ip <> dstaddr) OR (flow_direction = 'egress' AND src_ip <> srcaddr)
      -- A stitched inside leg whose outside end no record names: NAT bytes all the same.
      OR coalesce(pairing, '') IN ('ambiguous', 'unpaired'))
),
nat_pairs AS (
  SELECT DISTINCT src_ip, dst_ip FROM nat_legs
),
egress_pairs AS (
  SELECT DISTINCT src_ip, dst_ip FROM tagged WHERE flow_direction = 'egress' AND nat_id IS NULL
),
hops AS (
  SELECT
    t.dt, t.az_id AS logged_az_id, t.flow_direction, t.src_ip, t.dst_ip, t.service_port,
    t.max_first_start, t.min_last_end, t.bytes, t.pairing,
    coalesce(t.pkt_dst_aws_service, t.pkt_src_aws_service) AS aws_service,
    CAST(NULL AS varchar) AS nat_id, CAST(NULL AS varchar) AS nat_az_id, CAST(NULL AS varchar) AS nat_side
  FROM tagged t
  LEFT JOIN nat_pairs np ON np.src_ip = t.src_ip AND np.dst_ip = t.dst_ip
  LEFT JOIN egress_pairs ep ON ep.src_ip = t.src_ip AND ep.dst_ip = t.dst_ip
  WHERE t.nat_id IS NULL AND np.src_ip IS NULL AND (t.flow_direction = 'egress' OR ep.src_ip IS NULL)
  UNION ALL
  SELECT
    n.dt, n.az_id, n.flow_direction, n.src_ip, n.dst_ip, n.service_port,
    n.max_first_start, n.min_last_end, n.bytes, n.pairing,
    CASE WHEN n.flow_direction = 'ingress' THEN n.pkt_dst_aws_service ELSE n.pkt_src_aws_service END,
    n.nat_id, n.nat_az_id,
    CASE WHEN n.flow_direction = 'ingress' THEN 'dst' ELSE 'src' END
  FROM nat_legs n
),
-- AWS services by address for formats without pkt-*-aws-service: AWS's published ip-ranges.json
-- (inventory/aws/ip-ranges.json), the longest matching IPv4 prefix, a named service (S3,
-- DYNAMODB, ...) before the catch-all AMAZON at equal length, as AWS names them in those fields.
aws_prefixes AS (
  SELECT
    service,
    CAST(split_part(ip_prefix, '/', 2) AS integer) AS prefix_length,
    CAST(split_part(split_part(ip_prefix, '/', 1), '.', 1) AS bigint) * 16777216 + CAST(split_part(split_part(ip_prefix, '/', 1), '.', 2) AS bigint) * 65536
      + CAST(split_part(split_part(ip_prefix, '/', 1), '.', 3) AS bigint) * 256 + CAST(split_part(split_part(ip_prefix, '/', 1), '.', 4) AS bigint) AS first_ip
  FROM aws_ip_ranges
  WHERE regexp_like(ip_prefix, '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$')
),
outside_ips AS (
  SELECT ip, CAST(split_part(ip, '.', 1) AS bigint) * 16777216 + CAST(split_part(ip, '.', 2) AS bigint) * 65536
      + CAST(split_part(ip, '.', 3) AS bigint) * 256 + CAST(split_part(ip, '.', 4) AS bigint) AS ip_num
  FROM (SELECT src_ip AS ip FROM groups WHERE pkt_src_aws_service IS NULL AND pkt_dst_aws_service IS NULL
        UNION SELECT dst_ip FROM groups WHERE pkt_src_aws_service IS NULL AND pkt_dst_aws_service IS NULL) a
  WHERE regexp_like(ip, '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$') AND NOT regexp_like(ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|f[cd])')
),
ip_services AS (
  SELECT o.ip, max_by(p.service, p.prefix_length * 2 + CASE WHEN p.service = 'AMAZON' THEN 0 ELSE 1 END) AS service
  FROM outside_ips o
  JOIN aws_prefixes p
    ON o.ip_num >= p.first_ip AND o.ip_num < p.first_ip + CAST(power(2, 32 - p.prefix_length) AS bigint)
  GROUP BY o.ip
),
serviced_hops AS (
  SELECT
    h.dt, h.logged_az_id, h.flow_direction, h.src_ip, h.dst_ip, h.service_port, h.max_first_start,
    h.min_last_end, h.bytes, h.pairing,
    coalesce(h.aws_service, CASE
      WHEN h.nat_side = 'src' THEN ss.service
      WHEN h.nat_side = 'dst' THEN ds.service
      ELSE coalesce(ds.service, ss.service)
    END) AS aws_service,
    h.nat_id, h.nat_az_id, h.nat_side
  FROM hops h
  LEFT JOIN ip_services ss ON ss.ip = h.src_ip
  LEFT JOIN ip_services ds ON ds.ip = h.dst_ip
),
-- Each address's intervals in preference order (the latest owner first), so that picking among
-- an end's matches is a min() over a handful of identity rows, not a window over every hop.
ranked_identity AS (
  SELECT
    i.*,
    row_number() OVER (PARTITION BY i.ip ORDER BY i.valid_from DESC, i.owner_id) AS preference
  FROM day_identity i
),
-- Every (address, time bounds) an end of a hop has (one record's bounds here).
hop_ends AS (
  SELECT src_ip AS ip, max_first_start, min_last_end FROM hops
  UNION
  SELECT dst_ip, max_first_start, min_last_end FROM hops
),
resolved AS (
  SELECT e.ip, e.max_first_start, e.min_last_end, count(*) AS matches, min(i.preference) AS preference
  FROM hop_ends e
  JOIN ranked_identity i
    ON i.ip = e.ip AND i.valid_from <= e.min_last_end AND i.valid_to > e.max_first_start
  GROUP BY e.ip, e.max_first_start, e.min_last_end
),
ends AS (
  SELECT
    h.dt, h.bytes, h.service_port, h.nat_id, h.nat_az_id, h.nat_side, h.src_ip, h.dst_ip, h.pairing,
    CASE
      WHEN s.kind IS NOT NULL THEN s.kind
      WHEN h.nat_side = 'src' OR regexp_like(h.src_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|f[cd])') = false
        THEN CASE WHEN h.aws_service IS NOT NULL AND (h.nat_side = 'src' OR h.nat_side IS NULL) THEN 'aws_service' ELSE 'internet' END
      ELSE 'unknown'
    END AS src_kind,
    CASE
      WHEN d.kind IS NOT NULL THEN d.kind
      WHEN h.nat_side = 'dst' OR regexp_like(h.dst_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|f[cd])') = false
        THEN CASE WHEN h.aws_service IS NOT NULL AND (h.nat_side = 'dst' OR h.nat_side IS NULL) THEN 'aws_service' ELSE 'internet' END
      ELSE 'unknown'
    END AS dst_kind,
    s.namespace AS src_namespace, s.workload_kind AS src_workload_kind,
    coalesce(s.workload, CASE WHEN s.kind IS NULL AND h.nat_side = 'src' THEN h.aws_service END,
             CASE WHEN s.kind IS NULL AND h.nat_side IS NULL THEN h.aws_service END) AS src_workload,
    d.namespace AS dst_namespace, d.workload_kind AS dst_workload_kind,
    coalesce(d.workload, CASE WHEN d.kind IS NULL AND h.nat_side = 'dst' THEN h.aws_service END,
             CASE WHEN d.kind IS NULL AND h.nat_side IS NULL THEN h.aws_service END) AS dst_workload,
    coalesce(s.az_id, CASE WHEN h.nat_side = 'src' THEN h.nat_az_id
                           WHEN h.flow_direction = 'egress' AND h.nat_side IS NULL THEN h.logged_az_id END) AS src_az_id,
    coalesce(d.az_id, CASE WHEN h.nat_side = 'dst' THEN h.nat_az_id
                           WHEN h.flow_direction = 'ingress' AND h.nat_side IS NULL THEN h.logged_az_id END) AS dst_az_id,
    s.node AS src_node, d.node AS dst_node,
    CASE WHEN h.nat_side = 'src' AND s.kind IS NULL THEN h.nat_id ELSE s.resource_id END AS src_resource,
    CASE WHEN h.nat_side = 'dst' AND d.kind IS NULL THEN h.nat_id ELSE d.resource_id END AS dst_resource,
    CASE WHEN s.kind = 'load_balancer' THEN s.resource_id WHEN d.kind = 'load_balancer' THEN d.resource_id END AS load_balancer,
    CASE WHEN s.kind = 'load_balancer' THEN s.service WHEN d.kind = 'load_balancer' THEN d.service END AS lb_service,
    coalesce(sr.matches, 0) > 1 OR coalesce(dr.matches, 0) > 1 AS overlapping,
    h.aws_service,
    h.flow_direction,
    h.logged_az_id,
    CASE
      WHEN h.nat_id IS NOT NULL OR s.kind = 'load_balancer' OR d.kind = 'load_balancer' THEN NULL
      -- A node that stands in for an end stitching could not recover is no NodePort hop.
      WHEN h.pairing IN ('ambiguous', 'unpaired') THEN NULL
      WHEN s.kind = 'node' AND d.kind = 'pod' THEN h.src_ip
      WHEN s.kind = 'pod' AND d.kind = 'node' THEN h.dst_ip
    END AS nodeport_node_ip
  FROM serviced_hops h
  LEFT JOIN resolved sr
    ON sr.ip = h.src_ip AND sr.max_first_start = h.max_first_start AND sr.min_last_end = h.min_last_end
  LEFT JOIN ranked_identity s ON s.ip = sr.ip AND s.preference = sr.preference
  LEFT JOIN resolved dr
    ON dr.ip = h.dst_ip AND dr.max_first_start = h.max_first_start AND dr.min_last_end = h.min_last_end
  LEFT JOIN ranked_identity d ON d.ip = dr.ip AND d.preference = dr.preference
),
lb_nodes AS (
  SELECT dst_ip AS node_ip, min(load_balancer) AS load_balancer, min(lb_service) AS lb_service
  FROM ends
  WHERE src_kind = 'load_balancer' AND dst_kind = 'node'
  GROUP BY dst_ip
),
classified AS (
  SELECT
    e.*,
    coalesce(e.lb_service, ln.lb_service) AS service,
    coalesce(e.load_balancer, ln.load_balancer) AS lb,
    CASE
      WHEN e.nat_id IS NOT NULL THEN 'nat'
      WHEN e.src_kind = 'vpc_endpoint' OR e.dst_kind = 'vpc_endpoint' THEN 'vpc_endpoint'
      WHEN (e.src_kind = 'load_balancer' OR e.dst_kind = 'load_balancer')
        AND e.src_az_id <> e.dst_az_id AND e.load_balancer LIKE '%net/%'
        AND e.src_kind NOT IN ('internet', 'aws_service') AND e.dst_kind NOT IN ('internet', 'aws_service') THEN 'cross_az'
      WHEN e.src_kind = 'load_balancer' OR e.dst_kind = 'load_balancer' THEN 'lb'
      WHEN e.src_kind IN ('internet', 'aws_service') OR e.dst_kind IN ('internet', 'aws_service') THEN 'internet'
      WHEN e.src_kind = 'unknown' OR e.dst_kind = 'unknown' OR e.src_az_id IS NULL OR e.dst_az_id IS NULL THEN 'unknown'
      WHEN e.src_az_id <> e.dst_az_id THEN 'cross_az'
      ELSE 'same_az'
    END AS category,
    CASE
      WHEN e.nat_id IS NOT NULL THEN
        CASE e.aws_service WHEN 'S3' THEN 's3' WHEN 'DYNAMODB' THEN 'dynamodb'
          ELSE CASE WHEN e.aws_service IS NULL THEN 'internet' ELSE 'aws-other' END END
      WHEN e.load_balancer IS NOT NULL AND e.load_balancer LIKE '%net/%' AND e.src_az_id <> e.dst_az_id
        AND e.src_kind NOT IN ('internet', 'aws_service') AND e.dst_kind NOT IN ('internet', 'aws_service') THEN 'nlb_cross_zone'
      WHEN e.load_balancer IS NOT NULL AND (e.src_kind IN ('internet', 'aws_service', 'unknown') OR e.dst_kind IN ('internet', 'aws_service', 'unknown')) THEN 'client'
      WHEN e.load_balancer IS NOT NULL THEN 'target'
      WHEN e.src_kind = 'eks_control_plane' OR e.dst_kind = 'eks_control_plane' THEN 'control_plane'
      WHEN e.service_port = 53 THEN 'dns'
      WHEN ln.node_ip IS NOT NULL THEN 'nodeport'
      WHEN e.src_kind IN ('internet', 'aws_service') THEN lower(coalesce(e.aws_service, 'internet'))
      WHEN e.dst_kind IN ('internet', 'aws_service') THEN lower(coalesce(e.aws_service, 'internet'))
    END AS subcategory,
    CASE
      WHEN e.overlapping OR e.src_kind = 'unknown' OR e.dst_kind = 'unknown' OR e.pairing = 'ambiguous' THEN 'ambiguous'
      WHEN e.src_kind = 'node' OR e.dst_kind = 'node' OR e.pairing = 'unpaired' THEN 'node'
      ELSE 'exact'
    END AS confidence
  FROM ends e
  LEFT JOIN lb_nodes ln ON ln.node_ip = e.nodeport_node_ip
),
-- The inter-AZ leg of a NAT hop is a second row from the same hop (one reference to classified:
-- Trino evaluates a WITH query once per reference).
charged AS (
  SELECT
    c.*,
    CASE WHEN leg.inter_az THEN 'nat' ELSE c.category END AS out_category,
    CASE WHEN leg.inter_az THEN 'cross_az_leg' ELSE c.subcategory END AS out_subcategory
  FROM classified c
  CROSS JOIN (VALUES (false), (true)) AS leg(inter_az)
  WHERE NOT leg.inter_az OR (c.nat_id IS NOT NULL AND c.src_az_id <> c.dst_az_id)
)
SELECT
  c.dt,
  c.out_category AS category,
  c.out_subcategory AS subcategory,
  c.src_kind, c.src_namespace, c.src_workload_kind, c.src_workload,
  CASE WHEN c.src_kind = 'unknown' THEN c.src_ip END AS src_ip,
  c.src_az_id, c.src_node, c.src_resource,
  c.dst_kind, c.dst_namespace, c.dst_workload_kind, c.dst_workload,
  CASE WHEN c.dst_kind = 'unknown' THEN c.dst_ip END AS dst_ip,
  c.dst_az_id, c.dst_node, c.dst_resource,
  c.service, c.lb AS load_balancer, c.nat_id AS nat_gateway,
  c.confidence,
  sum(c.bytes) AS bytes,
  sum(c.bytes) / p.bytes_per_gb * CASE
    WHEN c.out_category = 'cross_az' OR c.out_subcategory = 'cross_az_leg' THEN 2 * p.inter_az_per_gb
    WHEN c.out_category = 'nat' THEN p.nat_per_gb
    WHEN c.out_category = 'vpc_endpoint' THEN p.vpce_per_gb
    WHEN c.out_category = 'internet' THEN p.internet_per_gb
    ELSE 0
  END AS list_cost_usd
FROM charged c
CROSS JOIN params p
GROUP BY
  c.dt, c.out_category, c.out_subcategory,
  c.src_kind, c.src_namespace, c.src_workload_kind, c.src_workload,
  CASE WHEN c.src_kind = 'unknown' THEN c.src_ip END, c.src_az_id, c.src_node, c.src_resource,
  c.dst_kind, c.dst_namespace, c.dst_workload_kind, c.dst_workload,
  CASE WHEN c.dst_kind = 'unknown' THEN c.dst_ip END, c.dst_az_id, c.dst_node, c.dst_resource,
  c.service, c.lb, c.nat_id, c.confidence,
  p.bytes_per_gb, p.inter_az_per_gb, p.nat_per_gb, p.vpce_per_gb, p.internet_per_gb
-- The whole grain after the figures people read first, so rows of equal bytes come in the same
-- order on every run (two threads finish groups in either order).
ORDER BY bytes DESC, category, subcategory, c.src_namespace, c.src_workload, c.src_az_id, c.dst_namespace, c.dst_workload, c.dst_az_id,
  c.src_kind, c.src_workload_kind, src_ip, c.src_node, c.src_resource, c.dst_kind, c.dst_workload_kind, dst_ip,
  c.dst_node, c.dst_resource, service, load_balancer, nat_gateway, confidence
