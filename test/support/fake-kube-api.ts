import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local Kubernetes API server for the list calls the snapshot job makes: real-shaped JSON
 * (`PodList`, `NodeList`, ... with `metadata.continue` / `remainingItemCount`), `limit`/`continue`
 * paging, a 410 Gone `Status` for an expired continue token, and bearer-token checking.
 * Items are generated on the fly from their index, so it serves 10,000 pods without holding them.
 */
export interface FakeKubeApiOptions {
  readonly pods?: number;
  readonly nodes?: number;
  readonly services?: number;
  /** Bearer token the server requires; requests without it get a 401 Status. */
  readonly token?: string;
  /** Resources (`pods`, `nodes`, ...) whose first continued request answers 410 Gone. */
  readonly expireFirstContinue?: ReadonlyArray<string>;
  /** The aws-node DaemonSet's `AWS_VPC_K8S_CNI_EXTERNALSNAT`; undefined = no aws-node (404). */
  readonly externalSnat?: boolean;
  /** Capture-independent creation time of every object, ISO. */
  readonly createdAt?: string;
  /** Failures served first, in order (see KubeFault). */
  readonly faults?: ReadonlyArray<KubeFault>;
}

/**
 * A failure the server serves before its real answers, to list requests (of `path` only, when
 * given; from the `page`-th request of it on, when given): an HTTP status with a Kubernetes
 * Status body (and Retry-After for 429), or "hang" (the request is held and never answered).
 */
export interface KubeFault {
  readonly status: 429 | 500 | 502 | 503 | 504 | "hang";
  readonly times: number;
  readonly retryAfter?: number;
  readonly path?: string;
  readonly page?: number;
}

export interface FakeKubeApi {
  readonly url: string;
  /** Every request's path and query, in order. */
  readonly requests: Array<{
    path: string;
    query: Record<string, string>;
    authorization: string | undefined;
  }>;
  close(): Promise<void>;
}

const ZONES = [
  { name: "us-east-1a", id: "use1-az4" },
  { name: "us-east-1b", id: "use1-az6" },
  { name: "us-east-1c", id: "use1-az1" },
];

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0").slice(-width);
const ipOf = (block: number, n: number) => `10.${block}.${Math.floor(n / 250) % 250}.${(n % 250) + 4}`;
const nodeName = (i: number) => `ip-${ipOf(0, i).replaceAll(".", "-")}.ec2.internal`;

function nodeItem(i: number, created: string) {
  const zone = ZONES[i % ZONES.length] ?? ZONES[0];
  return {
    metadata: {
      name: nodeName(i),
      uid: `6d1c${hex(i, 4)}-0000-4000-8000-${hex(i, 12)}`,
      resourceVersion: String(1000 + i),
      creationTimestamp: created,
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "eks.amazonaws.com/capacityType": "ON_DEMAND",
        "eks.amazonaws.com/nodegroup": "general",
        "kubernetes.io/hostname": nodeName(i),
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "m6i.large",
        "topology.k8s.aws/zone-id": zone?.id,
        "topology.kubernetes.io/region": "us-east-1",
        "topology.kubernetes.io/zone": zone?.name,
      },
    },
    spec: { providerID: `aws:///${zone?.name}/i-0${hex(i, 16)}` },
    status: {
      addresses: [
        { type: "InternalIP", address: ipOf(0, i) },
        { type: "InternalDNS", address: nodeName(i) },
        { type: "Hostname", address: nodeName(i) },
      ],
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastTransitionTime: created }],
      nodeInfo: { kubeletVersion: "v1.31.4-eks-aeac579", containerRuntimeVersion: "containerd://1.7.25" },
    },
  };
}

