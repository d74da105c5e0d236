import type { AwsInventoryCall } from "./eni.ts";
import { formatCaptureTime, parseCaptureTime } from "./identity.ts";

/**
 * Lake keys of raw inventory (architecture.md, Lake layout). The writer (the snapshot job) and
 * the readers (build-identity, `flowcost analyze`) share these, so a user's kubectl and AWS CLI
 * files in the same layout read exactly like the job's.
 */
export function kubernetesSnapshotKey(cluster: string, capturedAt: number): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(cluster)) {
    throw new RangeError(`cluster name ${JSON.stringify(cluster)} cannot be a partition value`);
  }
  const stamp = formatCaptureTime(capturedAt);
  return `inventory/kubernetes/cluster=${cluster}/dt=${dtOf(capturedAt)}/${stamp}.json.gz`;
}

/**
 * `scope` is an optional folder between the timestamp and the call: deployments where several
 * clusters in different VPCs or accounts snapshot at the same scheduled time set it (e.g. to the
 * VPC id) so their describe outputs do not overwrite each other.
 */
export function awsInventoryKey(capturedAt: number, call: AwsInventoryCall, scope?: string): string {
  const folder = `inventory/aws/dt=${dtOf(capturedAt)}/${formatCaptureTime(capturedAt)}`;
  return scope ? `${folder}/${scope}/${call}.json.gz` : `${folder}/${call}.json.gz`;
}

const KUBERNETES_KEY =
  /(?:^|\/)inventory\/kubernetes\/cluster=([^/]+)\/dt=\d{4}-\d{2}-\d{2}\/([^/]+)\.json(?:\.gz)?$/;
const AWS_KEY =
  /(?:^|\/)inventory\/aws\/dt=\d{4}-\d{2}-\d{2}\/(\d{8}T\d{6}Z)\/(?:([^/]+)\/)?([a-z-]+)\.json(?:\.gz)?$/;

export function parseKubernetesSnapshotKey(key: string): { cluster: string; capturedAt: number } | undefined {
  const m = KUBERNETES_KEY.exec(key);
  const capturedAt = m?.[2] ? parseCaptureTime(m[2]) : undefined;
  return m?.[1] && capturedAt !== undefined ? { cluster: m[1], capturedAt } : undefined;
}

export function parseAwsInventoryKey(
  key: string,
): { capturedAt: number; scope: string | undefined; call: string } | undefined {
  const m = AWS_KEY.exec(key);
  const capturedAt = m?.[1] ? parseCaptureTime(m[1]) : undefined;
  return m?.[3] && capturedAt !== undefined ? { capturedAt, scope: m[2], call: m[3] } : undefined;
}

function dtOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}
