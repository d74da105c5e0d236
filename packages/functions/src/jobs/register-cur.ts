import { type AthenaClient, GetTableMetadataCommand } from "@aws-sdk/client-athena";
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { S3Lake } from "../adapters/s3-lake.ts";
import { athena, s3 } from "../shared/clients.ts";
import { config } from "../shared/config.ts";
import { s3Lake } from "../shared/engine.ts";
import { logger } from "../shared/logger.ts";
import { ScheduledEvent, withJob } from "../shared/middleware.ts";

/**
 * register-cur (daily): is the CUR 2.0 export there yet? The `cur` table projects
 * `BILLING_PERIOD=`, so nothing needs registering in Glue; what the rest of flowcost needs is to
 * know, per billing period, whether the export has written data and when it last changed, so the
 * attribute job and alerts can say "no CUR yet: estimated" and tell a late export from a missing
 * one. The job lists the current and previous billing periods under the table's own LOCATION and
 * records what it found in `state/register-cur/status.json`.
 */

export const STATUS_KEY = "state/register-cur/status.json";

/** Billing periods kept in the status (older ones fall off). */
const PERIODS_KEPT = 13;

const BillingPeriod = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

export const CurPeriodStatus = z.object({
  billingPeriod: BillingPeriod,
  /** Whether the export has written at least one data object for the period. */
  present: z.boolean(),
  objects: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** Newest data object's LastModified (ISO 8601): when the export last refreshed the period. */
  lastModified: z.string().nullable(),
  /** The scheduled time of the run that last listed the period. */
  checkedBy: z.string(),
});
export type CurPeriodStatus = z.infer<typeof CurPeriodStatus>;

export const CurStatus = z.object({
  /** Where the export's data lives: the `cur` table's LOCATION (`s3://<bucket>/<prefix><export>/data/`). */
  location: z.string(),
  updatedBy: z.string(),
  /** Newest first. */
  periods: z.array(CurPeriodStatus),
});
export type CurStatus = z.infer<typeof CurStatus>;

export interface CurObject {
  readonly key: string;
  readonly size: number;
  /** ISO 8601. */
  readonly lastModified: string;
}

export interface RegisterCurDeps {
  /** Every object under `s3://<bucket>/<prefix>`. */
  readonly list: (bucket: string, prefix: string) => Promise<CurObject[]>;
  readonly readStatus: () => Promise<CurStatus | undefined>;
  readonly writeStatus: (status: CurStatus) => Promise<void>;
}

export class CurLocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CurLocationError";
  }
}

/** `s3://bucket/a/b/` -> bucket and key prefix (ending in `/`). */
export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(location.trim());
  if (!m) throw new CurLocationError(`cur table LOCATION is not an s3:// URL: "${location}"`);
  const path = m[2] as string;
  return { bucket: m[1] as string, prefix: path === "" || path.endsWith("/") ? path : `${path}/` };
}

/** The previous and the current billing period of `time` (UTC), oldest first. */
export function periodsToCheck(time: string): string[] {
  const at = new Date(time);
  if (Number.isNaN(at.getTime())) throw new RangeError(`not a time: ${time}`);
  const current = at.toISOString().slice(0, 7);
  const previous = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  return [previous, current];
}

/** What one billing period's listing says. Folder markers (keys ending `/`) are not data. */
export function periodStatus(billingPeriod: string, objects: ReadonlyArray<CurObject>, checkedBy: string) {
  const data = objects.filter((o) => !o.key.endsWith("/"));
  const lastModified = data.reduce<string | null>(
    (newest, o) => (newest === null || o.lastModified > newest ? o.lastModified : newest),
    null,
  );
  return CurPeriodStatus.parse({
    billingPeriod,
    present: data.length > 0,
    objects: data.length,
    bytes: data.reduce((s, o) => s + o.size, 0),
    lastModified,
    checkedBy,
  });
}

/**
 * Lists the previous and current billing periods under the export's data folder and replaces
 * their entries in the status, keeping older periods' entries as last seen. The status depends
 * only on the event time and what S3 holds, so a retry writes the same status.
 */
export async function registerCur(deps: RegisterCurDeps, location: string, time: string): Promise<CurStatus> {
  const { bucket, prefix } = parseS3Location(location);
  const checked: CurPeriodStatus[] = [];
  for (const period of periodsToCheck(time)) {
    const objects = await deps.list(bucket, `${prefix}BILLING_PERIOD=${period}/`);
    checked.push(periodStatus(period, objects, time));
  }
  const previous = await deps.readStatus();
  const byPeriod = new Map<string, CurPeriodStatus>();
  // A status from another location describes another export: start over rather than mix them.
  if (previous?.location === location) for (const p of previous.periods) byPeriod.set(p.billingPeriod, p);
  for (const p of checked) byPeriod.set(p.billingPeriod, p);
  const status: CurStatus = {
    location,
    updatedBy: time,
    periods: [...byPeriod.values()]
      .sort((a, b) => (a.billingPeriod < b.billingPeriod ? 1 : -1))
      .slice(0, PERIODS_KEPT),
  };
  await deps.writeStatus(status);
  return status;
}

/** The `cur` table's LOCATION from the catalog: the DDL (queries/ddl/athena/cur.sql) is the one definition. */
export async function curTableLocation(
  client: AthenaClient,
  database: string,
  table = "cur",
): Promise<string> {
  const response = await client.send(
    new GetTableMetadataCommand({ CatalogName: "AwsDataCatalog", DatabaseName: database, TableName: table }),
  );
  const location = response.TableMetadata?.Parameters?.location;
  if (!location) throw new CurLocationError(`table ${database}.${table} has no location in the catalog`);
  return location;
}

/** The export bucket's objects under a prefix, with what the status needs (key, size, last modified). */
export function s3CurLister(client: S3Client): RegisterCurDeps["list"] {
  return async (bucket, prefix) =>
    (await new S3Lake({ s3: client, bucket }).listObjects(prefix)).map((o) => ({
      key: o.key,
      size: o.size,
      lastModified: o.lastModified?.toISOString() ?? "",
    }));
}

/** The status object in the lake (gzip JSON, as every `state/` object). */
export function lakeStatusStore(lake: Pick<S3Lake, "getJson" | "putJson">) {
  return {
    readStatus: () => lake.getJson(STATUS_KEY, CurStatus),
    writeStatus: (status: CurStatus) => lake.putJson(STATUS_KEY, CurStatus.parse(status)),
  };
}

export const handler = withJob(ScheduledEvent, (event) => ({
  window: periodsToCheck(event.time).join(","),
  partition: STATUS_KEY,
})).handler(async (event) => {
  const location = await curTableLocation(athena, config().catalog.database);
  const status = await registerCur(
    { list: s3CurLister(s3), ...lakeStatusStore(s3Lake()) },
    location,
    event.time,
  );
  const checked = status.periods.filter((p) => p.checkedBy === event.time);
  for (const p of checked) {
    const fields = { billingPeriod: p.billingPeriod, objects: p.objects, lastModified: p.lastModified };
    if (p.present) logger.info("CUR export present", fields);
    else logger.warn("no CUR export data for the billing period yet: its days stay estimated", fields);
  }
  return { location, periods: checked.map((p) => ({ billingPeriod: p.billingPeriod, present: p.present })) };
});