function podItem(i: number, nodes: number, created: string) {
  const workload = `svc-${i % 50}`;
  const hash = `7d4b9c${hex(i % 50, 4)}`;
  const node = i % Math.max(nodes, 1);
  return {
    metadata: {
      name: `${workload}-${hash}-${hex(i, 5)}`,
      generateName: `${workload}-${hash}-`,
      namespace: `team-${i % 10}`,
      uid: `a1b2${hex(i, 4)}-0000-4000-8000-${hex(i, 12)}`,
      resourceVersion: String(50000 + i),
      creationTimestamp: created,
      labels: { app: workload, "pod-template-hash": hash },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${workload}-${hash}`,
          uid: `rs00${hex(i % 50, 4)}-0000-4000-8000-000000000000`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: nodeName(node),
      serviceAccountName: "default",
      containers: [
        {
          name: "app",
          image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/${workload}:1.4.2`,
          ports: [{ containerPort: 8080, protocol: "TCP" }],
          resources: { requests: { cpu: "100m", memory: "128Mi" } },
        },
      ],
    },
    status: {
      phase: "Running",
      hostIP: ipOf(0, node),
      hostIPs: [{ ip: ipOf(0, node) }],
      podIP: ipOf(64, i),
      podIPs: [{ ip: ipOf(64, i) }],
      qosClass: "Burstable",
      startTime: created,
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: created }],
    },
  };
}

