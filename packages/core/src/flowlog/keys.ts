/**
 * Where a flow-log object sits tells its account, region and time. Both S3 key layouts
 * (aws-facts.md §1.8) are recognised, with daily or hourly folders and the optional
 * organisation segment:
 *   default: [prefix/]AWSLogs/[o-id/]<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/[<hh>/]<file>
 *   hive:    [prefix/]AWSLogs/[aws-organization-id=o-id/]aws-account-id=<account>/aws-service=vpcflowlogs/
 *            aws-region=<region>/year=<yyyy>/month=<mm>/day=<dd>/[hour=<hh>/]<file>
 * File: <account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz (or .parquet)
 */
export type KeyLayout = "default" | "hive";
export type FlowLogEncoding = "text" | "parquet";

export interface FlowLogObjectKey {
  readonly key: string;
  readonly layout: KeyLayout;
  readonly encoding: FlowLogEncoding;
  readonly accountId: string;
  readonly region: string;
  /** UTC day of the folder, `YYYY-MM-DD`. */
  readonly day: string;
  /** UTC hour of the folder when the flow log partitions hourly, else undefined. */
  readonly hour: number | undefined;
  readonly flowLogId: string | undefined;
  /** The 5-minute bucket of the records' `end` named in the file name, Unix seconds. */
  readonly fileTime: number | undefined;
  readonly organizationId: string | undefined;
}

const DEFAULT_KEY =
  /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]+)\/)?(\d{12})\/vpcflowlogs\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(?:(\d{2})\/)?([^/]+)$/;
const HIVE_KEY =
  /(?:^|\/)AWSLogs\/(?:aws-organization-id=(o-[a-z0-9]+)\/)?aws-account-id=(\d{12})\/aws-service=vpcflowlogs\/aws-region=([a-z0-9-]+)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/(?:hour=(\d{2})\/)?([^/]+)$/;
const FILE_NAME =
  /^\d{12}_vpcflowlogs_[a-z0-9-]+_(fl-[0-9a-f]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[0-9a-f]+\.(log\.gz|log|parquet|gz\.parquet)$/;

/** Parses an S3 key (or a local path mirroring one); undefined when it is not a flow-log object. */
export function parseFlowLogKey(key: string): FlowLogObjectKey | undefined {
  const normalized = key.replaceAll("\\", "/");
  const hive = HIVE_KEY.exec(normalized);
  const match = hive ?? DEFAULT_KEY.exec(normalized);
  if (!match) return undefined;
  const [, org, accountId, region, y, m, d, hh, fileName] = match as unknown as [
    string,
    string | undefined,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const encoding: FlowLogEncoding | undefined = fileName.endsWith(".parquet")
    ? "parquet"
    : /\.log(\.gz)?$/.test(fileName)
      ? "text"
      : undefined;
  if (!encoding) return undefined;
  const file = FILE_NAME.exec(fileName);
  return {
    key,
    layout: hive ? "hive" : "default",
    encoding,
    accountId,
    region,
    day: `${y}-${m}-${d}`,
    hour: hh === undefined ? undefined : Number(hh),
    flowLogId: file?.[1],
    fileTime: file
      ? Date.UTC(Number(file[2]), Number(file[3]) - 1, Number(file[4]), Number(file[5]), Number(file[6])) /
        1000
      : undefined,
    organizationId: org,
  };
}

/** The default-layout key AWS would write for an object, used by generators and tests. */
export function defaultLayoutKey(o: {
  prefix?: string;
  accountId: string;
  region: string;
  flowLogId: string;
  fileTime: number;
  hash: string;
  hourly?: boolean;
  encoding?: FlowLogEncoding;
  /** An AWS Organizations id (`o-…`) when the bucket collects an organisation's logs. */
  organizationId?: string;
}): string {
  const t = new Date(o.fileTime * 1000).toISOString();
  const [y, m, d, hh, mm] = [t.slice(0, 4), t.slice(5, 7), t.slice(8, 10), t.slice(11, 13), t.slice(14, 16)];
  const org = o.organizationId ? `${o.organizationId}/` : "";
  const folder = `${o.prefix ? `${o.prefix}/` : ""}AWSLogs/${org}${o.accountId}/vpcflowlogs/${o.region}/${y}/${m}/${d}/${o.hourly ? `${hh}/` : ""}`;
  const ext = o.encoding === "parquet" ? "parquet" : "log.gz";
  return `${folder}${o.accountId}_vpcflowlogs_${o.region}_${o.flowLogId}_${y}${m}${d}T${hh}${mm}Z_${o.hash}.${ext}`;
}

/** The Hive-compatible key for the same object. */
export function hiveLayoutKey(o: Parameters<typeof defaultLayoutKey>[0]): string {
  const t = new Date(o.fileTime * 1000).toISOString();
  const [y, m, d, hh, mm] = [t.slice(0, 4), t.slice(5, 7), t.slice(8, 10), t.slice(11, 13), t.slice(14, 16)];
  const folder =
    `${o.prefix ? `${o.prefix}/` : ""}AWSLogs/${o.organizationId ? `aws-organization-id=${o.organizationId}/` : ""}aws-account-id=${o.accountId}/aws-service=vpcflowlogs/` +
    `aws-region=${o.region}/year=${y}/month=${m}/day=${d}/${o.hourly ? `hour=${hh}/` : ""}`;
  const ext = o.encoding === "parquet" ? "parquet" : "log.gz";
  return `${folder}${o.accountId}_vpcflowlogs_${o.region}_${o.flowLogId}_${y}${m}${d}T${hh}${mm}Z_${o.hash}.${ext}`;
}
