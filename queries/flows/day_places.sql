-- day_places: the accounts and Regions one UTC day's curated flows come from (an Organization's
--   central flow-log bucket holds several), so the attribute job attributes, prices and
--   reconciles each on its own.
-- Place: account_id as the records carry it (a format without account-id reads as ''), region of
--   the flow log's key.
-- Parameters: dt.
-- Output: account_id, region, bytes (the place's accepted bytes that day), one row per place.
SELECT coalesce(account_id, '') AS account_id, coalesce(region, '') AS region, sum(bytes) AS bytes
FROM curated_flows
WHERE dt = CAST(? AS varchar)
GROUP BY coalesce(account_id, ''), coalesce(region, '')
ORDER BY 1, 2
