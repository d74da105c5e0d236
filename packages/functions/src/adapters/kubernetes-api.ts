import { FlowcostError } from "@flowcost/core";
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type V1ListMeta,
} from "@kubernetes/client-node";
// The package's index does not re-export the serializer that turns typed objects back into API JSON.
import { ObjectSerializer } from "@kubernetes/client-node/dist/serializer.js";
import { isTransient, type KubernetesRetryOptions, withKubernetesRetry } from "./kubernetes-retry.ts";

export interface KubernetesClusterAccess {
  /** The cluster's API endpoint (EKS `DescribeCluster` -> `cluster.endpoint`). */
  readonly server: string;
  /** Base64 PEM of the cluster CA (`cluster.certificateAuthority.data`); omitted for a plain-HTTP test server. */
  readonly caData?: string;
  /** Bearer token (for EKS: `eksToken(...)`, valid 15 minutes, so one per run). */
  readonly token: string;
}

export interface KubernetesListOptions extends KubernetesRetryOptions {
  /** Items per page (`limit`); the API server returns `metadata.continue` while more remain. */
  readonly pageSize?: number;
  /** How many times one list restarts after 410 Gone (an expired continue token) before giving up. */
  readonly maxRestarts?: number;
}

/** One object as `kubectl get -o json` prints it inside a `List`: with its own kind and apiVersion. */
export type KubernetesObjectJson = Record<string, unknown> & { kind: string; apiVersion: string };

/**
 * The `List` as JSON text (`{"apiVersion":"v1","kind":"List","metadata":{...},"items":[...]}`).
 * Items are serialised page by page and only their text is kept: 10,000 pods are ~15 MB of
 * text but several times that as objects, and a snapshot Lambda has little memory to spare.
 */
export interface KubernetesListDocument {
  readonly text: string;
  /** Items per kind, e.g. `{ Pod: 120, Node: 6 }`. */
  readonly counts: Record<string, number>;
}

export interface KubernetesListStats {
  /** Pages fetched per resource, and 410 restarts (the list was re-read from its first page). */
  readonly pages: Record<string, number>;
  readonly restarts: Record<string, number>;
  /** Requests repeated after a 429, a 5xx or no answer in time, per resource (see kubernetes-retry.ts). */
  readonly retries: Record<string, number>;
}

interface Page {
  readonly items: unknown[];
  readonly metadata?: V1ListMeta;
}

interface Resource {
  readonly name: string;
  readonly kind: string;
  readonly apiVersion: string;
  /** The client model name for ObjectSerializer, e.g. `V1Pod`. */
  readonly model: string;
  readonly list: (args: { limit: number; _continue?: string }) => Promise<Page>;
}

/** The Kubernetes API refused or failed a list; the message names the resource. */
export class KubernetesListError extends FlowcostError {}

/**
 * Reads what `kubectl get pods,nodes,services,endpointslices -A -o json` prints, plus the VPC
 * CNI's `kube-system/aws-node` DaemonSet (for its external-SNAT setting), through
 * @kubernetes/client-node 1.x. Lists page with `limit`/`continue` (client 1.x names the field
 * `metadata._continue`); a 410 Gone (the continue token expired because the list took longer
 * than the server keeps its snapshot) restarts that list from the first page, so the result is
 * one consistent read of each resource.
 */
