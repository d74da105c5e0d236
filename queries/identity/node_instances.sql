-- node_instances: Kubernetes node name -> the EC2 instance the CUR bills, for one UTC day.
-- build-identity writes each node's instance id (from spec.providerID) as its rows' resource_id,
-- so the mapping covers every node seen that day, whether or not its own address carried traffic.
-- Parameters: dt (YYYY-MM-DD).
-- Output: node, instance_id (one row per pair).
SELECT DISTINCT node, resource_id AS instance_id
FROM ip_identity
WHERE dt = CAST(? AS varchar)
  AND kind = 'node'
  AND node IS NOT NULL
  AND resource_id IS NOT NULL
ORDER BY node, instance_id
