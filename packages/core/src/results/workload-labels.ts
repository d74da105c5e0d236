import { type KubernetesInventory, workloadOf } from "../inventory/kubernetes.ts";
import type { DaySummary } from "./day-summary.ts";

/** Labels Kubernetes sets per pod or per revision: they name no owner, so results never group by them. */
const PER_POD = new Set([
  "pod-template-hash",
  "controller-revision-hash",
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
  "batch.kubernetes.io/job-name",
  "batch.kubernetes.io/controller-uid",
  "job-name",
  "controller-uid",
]);

/**
 * Each workload's pod labels over a day's snapshots (the latest snapshot's pod wins), without the
 * per-pod labels, so results can be grouped by `label:<key>` (e.g. `team`): how chargeback is
 * usually keyed.
 */
export function workloadLabels(
  clusters: ReadonlyArray<{
    cluster: string;
    snapshots: ReadonlyArray<{ capturedAt: number; inventory: KubernetesInventory }>;
  }>,
): NonNullable<DaySummary["workloads"]> {
  const out = new Map<string, NonNullable<DaySummary["workloads"]>[number]>();
  for (const { cluster, snapshots } of clusters) {
    for (const snapshot of [...snapshots].sort((a, b) => a.capturedAt - b.capturedAt)) {
      for (const pod of snapshot.inventory.pods) {
        const namespace = pod.metadata.namespace;
        if (!namespace) continue;
        const w = workloadOf(pod);
        const labels = Object.fromEntries(
          Object.entries(pod.metadata.labels ?? {})
            .filter(([k]) => !PER_POD.has(k))
            .sort(([a], [b]) => (a < b ? -1 : 1)),
        );
        out.set(`${cluster}/${namespace}/${w.name}`, {
          cluster,
          namespace,
          workloadKind: w.kind,
          workload: w.name,
          labels,
        });
      }
    }
  }
  return [...out.values()].sort((a, b) =>
    `${a.cluster}/${a.namespace}/${a.workload}` < `${b.cluster}/${b.namespace}/${b.workload}` ? -1 : 1,
  );
}
