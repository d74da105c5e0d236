-- raw_flow_logs_parquet: VPC Flow Logs delivered as Parquet with Hive-compatible, hourly keys
--   <bucket>/<prefix>AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/
--   year=<yyyy>/month=<mm>/day=<dd>/hour=<hh>/ (aws-facts.md §1.8, §2.1).
-- Columns match Parquet by name, so order does not matter and fields the flow log lacks read as
--   NULL; `region` stays a column here (the partition is `aws-region`).
-- Partitions (projected): aws-account-id, aws-service, aws-region, year, month, day, hour.
-- Template variables, filled by infra/catalog.ts:
--   ${FLOW_LOG_BUCKET}  bucket the flow log delivers to
--   ${FLOW_LOG_PREFIX}  key prefix before AWSLogs/, empty or ending in `/`
--   ${FLOW_LOG_ACCOUNTS} comma-separated accounts whose flow logs the bucket holds
--   ${REGIONS}          comma-separated regions to project
CREATE EXTERNAL TABLE IF NOT EXISTS raw_flow_logs_parquet (
  version int,
  account_id string,
  interface_id string,
  srcaddr string,
  dstaddr string,
  srcport int,
  dstport int,
  protocol int,
  packets bigint,
  bytes bigint,
  `start` bigint,
  `end` bigint,
  action string,
  log_status string,
  vpc_id string,
  subnet_id string,
  instance_id string,
  tcp_flags int,
  type string,
  pkt_srcaddr string,
  pkt_dstaddr string,
  region string,
  az_id string,
  sublocation_type string,
  sublocation_id string,
  pkt_src_aws_service string,
  pkt_dst_aws_service string,
  flow_direction string,
  traffic_path int
)
PARTITIONED BY (
  `aws-account-id` string,
  `aws-service` string,
  `aws-region` string,
  `year` string,
  `month` string,
  `day` string,
  `hour` string
)
STORED AS PARQUET
LOCATION 's3://${FLOW_LOG_BUCKET}/${FLOW_LOG_PREFIX}AWSLogs/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.aws-account-id.type' = 'enum',
  'projection.aws-account-id.values' = '${FLOW_LOG_ACCOUNTS}',
  'projection.aws-service.type' = 'enum',
  'projection.aws-service.values' = 'vpcflowlogs',
  'projection.aws-region.type' = 'enum',
  'projection.aws-region.values' = '${REGIONS}',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2021,2100',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://${FLOW_LOG_BUCKET}/${FLOW_LOG_PREFIX}AWSLogs/aws-account-id=${aws-account-id}/aws-service=${aws-service}/aws-region=${aws-region}/year=${year}/month=${month}/day=${day}/hour=${hour}'
)
