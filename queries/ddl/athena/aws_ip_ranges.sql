-- aws_ip_ranges: the IPv4 prefixes of AWS's published ip-ranges.json, one per line (gzip JSON
--   lines, OpenX JSON SerDe) at <lake>/curated/aws_ip_ranges/ip_ranges.json.gz, AWS's own field
--   names. The inventory-snapshot job refreshes it daily with inventory/aws/ip-ranges.json (the
--   document as AWS publishes it); attribute_flows names AWS services by address from it when a
--   flow-log format lacks pkt-*-aws-service. Locally the engine reads the document itself.
-- Template variables, filled by infra/catalog.ts:
--   ${LAKE_BUCKET}  the lake bucket
CREATE EXTERNAL TABLE IF NOT EXISTS aws_ip_ranges (
  ip_prefix string,
  region string,
  service string,
  network_border_group string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS TEXTFILE
LOCATION 's3://${LAKE_BUCKET}/curated/aws_ip_ranges/'