function serviceItem(i: number, created: string) {
  return {
    metadata: {
      name: `svc-${i}`,
      namespace: `team-${i % 10}`,
      uid: `5e00${hex(i, 4)}-0000-4000-8000-${hex(i, 12)}`,
      resourceVersion: String(9000 + i),
      creationTimestamp: created,
    },
    spec: {
      type: "ClusterIP",
      clusterIP: `172.20.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      clusterIPs: [`172.20.${Math.floor(i / 250)}.${(i % 250) + 1}`],
      ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 8080 }],
      selector: { app: `svc-${i}` },
      internalTrafficPolicy: "Cluster",
      sessionAffinity: "None",
    },
    status: { loadBalancer: {} },
  };
}

function endpointSliceItem(i: number, pods: number, nodes: number, created: string) {
  const members: number[] = [];
  for (let p = i; p < pods; p += 50) members.push(p);
  return {
    metadata: {
      name: `svc-${i}-${hex(i, 5)}`,
      namespace: `team-${i % 10}`,
      uid: `e500${hex(i, 4)}-0000-4000-8000-${hex(i, 12)}`,
      resourceVersion: String(7000 + i),
      creationTimestamp: created,
      labels: {
        "kubernetes.io/service-name": `svc-${i}`,
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
      },
    },
    addressType: "IPv4",
    endpoints: members.slice(0, 100).map((p) => ({
      addresses: [ipOf(64, p)],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: nodeName(p % Math.max(nodes, 1)),
      zone: ZONES[(p % Math.max(nodes, 1)) % ZONES.length]?.name,
    })),
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
  };
}

function awsNode(externalSnat: boolean, created: string) {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: {
      name: "aws-node",
      namespace: "kube-system",
      uid: "da000000-0000-4000-8000-000000000001",
      creationTimestamp: created,
    },
    spec: {
      selector: { matchLabels: { "k8s-app": "aws-node" } },
      template: {
        metadata: { labels: { "k8s-app": "aws-node" } },
        spec: {
          hostNetwork: true,
          containers: [
            {
              name: "aws-node",
              image: "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1",
              env: [
                { name: "ADDITIONAL_ENI_TAGS", value: "{}" },
                { name: "AWS_VPC_K8S_CNI_EXTERNALSNAT", value: String(externalSnat) },
                { name: "WARM_ENI_TARGET", value: "1" },
                {
                  name: "MY_NODE_NAME",
                  valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } },
                },
              ],
            },
          ],
        },
      },
    },
    status: { currentNumberScheduled: 3, desiredNumberScheduled: 3, numberReady: 3 },
  };
}

const status = (code: number, reason: string, message: string) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  code,
});

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const pods = options.pods ?? 0;
  const nodes = options.nodes ?? 0;
  const services = options.services ?? 0;
  const created = options.createdAt ?? "2026-11-22T08:00:00Z";
  const expire = new Set(options.expireFirstContinue ?? []);
  const requests: FakeKubeApi["requests"] = [];
  const faults = [...(options.faults ?? [])];
  const faultsLeft = new Map<KubeFault, number>();
  const seen = new Map<string, number>();
  const hung: ServerResponse[] = [];
  const listRv = "123456";

  const lists: Record<
    string,
    { kind: string; apiVersion: string; count: number; item: (i: number) => unknown }
  > = {
    "/api/v1/pods": {
      kind: "PodList",
      apiVersion: "v1",
      count: pods,
      item: (i) => podItem(i, nodes, created),
    },
    "/api/v1/nodes": { kind: "NodeList", apiVersion: "v1", count: nodes, item: (i) => nodeItem(i, created) },
    "/api/v1/services": {
      kind: "ServiceList",
      apiVersion: "v1",
      count: services,
      item: (i) => serviceItem(i, created),
    },
    "/apis/discovery.k8s.io/v1/endpointslices": {
      kind: "EndpointSliceList",
      apiVersion: "discovery.k8s.io/v1",
      count: services,
      item: (i) => endpointSliceItem(i, pods, nodes, created),
    },
  };

  const send = (res: ServerResponse, code: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const query = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, query, authorization: req.headers.authorization });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      send(res, 401, status(401, "Unauthorized", "Unauthorized"));
      return;
    }
    if (url.pathname === "/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node") {
      if (options.externalSnat === undefined) {
        send(res, 404, status(404, "NotFound", 'daemonsets.apps "aws-node" not found'));
      } else send(res, 200, awsNode(options.externalSnat, created));
      return;
    }
    const list = lists[url.pathname];
    const fault = faults[0];
    if (list && fault && (fault.path ?? url.pathname) === url.pathname) {
      seen.set(url.pathname, (seen.get(url.pathname) ?? 0) + 1);
      if ((seen.get(url.pathname) ?? 0) >= (fault.page ?? 1)) {
        faultsLeft.set(fault, (faultsLeft.get(fault) ?? fault.times) - 1);
        if ((faultsLeft.get(fault) ?? 0) <= 0) faults.shift();
        if (fault.status === "hang") {
          hung.push(res);
          return;
        }
        const reason: Record<number, string> = {
          429: "TooManyRequests",
          500: "InternalError",
          502: "BadGateway",
          503: "ServiceUnavailable",
          504: "Timeout",
        };
        const message: Record<number, string> = {
          429: "Too many requests, please try again later.",
          500: "Internal error occurred: etcdserver: request timed out",
          502: "Bad Gateway",
          503: "Service Unavailable",
          504: "Gateway Timeout",
        };
        const text = JSON.stringify(
          status(fault.status, reason[fault.status] ?? "", message[fault.status] ?? ""),
        );
        res.writeHead(fault.status, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(text),
          ...(fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {}),
        });
        res.end(text);
        return;
      }
    }
    if (!list) {
      send(res, 404, status(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
    const limit = query.limit ? Number(query.limit) : list.count;
    let offset = 0;
    if (query.continue) {
      const name = url.pathname.split("/").pop() ?? "";
      if (expire.delete(name)) {
        send(res, 410, {
          ...status(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
          ),
          metadata: { continue: query.continue },
        });
        return;
      }
      const decoded = JSON.parse(Buffer.from(query.continue, "base64").toString("utf8")) as { start: number };
      offset = decoded.start;
    }
    const end = Math.min(offset + limit, list.count);
    const items: unknown[] = [];
    for (let i = offset; i < end; i++) items.push(list.item(i));
    const more = end < list.count;
    send(res, 200, {
      kind: list.kind,
      apiVersion: list.apiVersion,
      metadata: {
        resourceVersion: listRv,
        ...(more
          ? {
              continue: Buffer.from(
                JSON.stringify({ v: "meta.k8s.io/v1", rv: Number(listRv), start: end }),
              ).toString("base64"),
              remainingItemCount: list.count - end,
            }
          : {}),
      },
      items,
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
