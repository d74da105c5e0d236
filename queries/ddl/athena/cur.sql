-- cur: the CUR 2.0 Data Export, Parquet at <bucket>/<prefix><export>/data/BILLING_PERIOD=YYYY-MM/
--   (aws-facts.md §2.2, columns §4.1). Parquet matches columns by name, so this is the subset
--   flowcost reads; the table points at data/ only, never at the export's metadata/ manifests.
--   line_item_usage_account_id and product_region_code (a CUR 2.0 static column,
--   https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-product.html) scope a
--   payer's export to one account and Region.
-- Partitions (projected): billing_period (`yyyy-MM`).
-- Template variables, filled by infra/catalog.ts:
--   ${CUR_BUCKET}       bucket the export writes to
--   ${CUR_PREFIX}       key prefix before the export name, empty or ending in `/`
--   ${CUR_EXPORT_NAME}  the Data Export's name
CREATE EXTERNAL TABLE IF NOT EXISTS cur (
  bill_billing_period_start_date timestamp,
  bill_payer_account_id string,
  line_item_usage_account_id string,
  line_item_line_item_type string,
  line_item_usage_start_date timestamp,
  line_item_usage_end_date timestamp,
  line_item_product_code string,
  line_item_usage_type string,
  line_item_operation string,
  line_item_resource_id string,
  line_item_availability_zone string,
  line_item_usage_amount double,
  line_item_unblended_cost double,
  product_product_family string,
  product_region_code string,
  product_from_location string,
  product_to_location string,
  product map<string, string>,
  resource_tags map<string, string>,
  cost_category map<string, string>,
  discount map<string, double>
)
PARTITIONED BY (billing_period string)
STORED AS PARQUET
LOCATION 's3://${CUR_BUCKET}/${CUR_PREFIX}${CUR_EXPORT_NAME}/data/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.billing_period.type' = 'date',
  'projection.billing_period.format' = 'yyyy-MM',
  'projection.billing_period.range' = '2023-01,NOW',
  'projection.billing_period.interval' = '1',
  'projection.billing_period.interval.unit' = 'MONTHS',
  'storage.location.template' = 's3://${CUR_BUCKET}/${CUR_PREFIX}${CUR_EXPORT_NAME}/data/BILLING_PERIOD=${billing_period}/'
)
