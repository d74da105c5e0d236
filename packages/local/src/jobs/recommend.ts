import {
  type NatDestination,
  natDestinations,
  type PriceOverrides,
  pricesFor,
  type Recommendation,
  type RecommendationsDocument,
  type ResultRow,
  type ResultsStore,
  recommend,
  windowDays,
  writeRecommendations,
} from "@flowcost/core";
import type { DuckDbEngine } from "../engine/duckdb-engine.ts";
import { readRecommendationInventory } from "../lake/recommendation-inputs.ts";

export interface MeasuredDay {
  readonly dt: string;
  readonly rows: ReadonlyArray<ResultRow>;
  /** The measured time the day's flows cover (whole hours compacted), Unix seconds, `to` exclusive. */
  readonly from: number;
  readonly to: number;
}

export interface RecommendJobResult {
  /** Over the whole window (the analyze output). */
  readonly recommendations: Recommendation[];
  /** Per day, as written to results/recommendations/dt=<dt>/recommendations.json. */
  readonly documents: RecommendationsDocument[];
}

/**
 * The recommendations of a window and of each of its days: the catalogue rules over the days'
 * result rows, the lake's inventory (latest snapshot and AWS capture in the window), the NAT
 * gateways' outside addresses (nat_destinations) and AWS's ip-ranges.json. Each day's document
 * replaces the previous one.
 */
export async function recommendDays(
  engine: DuckDbEngine,
  lakeDir: string,
  days: ReadonlyArray<MeasuredDay>,
  region: string,
  store: ResultsStore,
  cluster?: string,
  priceOverrides: PriceOverrides = {},
): Promise<RecommendJobResult> {
  const prices = pricesFor(region, priceOverrides);
  const destinations = new Map<string, NatDestination[]>();
  for (const d of days)
    destinations.set(
      d.dt,
      (await engine.query(natDestinations, { dt: d.dt })).rows.map((r) => ({
        ip: r.outside_ip,
        awsService: r.aws_service,
        bytes: r.bytes,
      })),
    );
  const run = async (selected: ReadonlyArray<MeasuredDay>) => {
    const from = Math.min(...selected.map((d) => d.from));
    const to = Math.max(...selected.map((d) => d.to));
    const inventory = await readRecommendationInventory(lakeDir, { from, to, cluster });
    const merged = new Map<string, NatDestination>();
    for (const d of selected)
      for (const n of destinations.get(d.dt) ?? []) {
        const k = `${n.ip}|${n.awsService}`;
        merged.set(k, { ...n, bytes: (merged.get(k)?.bytes ?? 0) + n.bytes });
      }
    const input = {
      rows: selected.flatMap((d) => d.rows.filter((r) => r.category !== "unattributed")),
      days: selected.map(({ dt, from, to }) => ({ dt, from, to })),
      region,
      prices,
      cluster: inventory.cluster,
      kubernetes: inventory.kubernetes,
      zones: inventory.zones,
      aws: inventory.aws,
      ipRanges: inventory.ipRanges,
      natDestinations: [...merged.values()],
      appliedChanges: inventory.appliedChanges,
    };
    return { recommendations: recommend(input), windowDays: windowDays(input) };
  };
  if (days.length === 0) return { recommendations: [], documents: [] };
  const documents: RecommendationsDocument[] = [];
  for (const d of days) {
    const r = await run([d]);
    const doc = { dt: d.dt, windowDays: r.windowDays, recommendations: r.recommendations };
    await writeRecommendations(store, doc);
    documents.push(doc);
  }
  const recommendations =
    days.length === 1 ? (documents[0]?.recommendations ?? []) : (await run(days)).recommendations;
  return { recommendations, documents };
}