export async function readKubernetesInventory(
  access: KubernetesClusterAccess,
  options: KubernetesListOptions = {},
): Promise<{ document: KubernetesListDocument; stats: KubernetesListStats }> {
  const config = new KubeConfig();
  // client-node refuses plain http unless TLS verification is "skipped"; there is no TLS to verify
  // then (a local test server). Every https endpoint is verified against its CA.
  const plainHttp = access.server.startsWith("http://");
  config.loadFromClusterAndUser(
    { name: "cluster", server: access.server, caData: access.caData, skipTLSVerify: plainHttp },
    { name: "flowcost", token: access.token },
  );
  const core = config.makeApiClient(CoreV1Api);
  const discovery = config.makeApiClient(DiscoveryV1Api);
  const apps = config.makeApiClient(AppsV1Api);

  const resources: Resource[] = [
    {
      name: "pods",
      kind: "Pod",
      apiVersion: "v1",
      model: "V1Pod",
      list: (a) => core.listPodForAllNamespaces(a),
    },
    { name: "nodes", kind: "Node", apiVersion: "v1", model: "V1Node", list: (a) => core.listNode(a) },
    {
      name: "services",
      kind: "Service",
      apiVersion: "v1",
      model: "V1Service",
      list: (a) => core.listServiceForAllNamespaces(a),
    },
    {
      name: "endpointslices",
      kind: "EndpointSlice",
      apiVersion: "discovery.k8s.io/v1",
      model: "V1EndpointSlice",
      list: (a) => discovery.listEndpointSliceForAllNamespaces(a),
    },
  ];

  const pageSize = options.pageSize ?? 500;
  const maxRestarts = options.maxRestarts ?? 3;
  const items: string[] = [];
  const counts: Record<string, number> = {};
  const add = (json: KubernetesObjectJson) => {
    items.push(JSON.stringify(json));
    counts[json.kind] = (counts[json.kind] ?? 0) + 1;
  };
  const pages: Record<string, number> = {};
  const restarts: Record<string, number> = {};
  const retries: Record<string, number> = {};
  let resourceVersion = "";

  for (const resource of resources) {
    pages[resource.name] = 0;
    restarts[resource.name] = 0;
    let collectedText: string[] = [];
    let token: string | undefined;
    for (;;) {
      let page: Page;
      try {
        const args = { limit: pageSize, ...(token ? { _continue: token } : {}) };
        page = await withKubernetesRetry(`listing ${resource.name}`, () => resource.list(args), options, {
          resource: resource.name,
          counts: retries,
        });
      } catch (error) {
        if (error instanceof ApiException && error.code === 410 && token !== undefined) {
          if ((restarts[resource.name] ?? 0) >= maxRestarts) {
            throw new KubernetesListError(
              `listing ${resource.name}: continue token expired ${maxRestarts + 1} times (410 Gone)`,
              { cause: error },
            );
          }
          restarts[resource.name] = (restarts[resource.name] ?? 0) + 1;
          collectedText = [];
          token = undefined;
          continue;
        }
        throw new KubernetesListError(
          `listing ${resource.name}: ${describe(error)}${attemptsNote(error, options)}`,
          {
            cause: error,
          },
        );
      }
      pages[resource.name] = (pages[resource.name] ?? 0) + 1;
      for (const item of page.items) collectedText.push(JSON.stringify(toJson(item, resource)));
      token = page.metadata?._continue || undefined;
      if (!token) {
        if (resource.name === "pods") resourceVersion = page.metadata?.resourceVersion ?? "";
        break;
      }
    }
    for (const text of collectedText) items.push(text);
    counts[resource.kind] = (counts[resource.kind] ?? 0) + collectedText.length;
  }

  try {
    const awsNode = await withKubernetesRetry(
      "reading kube-system/aws-node",
      () => apps.readNamespacedDaemonSet({ name: "aws-node", namespace: "kube-system" }),
      options,
      { resource: "aws-node", counts: retries },
    );
    add(toJson(awsNode, { kind: "DaemonSet", apiVersion: "apps/v1", model: "V1DaemonSet" }));
  } catch (error) {
    // Clusters without the VPC CNI (another CNI) have no aws-node: identity then assumes no external SNAT.
    if (!(error instanceof ApiException && error.code === 404)) {
      throw new KubernetesListError(
        `reading kube-system/aws-node: ${describe(error)}${attemptsNote(error, options)}`,
        {
          cause: error,
        },
      );
    }
  }

  return {
    document: {
      text: `{"apiVersion":"v1","kind":"List","metadata":${JSON.stringify({ resourceVersion })},"items":[${items.join(",")}]}`,
      counts,
    },
    stats: { pages, restarts, retries },
  };
}

function toJson(
  item: unknown,
  resource: Pick<Resource, "kind" | "apiVersion" | "model">,
): KubernetesObjectJson {
  const {
    apiVersion: _apiVersion,
    kind: _kind,
    ...rest
  } = ObjectSerializer.serialize(item, resource.model) as Record<string, unknown>;
  return { apiVersion: resource.apiVersion, kind: resource.kind, ...rest };
}

/** " (after N attempts)" when the error is one the retries gave up on. */
function attemptsNote(error: unknown, options: KubernetesRetryOptions): string {
  return isTransient(error) ? ` (after ${options.maxAttempts ?? 5} attempts)` : "";
}

function describe(error: unknown): string {
  if (error instanceof ApiException) return `HTTP ${error.code}: ${String(error.message).split("\n")[0]}`;
  return error instanceof Error ? error.message : String(error);
}
