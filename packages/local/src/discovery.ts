import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import {
  InvalidInputError,
  IP_RANGES_KEY,
  parseAwsInventoryKey,
  parseCaptureTime,
  parseFlowLogKey,
} from "@flowcost/core";
import { parseCurKey } from "./lake/cur-files.ts";

/**
 * What `flowcost analyze` finds in a folder before it reads anything: every input recognised by
 * its path alone (the S3 key layouts the real exports use), and what is missing with what the
 * absence costs the result. Nothing here opens a file beyond checking it can be read, so a large
 * folder is surveyed in the time a directory walk takes.
 */

/** The AWS CLI describe outputs flowcost reads, as the snapshot job names them. */
export const DESCRIBE_CALLS = [
  "describe-network-interfaces",
  "describe-availability-zones",
  "describe-nat-gateways",
  "describe-load-balancers",
  "describe-target-groups",
  "describe-load-balancer-attributes",
  "describe-target-group-attributes",
  "describe-vpc-endpoints",
  "describe-route-tables",
  "describe-subnets",
] as const;
export type DescribeCall = (typeof DESCRIBE_CALLS)[number];

export interface TimeRange {
  /** Unix seconds, inclusive. */
  readonly from: number;
  /** Unix seconds, exclusive. */
  readonly to: number;
}

export interface MissingInput {
  /** Stable identifier for scripts: `cur`, `kubectl`, or a describe call's name. */
  readonly input: string;
  readonly consequence: string;
}

export interface Discovery {
  readonly folder: string;
  readonly flowLogs: {
    readonly objects: number;
    readonly text: number;
    readonly parquet: number;
    readonly layouts: ReadonlyArray<"default" | "hive">;
    readonly accounts: string[];
    readonly regions: string[];
    readonly days: string[];
    /** Records' `end` times, from the 5-minute buckets in the object names. */
    readonly timeRange: TimeRange | undefined;
  };
  readonly cur: {
    readonly files: number;
    readonly exports: string[];
    readonly billingPeriods: string[];
  };
  readonly kubernetes: {
    readonly snapshots: number;
    readonly clusters: ReadonlyArray<{ name: string; snapshots: number; timeRange: TimeRange }>;
  };
  readonly aws: {
    /** Files per describe call. */
    readonly calls: Record<DescribeCall, number>;
    /** Whether AWS's ip-ranges.json is at inventory/aws/ip-ranges.json (names AWS services by address). */
    readonly ipRanges: boolean;
  };
  /** Files that look like inputs but sit outside the layout flowcost reads, with the fix. */
  readonly misplaced: ReadonlyArray<{ path: string; hint: string }>;
  readonly missing: MissingInput[];
  /** Problems that do not stop the analysis but change what it can say. */
  readonly notes: string[];
}

/** Folders flowcost itself writes into a lake; never inputs. */
const DERIVED = /^(curated|results|reports|state|\.staging|\.trash)(\/|$)/;
const SNAPSHOT = /^inventory\/kubernetes\/cluster=([^/]+)\/dt=\d{4}-\d{2}-\d{2}\/([^/]+)\.json(\.gz)?$/;
const CAPTURE_NAME = /^\d{8}T\d{6}Z\.json(\.gz)?$/;

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

const FIVE_MINUTES = 300;
const SNAPSHOT_PERIOD = 300;

