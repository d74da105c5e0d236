-- raw_flow_logs: VPC Flow Logs delivered to S3 as gzip text in the default key layout
--   <bucket>/<prefix>AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/ (aws-facts.md §1.8, §2.1).
-- Columns: the flow log's fields in its LogFormat order (text columns match by position), then every
--   other field, which the SerDe reads as NULL because a line has no such trailing values. This file
--   is the layout for flowcost's recommended v5 format; infra/catalog.ts rebuilds the column list
--   from the configured `flowLogFormat`. The record's own `region` field keeps its position as
--   `record_region` because `region` is the partition.
-- Partitions (projected, no crawler): account (enum: every account whose flow logs the bucket
--   holds, an Organization's central bucket holding several), region (enum), day (`yyyy/MM/dd`,
--   the folder path). Queries read the record's own account_id; the partition only finds the keys.
-- Template variables, filled by infra/catalog.ts:
--   ${FLOW_LOG_BUCKET}  bucket the flow log delivers to
--   ${FLOW_LOG_PREFIX}  key prefix before AWSLogs/, empty or ending in `/`
--   ${FLOW_LOG_ACCOUNTS} comma-separated accounts whose flow logs the bucket holds
--   ${REGIONS}          comma-separated regions to project, e.g. us-east-1,eu-west-1
-- ${account}, ${region} and ${day} are Athena's projection placeholders and stay as written.
CREATE EXTERNAL TABLE IF NOT EXISTS raw_flow_logs (
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
  record_region string,
  az_id string,
  flow_direction string,
  traffic_path int,
  sublocation_type string,
  sublocation_id string,
  pkt_src_aws_service string,
  pkt_dst_aws_service string,
  ecs_cluster_arn string,
  ecs_cluster_name string,
  ecs_container_instance_arn string,
  ecs_container_instance_id string,
  ecs_container_id string,
  ecs_second_container_id string,
  ecs_service_name string,
  ecs_task_definition_arn string,
  ecs_task_arn string,
  ecs_task_id string,
  reject_reason string,
  resource_id string,
  encryption_status int,
  instance_tag string,
  instance_tag_2 string,
  interface_tag string,
  interface_tag_2 string,
  asg_tag string,
  asg_tag_2 string,
  interface_type string,
  next_hop_interface_id string,
  next_hop_subnet_id string,
  next_hop_az_id string,
  next_hop_vpc_id string,
  next_hop_interface_type string
)
PARTITIONED BY (account string, region string, day string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
LOCATION 's3://${FLOW_LOG_BUCKET}/${FLOW_LOG_PREFIX}AWSLogs/'
TBLPROPERTIES (
  'skip.header.line.count' = '1',
  'serialization.null.format' = '-',
  'projection.enabled' = 'true',
  'projection.account.type' = 'enum',
  'projection.account.values' = '${FLOW_LOG_ACCOUNTS}',
  'projection.region.type' = 'enum',
  'projection.region.values' = '${REGIONS}',
  'projection.day.type' = 'date',
  'projection.day.format' = 'yyyy/MM/dd',
  'projection.day.range' = '2021/01/01,NOW',
  'projection.day.interval' = '1',
  'projection.day.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${FLOW_LOG_BUCKET}/${FLOW_LOG_PREFIX}AWSLogs/${account}/vpcflowlogs/${region}/${day}'
)
