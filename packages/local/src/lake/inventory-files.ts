import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import {
  InvalidInputError,
  type KubernetesInventory,
  parseCaptureTime,
  readKubernetesList,
  type ZoneIdByName,
  zoneMapFrom,
} from "@flowcost/core";

const gunzipAsync = promisify(gunzip);

export interface SnapshotFile {
  readonly cluster: string;
  readonly path: string;
  readonly capturedAt: number;
}

const SNAPSHOT = /^inventory\/kubernetes\/cluster=([^/]+)\/dt=\d{4}-\d{2}-\d{2}\/([^/]+)\.json(\.gz)?$/;
const AZ_FILE = /^inventory\/aws\/dt=\d{4}-\d{2}-\d{2}\/[^/]+\/describe-availability-zones\.json(\.gz)?$/;

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
    const m = SNAPSHOT.exec(rel);
    const capturedAt = m?.[2] ? parseCaptureTime(m[2]) : undefined;
    if (!m?.[1] || capturedAt === undefined) continue;
    found.push({ cluster: m[1], path: join(lakeDir, rel), capturedAt });
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

/** AZ name -> ID from every `describe-availability-zones` output in the lake. */
export async function readZoneMap(lakeDir: string): Promise<ZoneIdByName> {
  const map = new Map<string, string>();
  for (const rel of await listFiles(lakeDir, "inventory/aws")) {
    if (!AZ_FILE.test(rel)) continue;
    for (const [name, id] of zoneMapFrom(await readJsonFile(join(lakeDir, rel)))) map.set(name, id);
  }
  return map;
}
