import type { ResultRow } from "../allocation/reconcile.ts";
import type { Node } from "../inventory/kubernetes.ts";
import { nodeRegion } from "../inventory/zones.ts";
import type { RegionPrices } from "../pricing/prices.ts";
import type { QueryEngine } from "../query/engine.ts";
import { natDestinations } from "../query/queries/recommendation.ts";
import type { ResultsStore } from "../results/store.ts";
import { type NatDestination, type RecommendationInput, windowDays } from "./context.ts";
import { writeRecommendations } from "./document.ts";
import {
  type InventoryReader,
  loadRecommendationInventory,
  type SkippedInventoryFile,
} from "./inventory-reader.ts";
import { recommend } from "./recommend.ts";
import type { Recommendation, RecommendationsDocument } from "./types.ts";
import { type WhatIfResult, whatIfs } from "./what-if.ts";

export interface MeasuredDay {
  readonly dt: string;
  readonly rows: ReadonlyArray<ResultRow>;
  /** The measured time the day's flows cover, Unix seconds, `to` exclusive: savings extrapolate from it. */
  readonly from: number;
  readonly to: number;
}

export interface RecommendDaysDeps {
  readonly engine: QueryEngine;
  readonly inventory: InventoryReader;
  readonly store: ResultsStore;
  /** The Region and its prices when the cluster's nodes do not name one (or the day has one place). */
  readonly region: string;
  readonly prices: RegionPrices;
  /**
   * Prices by Region: when the days hold several places (rows naming their Region), the rules see
   * the recommended cluster's Region only, at its prices.
   */
  readonly pricesFor?: (region: string) => RegionPrices;
  /** The cluster whose snapshots to read; default the one with the most snapshots in the window. */
  readonly cluster?: string;
  readonly regionalNatGatewayPerHour?: number;
}

export interface RecommendDaysResult {
  /** Over all the days together (the analyze output). */
  readonly recommendations: Recommendation[];
  /** One per day, as written to results/recommendations/dt=<dt>/recommendations.json. */
  readonly documents: RecommendationsDocument[];
  /** What-if over all the days: the cluster, each namespace and each Service under each change. */
  readonly whatIf: WhatIfResult[];
  /** Inventory files left out by name (unreadable), each once, in path order. */
  readonly skipped: SkippedInventoryFile[];
}

/**
 * The recommendation job on either engine: per day (written through the results store, replacing
 * the day's document) and over all the days, the catalogue rules over the days' result rows, the
 * inventory of the window, the NAT gateways' outside addresses (`nat_destinations`) and AWS's
 * ip-ranges.json.
 */
export async function recommendDays(
  deps: RecommendDaysDeps,
  days: ReadonlyArray<MeasuredDay>,
): Promise<RecommendDaysResult> {
  if (days.length === 0) return { recommendations: [], documents: [], whatIf: [], skipped: [] };
  const skipped = new Map<string, SkippedInventoryFile>();
  const destinations = new Map<string, NatDestination[]>();
  for (const d of days)
    destinations.set(
      d.dt,
      (await deps.engine.query(natDestinations, { dt: d.dt })).rows.map((r) => ({
        ip: r.outside_ip,
        awsService: r.aws_service,
        bytes: r.bytes,
      })),
    );
  const run = async (selected: ReadonlyArray<MeasuredDay>) => {
    const from = Math.min(...selected.map((d) => d.from));
    const to = Math.max(...selected.map((d) => d.to));
    const inventory = await loadRecommendationInventory(deps.inventory, { from, to, cluster: deps.cluster });
    for (const f of inventory.skipped) if (!skipped.has(f.path)) skipped.set(f.path, f);
    const merged = new Map<string, NatDestination>();
    for (const d of selected)
      for (const n of destinations.get(d.dt) ?? []) {
        const k = `${n.ip}|${n.awsService}`;
        merged.set(k, { ...n, bytes: (merged.get(k)?.bytes ?? 0) + n.bytes });
      }
    const place = clusterPlace(
      inventory.kubernetes?.nodes ?? [],
      selected.flatMap((d) => d.rows),
    );
    const region = place.region ?? deps.region;
    const input: RecommendationInput = {
      rows: place.rows.filter((r) => r.category !== "unattributed"),
      days: selected.map(({ dt, from, to }) => ({ dt, from, to })),
      region,
      prices: place.region !== undefined && deps.pricesFor ? deps.pricesFor(place.region) : deps.prices,
      cluster: inventory.cluster,
      kubernetes: inventory.kubernetes,
      zones: inventory.zones,
      aws: inventory.aws,
      ipRanges: inventory.ipRanges,
      natDestinations: [...merged.values()],
      appliedChanges: inventory.appliedChanges,
      options:
        deps.regionalNatGatewayPerHour === undefined
          ? undefined
          : { regionalNatGatewayPerHour: deps.regionalNatGatewayPerHour },
    };
    return { recommendations: recommend(input), windowDays: windowDays(input), input };
  };
  const documents: RecommendationsDocument[] = [];
  let window: Awaited<ReturnType<typeof run>> | undefined;
  for (const d of days) {
    const r = await run([d]);
    const doc = { dt: d.dt, windowDays: r.windowDays, recommendations: r.recommendations };
    await writeRecommendations(deps.store, doc);
    documents.push(doc);
    window = r;
  }
  // One day is its own window: the rules ran on exactly that input already (they are pure, and
  // the inventory files it skipped are noted), so its result is not computed a second time.
  // Several days are recommended over together.
  if (days.length > 1 || !window) window = await run(days);
  return {
    recommendations: [...window.recommendations],
    documents,
    whatIf: whatIfs(window.input),
    skipped: [...skipped.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}

/**
 * The recommended cluster's Region and the rows of it. A day of several places (an Organization's
 * lake) has rows naming their Region; the rules look at one cluster's inventory, so they see that
 * cluster's Region's rows only. `region` is undefined (and every row kept) when the rows name no
 * Region or the nodes do not agree on one.
 */
export function clusterPlace(
  nodes: ReadonlyArray<Node>,
  rows: ReadonlyArray<ResultRow>,
): { region: string | undefined; rows: ReadonlyArray<ResultRow> } {
  const regions = new Set(nodes.map(nodeRegion).filter((r): r is string => r !== undefined));
  const [region] = regions.size === 1 ? regions : [];
  if (region === undefined || !rows.some((r) => r.region != null)) return { region: undefined, rows };
  return { region, rows: rows.filter((r) => r.region == null || r.region === region) };
}
