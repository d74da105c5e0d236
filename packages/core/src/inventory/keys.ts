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

/** The account and Region a capture describes (a lake holding several of either). */
export interface InventoryPlace {
  readonly accountId: string;
  readonly region: string;
}

/**
 * `scope` is an optional folder between the timestamp and the call: deployments where several
 * clusters in different VPCs snapshot at the same scheduled time set it (e.g. to the VPC id) so
 * their describe outputs do not overwrite each other. `place` puts the capture under
 * `inventory/aws/account=<id>/region=<region>/`, the layout of a lake with several accounts or
 * Regions (an Organization's); without it the single-account layout `inventory/aws/dt=/` is kept,
 * and both are read.
 */
export function awsInventoryKey(
  capturedAt: number,
  call: AwsInventoryCall,
  scope?: string,
  place?: InventoryPlace,
): string {
  const root = place ? `inventory/aws/account=${place.accountId}/region=${place.region}` : "inventory/aws";
  const folder = `${root}/dt=${dtOf(capturedAt)}/${formatCaptureTime(capturedAt)}`;
  return scope ? `${folder}/${scope}/${call}.json.gz` : `${folder}/${call}.json.gz`;
}

const KUBERNETES_KEY =
  /(?:^|\/)inventory\/kubernetes\/cluster=([^/]+)\/dt=\d{4}-\d{2}-\d{2}\/([^/]+)\.json(?:\.gz)?$/;
const AWS_KEY =
  /(?:^|\/)inventory\/aws\/(?:account=(\d{12})\/region=([a-z0-9-]+)\/)?dt=\d{4}-\d{2}-\d{2}\/(\d{8}T\d{6}Z)\/(?:([^/]+)\/)?([a-z-]+)\.json(?:\.gz)?$/;

export function parseKubernetesSnapshotKey(key: string): { cluster: string; capturedAt: number } | undefined {
  const m = KUBERNETES_KEY.exec(key);
  const capturedAt = m?.[2] ? parseCaptureTime(m[2]) : undefined;
  return m?.[1] && capturedAt !== undefined ? { cluster: m[1], capturedAt } : undefined;
}

/**
 * A describe output's capture time, call and scope. A capture under `account=/region=` has
 * `place`, and its scope starts with `<account>/<region>` so captures of two accounts taken at
 * the same second stay apart.
 */
export function parseAwsInventoryKey(
  key: string,
):
  | { capturedAt: number; scope: string | undefined; call: string; place: InventoryPlace | undefined }
  | undefined {
  const m = AWS_KEY.exec(key);
  const capturedAt = m?.[3] ? parseCaptureTime(m[3]) : undefined;
  if (!m?.[5] || capturedAt === undefined) return undefined;
  const place = m[1] && m[2] ? { accountId: m[1], region: m[2] } : undefined;
  const scope = place ? [place.accountId, place.region, m[4]].filter(Boolean).join("/") : m[4];
  return { capturedAt, scope, call: m[5], place };
}

function dtOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}
