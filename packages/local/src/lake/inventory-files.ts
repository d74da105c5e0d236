import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import {
  type AwsSnapshot,
  InvalidInputError,
  type KubernetesInventory,
  parseAwsInventoryKey,
  parseKubernetesSnapshotKey,
  readKubernetesList,
  readLoadBalancers,
  readLoadBalancerTags,
  readNatGateways,
  readNetworkInterfaces,
  type ZoneIdByName,
  zoneMapFrom,
} from "@flowcost/core";

import type { SkippedInput } from "./skipped-inputs.ts";

const gunzipAsync = promisify(gunzip);

export interface SnapshotFile {
  readonly cluster: string;
  readonly path: string;
  readonly capturedAt: number;
}

async function listFiles(root: string, below: string): Promise<string[]> {
  const entries = await readdir(join(root, below), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).replaceAll("\\", "/"));
}

/** Kubernetes snapshots in the lake layout, oldest first; the capture time comes from the file name. */
export async function findSnapshots(lakeDir: string): Promise<SnapshotFile[]> {
  const found: SnapshotFile[] = [];
  for (const rel of await listFiles(lakeDir, "inventory/kubernetes")) {
    const key = parseKubernetesSnapshotKey(rel);
    if (key) found.push({ cluster: key.cluster, path: join(lakeDir, rel), capturedAt: key.capturedAt });
  }
  return found.sort((a, b) => a.capturedAt - b.capturedAt);
}

export async function readJsonFile(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
    if (path.endsWith(".gz")) bytes = await gunzipAsync(bytes);
  } catch (error) {
    throw new InvalidInputError(`${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new InvalidInputError(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

export async function readSnapshot(file: SnapshotFile): Promise<KubernetesInventory> {
  try {
    return readKubernetesList(await readJsonFile(file.path), file.path);
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(`${file.path}: not a Kubernetes List (${(error as Error).message})`, {
      cause: error,
    });
  }
}

export interface AwsSnapshotFolder {
  readonly capturedAt: number;
  readonly scope: string | undefined;
  /** Call name (`describe-network-interfaces`, ...) -> file path. */
  readonly files: ReadonlyMap<string, string>;
}

/** AWS describe captures in the lake layout (`inventory/aws/dt=/<ts>/[scope/]<call>.json[.gz]`), oldest first. */
export async function findAwsSnapshots(lakeDir: string): Promise<AwsSnapshotFolder[]> {
  const folders = new Map<
    string,
    { capturedAt: number; scope: string | undefined; files: Map<string, string> }
  >();
  for (const rel of await listFiles(lakeDir, "inventory/aws")) {
    const key = parseAwsInventoryKey(rel);
    if (!key) continue;
    const id = `${key.capturedAt}|${key.scope ?? ""}`;
    const folder = folders.get(id) ?? { capturedAt: key.capturedAt, scope: key.scope, files: new Map() };
    folder.files.set(key.call, join(lakeDir, rel));
    folders.set(id, folder);
  }
  return [...folders.values()].sort((a, b) => a.capturedAt - b.capturedAt);
}

/**
 * One capture's describe outputs, parsed. A capture without describe-network-interfaces holds no
 * addresses, so it is skipped (undefined) rather than read as "every ENI is gone".
 */
export async function readAwsSnapshot(
  folder: AwsSnapshotFolder,
  /** Called for each describe output that cannot be read or parsed; it is then left out. */
  onSkip: (skipped: SkippedInput) => void = throwSkipped,
): Promise<AwsSnapshot | undefined> {
  const path = (call: string) => folder.files.get(call);
  const read = async <T>(
    call: string,
    parse: (json: unknown, source: string) => T,
  ): Promise<T | undefined> => {
    const file = path(call);
    if (!file) return undefined;
    try {
      return parse(await readJsonFile(file), file);
    } catch (error) {
      onSkip({
        path: file,
        code: "skipped-describe",
        reason: `${describeError(file, error)}; this capture is read without it${
          call === "describe-network-interfaces"
            ? " (and, without its interfaces, skipped like a missed capture)"
            : ""
        }`,
      });
      return undefined;
    }
  };
  const networkInterfaces = await read("describe-network-interfaces", readNetworkInterfaces);
  if (!networkInterfaces) return undefined;
  return {
    capturedAt: folder.capturedAt,
    ...(folder.scope ? { scope: folder.scope } : {}),
    networkInterfaces,
    natGateways: (await read("describe-nat-gateways", readNatGateways)) ?? [],
    loadBalancers: (await read("describe-load-balancers", readLoadBalancers)) ?? [],
    loadBalancerTags: (await read("describe-tags", readLoadBalancerTags)) ?? new Map(),
    zones: (await read("describe-availability-zones", zoneMapFrom)) ?? new Map(),
  };
}

/** AZ name -> ID from every `describe-availability-zones` output in the lake (unreadable ones reported and left out). */
export async function readZoneMap(
  lakeDir: string,
  onSkip: (skipped: SkippedInput) => void = throwSkipped,
): Promise<ZoneIdByName> {
  const map = new Map<string, string>();
  for (const folder of await findAwsSnapshots(lakeDir)) {
    const file = folder.files.get("describe-availability-zones");
    if (!file) continue;
    let zones: ZoneIdByName;
    try {
      zones = zoneMapFrom(await readJsonFile(file), file);
    } catch (error) {
      onSkip({ path: file, code: "skipped-describe", reason: describeError(file, error) });
      continue;
    }
    for (const [name, id] of zones) map.set(name, id);
  }
  return map;
}

/** The default for callers that want the old behaviour: a bad file stops them, by name. */
function throwSkipped(skipped: SkippedInput): never {
  throw new InvalidInputError(`${skipped.path}: ${skipped.reason}`);
}

/** Why a describe output could not be used, in words that do not repeat its path twice. */
function describeError(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `not a valid AWS CLI describe output (${message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message})`;
}
