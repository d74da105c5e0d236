import { workloadOf } from "../../inventory/kubernetes.ts";
import { crossAzSavings } from "../changes.ts";
import {
  baseRecommendation,
  check,
  minSavings,
  type RecommendationInput,
  recommendIfWorthIt,
  usdText,
} from "../context.ts";
import type { Recommendation } from "../types.ts";

const MANIFEST =
  "https://raw.githubusercontent.com/kubernetes/kubernetes/master/cluster/addons/dns/nodelocaldns/nodelocaldns.yaml";

/**
 * Catalogue item 7: NodeLocal DNSCache when DNS to CoreDNS crosses AZs materially. Each node then
 * answers its pods' queries from a local cache; the saving is an upper bound (every query answered
 * locally) and says so, because cache misses still go to CoreDNS.
 */
export function nodeLocalDnsCache(input: RecommendationInput): Recommendation | undefined {
  const dns = input.rows.filter((r) => r.subcategory === "dns" && r.category === "cross_az");
  if (dns.length === 0) return undefined;
  const kubeDns = input.kubernetes?.services.find(
    (s) => s.metadata.name === "kube-dns" && s.metadata.namespace === "kube-system",
  );
  const rec = baseRecommendation(
    input,
    "nodelocal_dnscache",
    {
      type: "Cluster",
      cluster: input.cluster,
      namespace: "kube-system",
      kind: "DaemonSet",
      name: "node-local-dns",
      resourceId: null,
    },
    dns,
  );
  const servers: Record<string, number> = {};
  for (const r of dns) {
    const z = r.dst_workload === "coredns" ? r.dst_az_id : r.src_workload === "coredns" ? r.src_az_id : null;
    if (z) servers[z] = (servers[z] ?? 0) + r.bytes;
  }
  const _p = input.prices;
  const { savings, net } = crossAzSavings(
    input,
    rec.evidence.bytes,
    "cross-AZ DNS bytes; an upper bound: cache misses still reach CoreDNS",
  );
  rec.savings = savings;
  const applied = (input.kubernetes?.pods ?? []).some((pod) => {
    const w = workloadOf(pod);
    return w.kind === "DaemonSet" && /node-?local-?dns/.test(w.name);
  });
  const clusterIp = kubeDns?.spec?.clusterIP;
  rec.preconditions = [
    check(
      "DNS crosses AZs materially",
      `at least ${usdText(minSavings(input))} a month`,
      `${usdText(net)} a month`,
      net >= minSavings(input),
    ),
    check(
      "kube-dns ClusterIP known",
      "the kube-dns Service in the snapshot",
      clusterIp ?? "not found",
      clusterIp !== undefined,
    ),
  ];
  rec.title = "Run NodeLocal DNSCache: pods' DNS answered on their node instead of CoreDNS in another AZ";
  rec.risk =
    "A DNS cache DaemonSet on every node: while it restarts on a node, that node's pods fall back to CoreDNS (kube-proxy iptables mode) or lose DNS briefly, so roll it out with care.";
  rec.implementationEffort = "Medium";
  rec.change = {
    format: "kubectl",
    text: `curl -sLO ${MANIFEST}\nsed -i -e "s/__PILLAR__LOCAL__DNS__/169.254.20.10/g" -e "s/__PILLAR__DNS__DOMAIN__/cluster.local/g" -e "s/__PILLAR__DNS__SERVER__/${clusterIp ?? "<kube-dns ClusterIP>"}/g" nodelocaldns.yaml\nkubectl apply -f nodelocaldns.yaml`,
    patch: null,
    alternatives: [],
  };
  rec.evidence.notes.push(
    `cross-AZ DNS bytes by CoreDNS zone: ${
      Object.entries(servers)
        .map(([z, b]) => `${z} ${b}`)
        .join(", ") || "-"
    }`,
  );
  if (applied) {
    rec.status = "applied";
    rec.reason = "applied: a node-local-dns DaemonSet runs";
  } else if (!clusterIp) rec.reason = "needs the kube-dns Service (kubectl snapshot with services)";
  else recommendIfWorthIt(rec, input, net);
  return rec;
}
