-- cur_network_lines: the billed network lines of one UTC day from the CUR 2.0 export, one row per
--   (usage class, resource), as reconciliation allocates them.
-- Usage classes (aws-facts.md §4.2; billing-code prefixes such as USE1- and EU- or none):
--   inter_az_out / inter_az_in: <R>-DataTransfer-Regional-Bytes with InterZone-Out / InterZone-In,
--     or <R>-DataTransfer-xAZ-Out-Bytes / -xAZ-In-Bytes (both spellings occur in real bills);
--   nat_bytes / nat_hours: <R>-NatGateway-Bytes / -Hours; lb_hours / lb_lcu: <R>-LoadBalancerUsage /
--   <R>-LCUUsage; vpce_hours / vpce_bytes: <R>-VpcEndpoint-Hours / -Bytes. Everything else (instance
--   hours, storage, ...) is not network and is left out.
-- Only Usage and DiscountedUsage lines: credits, taxes and fees are not usage of a resource.
-- Partition predicate billing_period = ? keeps Athena on one month.
-- Place: only the lines of one usage account (line_item_usage_account_id) and Region
--   (product_region_code), as a payer's export holds every linked account's; '*' for every one.
-- Parameters: accountId, region, billingPeriod (YYYY-MM), dt (YYYY-MM-DD).
-- Output: dt, usage_class, resource_id (as billed), usage_type, usage_amount (GB or hours), cost_usd.
WITH scope AS (
  SELECT CAST(? AS varchar) AS account_id, CAST(? AS varchar) AS region
),
lines AS (
  SELECT
    line_item_usage_type AS usage_type,
    line_item_operation AS operation,
    line_item_resource_id AS resource_id,
    line_item_usage_amount AS usage_amount,
    line_item_unblended_cost AS cost,
    CAST(CAST(line_item_usage_start_date AS date) AS varchar) AS dt,
    CASE
      WHEN (line_item_usage_type = 'DataTransfer-Regional-Bytes' OR line_item_usage_type LIKE '%-DataTransfer-Regional-Bytes')
        AND line_item_operation = 'InterZone-Out' THEN 'inter_az_out'
      WHEN (line_item_usage_type = 'DataTransfer-Regional-Bytes' OR line_item_usage_type LIKE '%-DataTransfer-Regional-Bytes')
        AND line_item_operation = 'InterZone-In' THEN 'inter_az_in'
      WHEN line_item_usage_type = 'DataTransfer-xAZ-Out-Bytes' OR line_item_usage_type LIKE '%-DataTransfer-xAZ-Out-Bytes' THEN 'inter_az_out'
      WHEN line_item_usage_type = 'DataTransfer-xAZ-In-Bytes' OR line_item_usage_type LIKE '%-DataTransfer-xAZ-In-Bytes' THEN 'inter_az_in'
      WHEN line_item_usage_type = 'NatGateway-Bytes' OR line_item_usage_type LIKE '%-NatGateway-Bytes' THEN 'nat_bytes'
      WHEN line_item_usage_type = 'NatGateway-Hours' OR line_item_usage_type LIKE '%-NatGateway-Hours' THEN 'nat_hours'
      WHEN line_item_usage_type = 'LoadBalancerUsage' OR line_item_usage_type LIKE '%-LoadBalancerUsage' THEN 'lb_hours'
      WHEN line_item_usage_type = 'LCUUsage' OR line_item_usage_type LIKE '%-LCUUsage' THEN 'lb_lcu'
      WHEN line_item_usage_type = 'VpcEndpoint-Hours' OR line_item_usage_type LIKE '%-VpcEndpoint-Hours' THEN 'vpce_hours'
      WHEN line_item_usage_type = 'VpcEndpoint-Bytes' OR line_item_usage_type LIKE '%-VpcEndpoint-Bytes' THEN 'vpce_bytes'
    END AS usage_class
  FROM cur
  CROSS JOIN scope s
  WHERE billing_period = CAST(? AS varchar)
    AND line_item_line_item_type IN ('Usage', 'DiscountedUsage')
    AND (s.account_id = '*' OR line_item_usage_account_id = s.account_id)
    AND (s.region = '*' OR product_region_code = s.region)
)
SELECT dt, usage_class, resource_id, usage_type, sum(usage_amount) AS usage_amount, sum(cost) AS cost_usd
FROM lines
WHERE dt = CAST(? AS varchar) AND usage_class IS NOT NULL
GROUP BY dt, usage_class, resource_id, usage_type
ORDER BY usage_class, resource_id, usage_type