/** Walks `folder` and classifies every file by its path. Throws naming the folder or the unreadable file. */
export async function discoverInputs(folder: string, onFile?: (seen: number) => void): Promise<Discovery> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such folder"
        : code === "ENOTDIR"
          ? "not a folder"
          : code === "EACCES"
            ? "permission denied"
            : String((error as Error).message);
    throw new InvalidInputError(`${folder}: ${reason}`, { cause: error });
  });

  const flowAccounts = new Set<string>();
  const flowRegions = new Set<string>();
  const flowDays = new Set<string>();
  const layouts = new Set<"default" | "hive">();
  let text = 0;
  let parquet = 0;
  let minFileTime = Number.POSITIVE_INFINITY;
  let maxFileTime = Number.NEGATIVE_INFINITY;
  const curExports = new Set<string>();
  const billingPeriods = new Set<string>();
  let curFiles = 0;
  const clusters = new Map<string, { snapshots: number; from: number; to: number }>();
  const calls = Object.fromEntries(DESCRIBE_CALLS.map((c) => [c, 0])) as Record<DescribeCall, number>;
  const misplaced: Array<{ path: string; hint: string }> = [];
  const inputs: string[] = [];
  let ipRanges = false;

  let seen = 0;
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    // A symbolic link to a file is read as the file (the flow-log survey names links it does not follow).
    if (!entry.isFile() && !(entry.isSymbolicLink() && (await isFile(path)))) continue;
    const rel = relative(folder, path).replaceAll("\\", "/");
    if (DERIVED.test(rel)) continue;
    onFile?.(++seen);

    const flow = parseFlowLogKey(rel);
    if (flow) {
      inputs.push(path);
      layouts.add(flow.layout);
      flowAccounts.add(flow.accountId);
      flowRegions.add(flow.region);
      flowDays.add(flow.day);
      if (flow.encoding === "parquet") parquet++;
      else text++;
      if (flow.fileTime !== undefined) {
        minFileTime = Math.min(minFileTime, flow.fileTime);
        maxFileTime = Math.max(maxFileTime, flow.fileTime);
      }
      continue;
    }
    // The same recognition the CUR reader uses (a plain .csv included), so what discovery
    // reports is what the run reads.
    const cur = parseCurKey(rel);
    if (cur) {
      inputs.push(path);
      curFiles++;
      curExports.add(cur.exportName);
      billingPeriods.add(cur.billingPeriod);
      continue;
    }
    const snapshot = SNAPSHOT.exec(rel);
    const capturedAt = snapshot?.[2] ? parseCaptureTime(snapshot[2]) : undefined;
    if (snapshot?.[1] && capturedAt !== undefined) {
      inputs.push(path);
      const c = clusters.get(snapshot[1]) ?? { snapshots: 0, from: capturedAt, to: capturedAt };
      c.snapshots++;
      c.from = Math.min(c.from, capturedAt);
      c.to = Math.max(c.to, capturedAt);
      clusters.set(snapshot[1], c);
      continue;
    }
    if (rel === IP_RANGES_KEY) {
      inputs.push(path);
      ipRanges = true;
      continue;
    }
    // Both layouts: `inventory/aws/dt=/<ts>/[scope/]` and `inventory/aws/account=/region=/dt=/<ts>/`.
    const call = rel.startsWith("inventory/aws/") ? parseAwsInventoryKey(rel)?.call : undefined;
    if (call && (DESCRIBE_CALLS as readonly string[]).includes(call)) {
      inputs.push(path);
      calls[call as DescribeCall]++;
      continue;
    }
    if (CAPTURE_NAME.test(entry.name) && !rel.startsWith("inventory/")) {
      misplaced.push({
        path: rel,
        hint: "a kubectl snapshot is read only at inventory/kubernetes/cluster=<name>/dt=<YYYY-MM-DD>/<name>",
      });
    }
  }

  for (const path of inputs) {
    try {
      await access(path, constants.R_OK);
    } catch (error) {
      throw new InvalidInputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code})`, {
        cause: error,
      });
    }
  }

  const flowRange =
    minFileTime <= maxFileTime ? { from: minFileTime, to: maxFileTime + FIVE_MINUTES } : undefined;
  const clusterList = [...clusters]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([name, c]) => ({
      name,
      snapshots: c.snapshots,
      timeRange: { from: c.from, to: c.to + SNAPSHOT_PERIOD },
    }));
  const snapshots = clusterList.reduce((s, c) => s + c.snapshots, 0);
  const periods = [...billingPeriods].sort();
  const days = [...flowDays].sort();

  const missing: MissingInput[] = [];
  if (curFiles === 0)
    missing.push({
      input: "cur",
      consequence: "no CUR export: dollars are list-price estimates, not reconciled to the bill",
    });
  if (snapshots === 0)
    missing.push({
      input: "kubectl",
      consequence: "no kubectl snapshots: addresses cannot be resolved to workloads",
    });
  const consequences: Record<DescribeCall, string> = {
    "describe-network-interfaces":
      "no describe-network-interfaces: NAT gateways and load balancers are not recognised",
    "describe-availability-zones":
      "no describe-availability-zones: nodes without the topology.k8s.aws/zone-id label have no AZ ID",
    "describe-nat-gateways": "no describe-nat-gateways: NAT gateway traffic is not tied to its gateway",
    "describe-load-balancers":
      "no describe-load-balancers: load balancers are not named or tied to their Kubernetes Service",
    "describe-target-groups":
      "no describe-target-groups: target types are unknown, so instance-mode NodePort hops are not recognised",
    "describe-load-balancer-attributes":
      "no describe-load-balancer-attributes: whether NLB cross-zone is on is unknown, so the nlb_cross_zone_off recommendation declines",
    "describe-target-group-attributes":
      "no describe-target-group-attributes: target-group cross-zone overrides are unknown (the load balancer's setting is used)",
    "describe-vpc-endpoints":
      "no describe-vpc-endpoints: existing VPC endpoints are unknown, so the endpoint recommendations decline",
    "describe-route-tables":
      "no describe-route-tables: the route tables to change are unknown, so gateway endpoint and NAT-per-AZ recommendations decline",
    "describe-subnets":
      "no describe-subnets: public subnets per AZ are unknown, so the NAT-per-AZ recommendation declines",
  };
  for (const call of DESCRIBE_CALLS)
    if (calls[call] === 0) missing.push({ input: call, consequence: consequences[call] });

  const notes: string[] = [];
  if (curFiles > 0) {
    const uncovered = [...new Set(days.map((d) => d.slice(0, 7)))].filter((m) => !billingPeriods.has(m));
    if (uncovered.length)
      notes.push(
        `the CUR export has no BILLING_PERIOD=${uncovered.join(", ")}: dollars for those days are list-price estimates`,
      );
  }
  if (flowRange) {
    for (const c of clusterList) {
      // One period of slack: snapshots are taken every period, so the first may trail the first flows by up to one.
      if (c.timeRange.from > flowRange.from + SNAPSHOT_PERIOD || c.timeRange.to < flowRange.to)
        notes.push(
          `cluster ${c.name}: kubectl snapshots cover ${iso(c.timeRange.from)} to ${iso(c.timeRange.to)}, flow logs ${iso(flowRange.from)} to ${iso(flowRange.to)}: traffic outside the snapshots resolves as unknown`,
        );
    }
  }

  return {
    folder,
    flowLogs: {
      objects: text + parquet,
      text,
      parquet,
      layouts: [...layouts].sort(),
      accounts: [...flowAccounts].sort(),
      regions: [...flowRegions].sort(),
      days,
      timeRange: flowRange,
    },
    cur: { files: curFiles, exports: [...curExports].sort(), billingPeriods: periods },
    kubernetes: { snapshots, clusters: clusterList },
    aws: { calls, ipRanges },
    misplaced,
    missing,
    notes,
  };
}

/** `2026-11-22T09:00:00Z`: seconds precision, as a user types it back into `--from`. */
export function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
