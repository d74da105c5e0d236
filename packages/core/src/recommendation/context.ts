import type { ResultRow } from "../allocation/reconcile.ts";
import type {
  AttributesByArn,
  RouteTable,
  Subnet,
  TargetGroup,
  VpcEndpoint,
} from "../inventory/aws-network.ts";
import type { LoadBalancer, NatGateway, NetworkInterface } from "../inventory/eni.ts";
import type { IpRanges } from "../inventory/ip-ranges.ts";
import type { KubernetesInventory, Service } from "../inventory/kubernetes.ts";
import { nodeZoneId, type ZoneIdByName } from "../inventory/zones.ts";
import { BYTES_PER_GB, type RegionPrices } from "../pricing/prices.ts";
import type {
  EvidenceFlow,
  Precondition,
  Recommendation,
  RecommendationKind,
  RecommendationTarget,
} from "./types.ts";

/** The AWS describe outputs of the latest capture in the window; each is undefined when not captured. */
export interface AwsRecommendationInventory {
  readonly networkInterfaces?: ReadonlyArray<NetworkInterface>;
  readonly natGateways?: ReadonlyArray<NatGateway>;
  readonly loadBalancers?: ReadonlyArray<LoadBalancer>;
  readonly loadBalancerTags?: ReadonlyMap<string, Record<string, string>>;
  readonly targetGroups?: ReadonlyArray<TargetGroup>;
  readonly loadBalancerAttributes?: AttributesByArn;
  readonly targetGroupAttributes?: AttributesByArn;
  readonly vpcEndpoints?: ReadonlyArray<VpcEndpoint>;
  readonly routeTables?: ReadonlyArray<RouteTable>;
  readonly subnets?: ReadonlyArray<Subnet>;
}

/** A routing setting that a later snapshot shows and an earlier one did not (before/after). */
export interface AppliedChange {
  readonly namespace: string;
  readonly name: string;
  readonly setting: "topology" | "internalTrafficPolicy";
  /** Unix seconds of the first snapshot showing it. */
  readonly appliedAt: number;
  readonly observed: string;
}

/** Bytes processed by a NAT gateway per outside address (the outside leg at the NAT ENI). */
export interface NatDestination {
  readonly ip: string;
  readonly awsService: string | null;
  readonly bytes: number;
}

export interface RecommendationInput {
  /** The window's result rows (all days), as reconciliation returns them. */
  readonly rows: ReadonlyArray<ResultRow>;
  /** The measured time each day covers (Unix seconds, `to` exclusive): savings extrapolate from it. */
  readonly days: ReadonlyArray<{ readonly dt: string; readonly from: number; readonly to: number }>;
  readonly region: string;
  readonly prices: RegionPrices;
  readonly cluster: string | null;
  /** The latest Kubernetes snapshot of the window; undefined when none was captured. */
  readonly kubernetes?: KubernetesInventory;
  readonly zones: ZoneIdByName;
  readonly aws: AwsRecommendationInventory;
  readonly ipRanges?: IpRanges;
  readonly natDestinations?: ReadonlyArray<NatDestination>;
  readonly appliedChanges?: ReadonlyArray<AppliedChange>;
  readonly options?: {
    /** Recommend only changes saving at least this much a month (default $1). */
    readonly minMonthlySavingsUsd?: number;
    /** The regional NAT gateway's price per hour, when known (aws-facts.md §6: not confirmed yet). */
    readonly regionalNatGatewayPerHour?: number;
  };
}

export const MONTH_DAYS = 30;
export const HOURS_PER_MONTH = MONTH_DAYS * 24;
export const DEFAULT_MIN_MONTHLY_SAVINGS_USD = 1;

export function windowDays(input: RecommendationInput): number {
  return input.days.reduce((s, d) => s + Math.max(0, d.to - d.from), 0) / 86400;
}

/** Dollars to the cent, half away from zero (the savings figures people compare). */
export const cents = (usd: number): number => Math.round(usd * 100 + (usd >= 0 ? 1e-9 : -1e-9)) / 100;

export const gbOf = (bytes: number): number => bytes / BYTES_PER_GB;

/** Monthly list cost of bytes measured over the window at a per-GB price. */
export function monthly(bytes: number, perGb: number, days: number): number {
  return days > 0 ? (gbOf(bytes) * perGb * MONTH_DAYS) / days : 0;
}

export interface WorkloadRef {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
}
export const workloadKey = (w: {
  namespace: string | null;
  kind: string | null;
  name: string | null;
}): string => `${w.namespace ?? ""}/${w.kind ?? ""}/${w.name ?? ""}`;

export function evidenceEndLabel(row: ResultRow, side: "src" | "dst"): string {
  const kind = row[`${side}_kind`];
  const ns = row[`${side}_namespace`];
  const workload = row[`${side}_workload`];
  if (kind === "pod") return `${ns ?? "-"}/${workload ?? "?"}`;
  const id = workload ?? row[`${side}_resource`] ?? row[`${side}_ip`];
  return id ? `${kind}:${id}` : kind;
}

export function flowOf(row: ResultRow): EvidenceFlow {
  return {
    category: row.category,
    subcategory: row.subcategory,
    source: evidenceEndLabel(row, "src"),
    destination: evidenceEndLabel(row, "dst"),
    sourceAzId: row.src_az_id,
    destinationAzId: row.dst_az_id,
    bytes: row.bytes,
    listCostUsd: row.list_cost_usd,
    billedCostUsd: row.billed_cost_usd,
  };
}

