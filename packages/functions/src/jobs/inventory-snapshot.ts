import { gzipSync } from "node:zlib";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  AWS_INVENTORY_CALLS,
  type AwsInventoryCall,
  awsInventoryKey,
  IP_RANGES_KEY,
  IP_RANGES_TABLE_KEY,
  IP_RANGES_URL,
  ipRangeRows,
  kubernetesSnapshotKey,
  parseIpRanges,
} from "@flowcost/core";
import { z } from "zod";
import { readAwsInventory } from "../adapters/aws-inventory.ts";
import { describeEksCluster, eksToken } from "../adapters/eks-token.ts";
import {
  type KubernetesListDocument,
  type KubernetesListStats,
  readKubernetesInventory,
} from "../adapters/kubernetes-api.ts";
import { S3Lake } from "../adapters/s3-lake.ts";
import { s3 } from "../shared/clients.ts";
import { config } from "../shared/config.ts";
import { logger } from "../shared/logger.ts";
import { ScheduledEvent, withJob } from "../shared/middleware.ts";

/** Where a snapshot goes: gzipped JSON bytes at a lake key (S3 in AWS, a folder or a fake in tests). */
export interface InventoryStore {
  putGzip(key: string, body: Uint8Array): Promise<void>;
  /** A plain JSON object (AWS's ip-ranges.json, kept as AWS publishes it). */
  putJson?(key: string, body: Uint8Array): Promise<void>;
}

/** The lake bucket as an InventoryStore. */
export function s3InventoryStore(lake: Pick<S3Lake, "putBytes">): InventoryStore {
  return {
    putGzip: (key, body) =>
      lake.putBytes(key, body, { contentType: "application/json", contentEncoding: "gzip" }),
    putJson: (key, body) => lake.putBytes(key, body, { contentType: "application/json" }),
  };
}

export interface SnapshotSources {
  readKubernetes(): Promise<{ document: KubernetesListDocument; stats: KubernetesListStats }>;
  readAws(): Promise<Record<AwsInventoryCall, unknown>>;
  /** AWS's ip-ranges.json as published (read once a day, see `refreshesIpRanges`). */
  readIpRanges?(): Promise<string>;
}

/**
 * The first capture of each UTC day refreshes AWS's ip-ranges.json (AWS publishes changes a few
 * times a week): decided from the scheduled time, so a re-run of that capture refreshes again.
 */
export function refreshesIpRanges(capturedAt: number, periodSeconds = 300): boolean {
  return capturedAt % 86400 < periodSeconds;
}

export interface SnapshotResult {
  readonly capturedAt: number;
  readonly keys: string[];
  readonly items: Record<string, number>;
  readonly pages: KubernetesListStats["pages"];
  readonly restarts: KubernetesListStats["restarts"];
}

/** The capture time: the schedule's own time, to the second (never the moment the job ran). */
export function captureTime(scheduledTime: string): number {
  const ms = Date.parse(scheduledTime);
  if (Number.isNaN(ms)) throw new RangeError(`scheduled time is not a date: ${scheduledTime}`);
  return Math.floor(ms / 1000);
}

/**
 * One snapshot of one cluster: the Kubernetes List and the VPC's describe outputs, stored raw
 * (gzip JSON) under the lake's inventory keys for the scheduled time. Both sources are read before
 * anything is written, so a failed read leaves no half snapshot; a re-run for the same time
 * overwrites the same keys.
 */
export async function takeInventorySnapshot(
  deps: { store: InventoryStore; sources: SnapshotSources },
  input: { cluster: string; scheduledTime: string; awsScope?: string },
): Promise<SnapshotResult> {
  const capturedAt = captureTime(input.scheduledTime);
  const [kubernetes, aws] = await Promise.all([deps.sources.readKubernetes(), deps.sources.readAws()]);
  const keys: string[] = [];
  for (const call of AWS_INVENTORY_CALLS) {
    const key = awsInventoryKey(capturedAt, call, input.awsScope);
    await deps.store.putGzip(key, gzipSync(JSON.stringify(aws[call])));
    keys.push(key);
  }
  // The Kubernetes file last: build-identity treats a cluster snapshot as the capture's marker.
  const key = kubernetesSnapshotKey(input.cluster, capturedAt);
  await deps.store.putGzip(key, gzipSync(kubernetes.document.text));
  keys.push(key);
  // After the snapshot, so an unreachable ip-ranges.amazonaws.com never costs one: the job then
  // fails (and its retry rewrites the same keys).
  if (deps.sources.readIpRanges && deps.store.putJson && refreshesIpRanges(capturedAt)) {
    const text = await deps.sources.readIpRanges();
    const rows = ipRangeRows(parseIpRanges(text));
    await deps.store.putJson(IP_RANGES_KEY, new TextEncoder().encode(text));
    await deps.store.putGzip(IP_RANGES_TABLE_KEY, gzipSync(rows.map((r) => JSON.stringify(r)).join("\n")));
    keys.push(IP_RANGES_KEY, IP_RANGES_TABLE_KEY);
  }
  return {
    capturedAt,
    keys,
    items: kubernetes.document.counts,
    pages: kubernetes.stats.pages,
    restarts: kubernetes.stats.restarts,
  };
}

const SnapshotEvent = ScheduledEvent.extend({
  cluster: z.string().min(1),
  /**
   * `vpc` when several clusters are snapshotted at the same times: each capture of AWS describe
   * outputs then goes under its VPC's folder (see core `awsInventoryKey`). Scoping by VPC, not by
   * cluster, keeps clusters that share a VPC on one copy of its NAT gateways and load balancers
   * (two copies would make every such address look ambiguously owned).
   */
  awsScope: z.literal("vpc").optional(),
});

const ec2 = new EC2Client({});
const elbv2 = new ElasticLoadBalancingV2Client({});

export const handler = withJob(SnapshotEvent, (event) => ({
  window: event.time,
  partition: `inventory/kubernetes/cluster=${event.cluster}`,
})).handler(async (event) => {
  const region = config().region;
  // Signatures need the real clock (AWS rejects a request signed minutes away from it, e.g. on a
  // retry); the data's time is the event's, above and in the keys.
  const signingDate = new Date();
  const credentials = () => ec2.config.credentials();
  const cluster = await describeEksCluster({ cluster: event.cluster, region, credentials, signingDate });
  const token = await eksToken({ cluster: event.cluster, region, credentials, signingDate });
  const result = await takeInventorySnapshot(
    {
      store: s3InventoryStore(new S3Lake({ s3, bucket: config().catalog.lakeBucket })),
      sources: {
        readKubernetes: () =>
          readKubernetesInventory(
            { server: cluster.endpoint, caData: cluster.caData, token },
            { pageSize: 500 },
          ),
        readAws: () => readAwsInventory({ ec2, elbv2 }, cluster.vpcId),
        readIpRanges: async () => {
          const response = await fetch(IP_RANGES_URL);
          if (!response.ok) throw new Error(`${IP_RANGES_URL}: HTTP ${response.status}`);
          return response.text();
        },
      },
    },
    {
      cluster: event.cluster,
      scheduledTime: event.time,
      awsScope: event.awsScope === "vpc" ? cluster.vpcId : undefined,
    },
  );
  logger.info("inventory snapshot stored", {
    cluster: event.cluster,
    vpcId: cluster.vpcId,
    items: result.items,
    pages: result.pages,
    restarts: result.restarts,
  });
  return { capturedAt: result.capturedAt, keys: result.keys.length };
});
