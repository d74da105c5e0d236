-- stitch_flows: the true ends of one UTC day's flows whose format has no pkt-srcaddr/pkt-dstaddr
--   (the default v2 format, v3/v4 custom formats without them), recovered by pairing the two
--   records AWS writes for one transfer (architecture.md "Flow-log formats").
-- Why it works (aws-facts.md §1.3, §1.10): on the sender's egress record srcaddr is the sending
--   ENI's primary address (a pod's secondary address is hidden) and dstaddr the real destination;
--   on the receiver's ingress record srcaddr is the real source and dstaddr the receiving ENI's
--   primary address. Both carry the protocol and the ports of the connection (compaction keeps
--   the client port for these formats) in the same aggregation window. A NAT gateway's inside-leg
--   records pair the same way with the node ENI's records of the same connection (no port
--   translation on that leg), the node's record naming the outside destination.
-- Pairing key: (sending host, receiving host, protocol, service port, client port), the start
--   minute equal or, failing that, one minute apart (two ENIs' aggregation windows are not
--   aligned). A host is the node an address belongs to (pod or node address, from ip_identity at
--   the record's time), `outside` for an address outside the VPC (and, seen from a NAT gateway's
--   inside leg, the far side of the NAT), otherwise the address itself (load balancer, endpoint,
--   control-plane ENI, unknown peer).
-- Result per record (column pairing):
--   * logged: a record with packet addresses whose direction compaction could not infer (every
--     record of its ENI between the same two addresses): the direction comes from identity (a pod
--     address is never an ENI's primary), the addresses stay as logged.
--   * own_address: the ENI's own address is the true end (an ENI holding one address: load
--     balancer, interface endpoint, control plane).
--   * paired: exactly one address on the other side of the pair: the true end, exact.
--   * ambiguous: two or more addresses pair (ports reused inside one minute): the end stays the
--     ENI's primary address (the node), labelled ambiguous, never guessed.
--   * unpaired: no record of the peer ENI (not logged, or outside the VPC): the end stays the
--     ENI's primary address (node level); the other end is the one the record names.
--   A NAT gateway's inside leg without its node's record pairs with the gateway's own outside leg
--   (same ENI, protocol, service port and minute; the client port too when the gateway kept it)
--   when that leaves one outside address; otherwise it stays NAT bytes, destination unknown.
-- AZ: az_id when logged, otherwise the AZ ID of the ENI's own address (from describe-network-
--   interfaces and the nodes' zone IDs, through ip_identity).
-- Places: every account and Region of the day at once, each record pairing only with records of
--   its own account and Region (attribute_flows then reads one place's rows at a time).
-- Parameters: dt (x2: identity, the day's curated flows).
-- Output: one row per accepted curated row without packet addresses or without a direction
--   (when identity settles it), with the recovered direction, pkt_srcaddr/pkt_dstaddr and
--   pairing; attribute_flows reads these in place of those curated rows.
WITH day_identity AS (
  SELECT ip, kind, node, az_id, valid_from, valid_to
  FROM ip_identity
  WHERE dt = CAST(? AS varchar)
),
-- The day's accepted records without packet addresses, and those whose direction compaction could
-- not infer (an ENI whose every record is between the same two addresses).
unlogged AS (
  SELECT
    f.account_id, f.region, f.vpc_id, f.interface_id, f.az_id, f.flow_direction, f.srcaddr, f.dstaddr,
    f.pkt_srcaddr, f.pkt_dstaddr, f.pkt_src_aws_service, f.pkt_dst_aws_service, f.protocol,
    f.service_port, f.client_port, f.minute, f.first_start, f.last_end, f.bytes, f.dt
  FROM curated_flows f
  WHERE f.dt = CAST(? AS varchar)
    AND f.action = 'ACCEPT'
    AND ((f.pkt_srcaddr IS NULL AND f.pkt_dstaddr IS NULL) OR f.flow_direction IS NULL)
),
addresses AS (
  SELECT srcaddr AS ip, first_start, last_end FROM unlogged
  UNION
  SELECT dstaddr AS ip, first_start, last_end FROM unlogged
),
owners AS (
  SELECT
    a.ip, a.first_start, a.last_end,
    min(CASE WHEN i.kind IN ('pod', 'node') THEN i.node END) AS node,
    max(CASE WHEN i.kind = 'node' THEN 1 ELSE 0 END) AS is_node,
    max(CASE WHEN i.kind = 'nat_gateway' THEN 1 ELSE 0 END) AS is_nat,
    max(CASE WHEN i.kind = 'pod' THEN 1 ELSE 0 END) AS is_pod,
    min(i.az_id) AS az_id
  FROM addresses a
  LEFT JOIN day_identity i
    ON i.ip = a.ip AND i.valid_from <= a.last_end AND i.valid_to > a.first_start
  GROUP BY a.ip, a.first_start, a.last_end
),
-- A direction compaction left open: a pod address is never an ENI's primary address, so the
-- record whose source is a pod was received and the one whose destination is a pod was sent.
directed AS (
  SELECT
    u.*,
    coalesce(
      u.flow_direction,
      CASE
        WHEN coalesce(os.is_pod, 0) = 1 AND coalesce(od.is_pod, 0) = 0 THEN 'ingress'
        WHEN coalesce(od.is_pod, 0) = 1 AND coalesce(os.is_pod, 0) = 0 THEN 'egress'
      END
    ) AS direction
  FROM unlogged u
  LEFT JOIN owners os ON os.ip = u.srcaddr AND os.first_start = u.first_start AND os.last_end = u.last_end
  LEFT JOIN owners od ON od.ip = u.dstaddr AND od.first_start = u.first_start AND od.last_end = u.last_end
),
ends AS (
  SELECT
    d.account_id, d.region, d.vpc_id, d.interface_id, d.az_id, d.direction AS flow_direction,
    d.srcaddr, d.dstaddr, d.pkt_srcaddr, d.pkt_dstaddr, d.pkt_src_aws_service, d.pkt_dst_aws_service,
    d.protocol, d.service_port, d.client_port, d.minute, d.first_start, d.last_end, d.bytes, d.dt,
    d.pkt_srcaddr IS NOT NULL OR d.pkt_dstaddr IS NOT NULL AS logged,
    CASE WHEN d.direction = 'egress' THEN d.srcaddr ELSE d.dstaddr END AS eni_ip,
    CASE WHEN d.direction = 'egress' THEN d.dstaddr ELSE d.srcaddr END AS peer_ip
  FROM directed d
  WHERE d.direction IN ('egress', 'ingress')
),
sided AS (
  SELECT
    u.*,
    coalesce(u.az_id, oe.az_id) AS eni_az_id,
    coalesce(oe.is_node, 0) = 1 AS at_node,
    coalesce(oe.is_nat, 0) = 1 AS at_nat,
    CASE
      WHEN coalesce(oe.is_nat, 0) = 1 THEN 'outside'
      WHEN oe.node IS NOT NULL THEN concat('node/', oe.node)
      ELSE u.eni_ip
    END AS eni_host,
    CASE
      WHEN op.node IS NOT NULL THEN concat('node/', op.node)
      WHEN regexp_like(u.peer_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|f[cd])') THEN u.peer_ip
      ELSE 'outside'
    END AS peer_host
  FROM ends u
  LEFT JOIN owners oe ON oe.ip = u.eni_ip AND oe.first_start = u.first_start AND oe.last_end = u.last_end
  LEFT JOIN owners op ON op.ip = u.peer_ip AND op.first_start = u.first_start AND op.last_end = u.last_end
),
-- Each record's side of a pair: who sent, who received, and the end the record itself names.
keyed AS (
  SELECT
    s.*,
    CASE WHEN s.flow_direction = 'egress' THEN s.eni_host ELSE s.peer_host END AS sender,
    CASE WHEN s.flow_direction = 'egress' THEN s.peer_host ELSE s.eni_host END AS receiver,
    coalesce(s.client_port, -1) AS cport,
    -- Records pair only within one account and Region: VPCs of different accounts may reuse the
    -- same private addresses, and one run stitches every place of the day at once.
    concat(coalesce(s.account_id, ''), '|', coalesce(s.region, '')) AS place,
    -- A NAT gateway's outside leg (both ends outside) pairs with nothing: its own address is an
    -- end. Records with packet addresses are here for their direction only.
    NOT s.logged AND NOT (s.at_nat AND s.peer_host = 'outside') AS pairable
  FROM sided s
),
sides AS (
  SELECT DISTINCT place, flow_direction, sender, receiver, protocol, service_port, cport, minute, peer_ip, at_nat
  FROM keyed
  WHERE pairable
),
shifts AS (
  SELECT shift FROM (VALUES (-60), (0), (60)) AS t(shift)
),
-- For each side's key and minute, the addresses the opposite side names: the same minute first,
-- one minute apart only when the same minute has none.
matches AS (
  SELECT
    a.place, a.flow_direction, a.sender, a.receiver, a.protocol, a.service_port, a.cport, a.minute,
    count(DISTINCT CASE WHEN s.shift = 0 THEN b.peer_ip END) AS same_minute,
    min(CASE WHEN s.shift = 0 THEN b.peer_ip END) AS same_minute_ip,
    count(DISTINCT b.peer_ip) AS near,
    min(b.peer_ip) AS near_ip,
    max(CASE WHEN b.at_nat THEN 1 ELSE 0 END) AS partner_at_nat
  FROM (
    SELECT DISTINCT place, flow_direction, sender, receiver, protocol, service_port, cport, minute FROM sides
  ) a
  CROSS JOIN shifts s
  JOIN sides b
    ON b.place = a.place AND b.flow_direction <> a.flow_direction
    AND b.sender = a.sender AND b.receiver = a.receiver
    AND b.protocol = a.protocol AND b.service_port = a.service_port AND b.cport = a.cport
    AND b.minute = a.minute + s.shift
  GROUP BY a.place, a.flow_direction, a.sender, a.receiver, a.protocol, a.service_port, a.cport, a.minute
),
-- A NAT gateway's inside leg that no node record pairs: its outside leg at the same ENI names
-- the destination (or source) when the minute and service port leave one candidate.
nat_outside AS (
  SELECT interface_id, protocol, service_port, cport, minute, flow_direction,
         count(DISTINCT peer_ip) AS n, min(peer_ip) AS peer_ip
  FROM keyed
  WHERE at_nat AND peer_host = 'outside'
  GROUP BY GROUPING SETS (
    (interface_id, protocol, service_port, cport, minute, flow_direction),
    (interface_id, protocol, service_port, minute, flow_direction)
  )
),
resolved AS (
  SELECT
    k.*,
    CASE
      WHEN k.logged THEN 'logged'
      WHEN NOT k.pairable OR NOT (k.at_node OR k.at_nat) THEN 'own_address'
      WHEN m.same_minute = 1 OR (coalesce(m.same_minute, 0) = 0 AND m.near = 1) THEN 'paired'
      WHEN k.at_nat AND m.near > 1 AND po.n = 1 THEN 'paired'
      WHEN m.near > 1 THEN 'ambiguous'
      WHEN k.at_nat AND (po.n = 1 OR ao.n = 1) THEN 'paired'
      WHEN k.at_nat AND ao.n > 1 THEN 'ambiguous'
      ELSE 'unpaired'
    END AS pairing,
    CASE
      WHEN m.same_minute = 1 THEN m.same_minute_ip
      WHEN coalesce(m.same_minute, 0) = 0 AND m.near = 1 THEN m.near_ip
      WHEN (coalesce(m.near, 0) = 0 OR m.near > 1) AND po.n = 1 THEN po.peer_ip
      WHEN coalesce(m.near, 0) = 0 AND ao.n = 1 THEN ao.peer_ip
    END AS partner_ip,
    coalesce(m.near, 0) > 0 AS has_partner,
    coalesce(m.partner_at_nat, 0) = 1 AS partner_at_nat
  FROM keyed k
  LEFT JOIN matches m
    ON k.pairable
    AND m.place = k.place AND m.flow_direction = k.flow_direction AND m.sender = k.sender AND m.receiver = k.receiver
    AND m.protocol = k.protocol AND m.service_port = k.service_port AND m.cport = k.cport
    AND m.minute = k.minute
  LEFT JOIN nat_outside po
    ON k.at_nat AND k.pairable
    AND po.interface_id = k.interface_id AND po.protocol = k.protocol AND po.service_port = k.service_port
    AND po.cport = k.cport AND po.minute = k.minute AND po.flow_direction <> k.flow_direction
  LEFT JOIN nat_outside ao
    ON k.at_nat AND k.pairable
    AND ao.interface_id = k.interface_id AND ao.protocol = k.protocol AND ao.service_port = k.service_port
    AND ao.cport IS NULL AND ao.minute = k.minute AND ao.flow_direction <> k.flow_direction
)
SELECT
  r.account_id,
  r.region,
  r.vpc_id,
  r.interface_id,
  r.eni_az_id AS az_id,
  r.flow_direction,
  r.srcaddr,
  r.dstaddr,
  CASE
    WHEN r.logged THEN r.pkt_srcaddr
    WHEN r.flow_direction = 'egress' AND r.pairing = 'paired' THEN r.partner_ip
    ELSE r.srcaddr
  END AS pkt_srcaddr,
  CASE
    WHEN r.logged THEN r.pkt_dstaddr
    WHEN r.flow_direction = 'ingress' AND r.pairing = 'paired' THEN r.partner_ip
    ELSE r.dstaddr
  END AS pkt_dstaddr,
  r.pkt_src_aws_service,
  r.pkt_dst_aws_service,
  r.protocol,
  r.service_port,
  r.client_port,
  r.minute,
  r.first_start,
  r.last_end,
  r.bytes,
  r.pairing,
  r.dt
FROM resolved r
-- The receiver's copy of bytes its sender's egress record carries never counts (an ingress record
-- with a partner, except at a NAT gateway, whose inside legs are its processed bytes), and neither
-- does a node's record of what a NAT gateway's inside leg carries, nor the gateway's outside leg
-- (the same bytes as its inside leg).
WHERE NOT (r.flow_direction = 'ingress' AND r.has_partner AND NOT r.at_nat)
  AND NOT (r.flow_direction = 'egress' AND r.partner_at_nat AND NOT r.at_nat)
  AND NOT (r.at_nat AND r.peer_host = 'outside' AND NOT r.logged)