/** The largest flows behind a recommendation, rows of the same ends and category summed across days. */
export function topFlows(rows: ReadonlyArray<ResultRow>, limit = 5): EvidenceFlow[] {
  const merged = new Map<string, EvidenceFlow>();
  for (const r of rows) {
    const f = flowOf(r);
    const key = [f.category, f.subcategory, f.source, f.destination, f.sourceAzId, f.destinationAzId].join(
      "|",
    );
    const m = merged.get(key);
    if (!m) merged.set(key, f);
    else
      merged.set(key, {
        ...m,
        bytes: m.bytes + f.bytes,
        listCostUsd: m.listCostUsd + f.listCostUsd,
        billedCostUsd:
          m.billedCostUsd === null || f.billedCostUsd === null ? null : m.billedCostUsd + f.billedCostUsd,
      });
  }
  return [...merged.values()]
    .sort((a, b) => b.bytes - a.bytes || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0))
    .slice(0, limit);
}

export function totals(rows: ReadonlyArray<ResultRow>) {
  const billed = rows.every((r) => r.billed_cost_usd !== null);
  const mix = { exact: 0, node: 0, ambiguous: 0 };
  for (const r of rows) {
    const c = r.confidence === "node" || r.confidence === "ambiguous" ? r.confidence : "exact";
    mix[c] += r.bytes;
  }
  return {
    bytes: rows.reduce((s, r) => s + r.bytes, 0),
    listCostUsd: rows.reduce((s, r) => s + r.list_cost_usd, 0),
    billedCostUsd: rows.length && billed ? rows.reduce((s, r) => s + (r.billed_cost_usd ?? 0), 0) : null,
    mix,
  };
}

/**
 * A recommendation's confidence follows the attribution's: the level holding most of the bytes
 * behind it (ties go to the weaker level), with the whole mix alongside.
 */
export function confidenceOf(mix: {
  exact: number;
  node: number;
  ambiguous: number;
}): Recommendation["confidence"] {
  if (mix.ambiguous >= mix.exact && mix.ambiguous >= mix.node && mix.ambiguous > 0) return "ambiguous";
  if (mix.node >= mix.exact && mix.node > 0) return "node";
  return "exact";
}

export function check(name: string, required: string, observed: string, met: boolean): Precondition {
  return { name, required, observed, met };
}

/** The fields every rule fills the same way; rules override what they know. */
export function baseRecommendation(
  input: RecommendationInput,
  kind: RecommendationKind,
  target: RecommendationTarget,
  rows: ReadonlyArray<ResultRow>,
): Recommendation {
  const t = totals(rows);
  // Stable across runs: the kind, the cluster and the target's AWS id or namespace/name.
  const key =
    target.resourceId && target.type !== "Vpc"
      ? target.resourceId
      : target.namespace
        ? `${target.namespace}/${target.name}`
        : target.name;
  const id = `${kind}/${target.cluster ?? "-"}/${key}`;
  return {
    id,
    kind,
    status: "declined",
    title: "",
    target,
    reason: null,
    evidence: {
      bytes: t.bytes,
      listCostUsd: t.listCostUsd,
      billedCostUsd: t.billedCostUsd,
      windowDays: windowDays(input),
      topFlows: topFlows(rows),
      endpointsPerZone: null,
      clientZones: null,
      notes: [],
    },
    preconditions: [],
    risk: "",
    estimatedMonthlySavingsUsd: 0,
    savings: null,
    implementationEffort: "Low",
    restartNeeded: false,
    rollbackPossible: true,
    change: { format: "none", text: "", patch: null, alternatives: [] },
    confidence: confidenceOf(t.mix),
    confidenceMix: t.mix,
    beforeAfter: null,
  };
}

export const minSavings = (input: RecommendationInput): number =>
  input.options?.minMonthlySavingsUsd ?? DEFAULT_MIN_MONTHLY_SAVINGS_USD;

/** AZ ID of every node in the snapshot, by node name. */
export function nodeZones(input: RecommendationInput): Map<string, string> {
  const map = new Map<string, string>();
  for (const n of input.kubernetes?.nodes ?? []) {
    const id = nodeZoneId(n, input.zones);
    if (id) map.set(n.metadata.name, id);
  }
  return map;
}

/** Kubernetes minor version from the nodes' kubelets (the oldest), when the snapshot says. */
export function kubernetesMinor(input: RecommendationInput): number | undefined {
  const minors = (input.kubernetes?.nodes ?? [])
    .map((n) => /^v?1\.(\d+)/.exec(n.status?.nodeInfo?.kubeletVersion ?? "")?.[1])
    .filter((m): m is string => m !== undefined)
    .map(Number);
  return minors.length ? Math.min(...minors) : undefined;
}

export function serviceRef(s: Service): string {
  return `${s.metadata.namespace ?? "default"}/${s.metadata.name}`;
}

export const usdText = (n: number): string => `$${cents(n).toFixed(2)}`;

/** The last step of every rule whose checks passed: recommend when the saving clears the threshold. */
export function recommendIfWorthIt(rec: Recommendation, input: RecommendationInput, net: number): void {
  if (net < minSavings(input)) {
    rec.reason = `saves ${usdText(net)} a month, below the ${usdText(minSavings(input))} threshold`;
    return;
  }
  rec.status = "recommended";
  rec.estimatedMonthlySavingsUsd = net;
}
