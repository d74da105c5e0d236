import { DATASETS, type DayWindow } from "../partition/keys.ts";
import { BYTES_PER_GB, type RegionPrices } from "../pricing/prices.ts";
import type { QueryEngine } from "../query/engine.ts";
import { attributeFlows, type Pairing, stitchFlows, stitchSummary } from "../query/queries/attribution.ts";
import { type CurNetworkLine, curNetworkLines } from "../query/queries/cur.ts";
import { nodeInstances } from "../query/queries/identity.ts";
import { ALL_PLACES } from "../query/queries/params.ts";
import { type Reconciliation, type ResultRow, reconcileDay, resultRow } from "./reconcile.ts";

export { ALL_PLACES };

export interface AttributeDayDeps {
  readonly engine: QueryEngine;
  readonly prices: RegionPrices;
  /** Whether a CUR export exists for the day's billing period; without it dollars are estimates. */
  readonly hasCur: boolean;
  /** Replaces `results/daily/dt=<dt>/` with these rows (idempotent: a re-run overwrites). */
  readonly writeResults: (dt: string, rows: ReadonlyArray<ResultRow>) => Promise<number>;
}

/**
 * A day's attribution. The attributed rows themselves are not kept: reconciliation copies each
 * into its result row, and holding both (a second copy of every row of the day) through the
 * results write is what a caller would pay for rows nothing reads.
 */
export interface AttributeDayResult {
  readonly lines: CurNetworkLine[];
  readonly reconciliation: Reconciliation;
  readonly rowsWritten: number;
  /**
   * Bytes per pairing outcome and direction of the day's flows whose format lacks packet
   * addresses (empty when every format logs pkt-srcaddr/pkt-dstaddr).
   */
  readonly stitching: ReadonlyArray<{ pairing: Pairing; flowDirection: string; bytes: number; rows: number }>;
}

/** One account and Region of a lake that holds several (the flow logs' account and Region). */
export interface Place {
  readonly accountId: string;
  readonly region: string;
}

/** What one place's queries read: its account (`*`: any) and Region, and whether it claims unaccounted records. */
interface PlaceScope {
  readonly accountId: string;
  readonly region: string;
  readonly claimsUnaccounted: 0 | 1;
}

/** An account id as AWS writes it. `unknown` (on ENIs AWS services create) and '' are not. */
const isAccountId = (account: string) => /^\d{12}$/.test(account);

/**
 * The places a day is attributed as, from the accounts and Regions its flows carry. Records whose
 * account-id is not an account id (`unknown` on the ENIs AWS creates for NLBs and VPC endpoints,
 * none when the format lacks the field) belong to their Region's first account, so they are
 * neither dropped nor made a place of their own that no CUR line could match; a Region without any
 * account id is one place reconciled to every CUR line of the Region.
 */
export function attributionPlaces(
  places: ReadonlyArray<Place>,
): Array<{ readonly place: Place; readonly scope: PlaceScope }> {
  const regions = [...new Set(places.map((p) => p.region))].sort();
  return regions.flatMap((region) => {
    const accounts = [
      ...new Set(
        places.filter((p) => p.region === region && isAccountId(p.accountId)).map((p) => p.accountId),
      ),
    ].sort();
    if (accounts.length === 0)
      return [
        { place: { accountId: "", region }, scope: { accountId: ALL_PLACES, region, claimsUnaccounted: 0 } },
      ];
    return accounts.map((accountId, i) => ({
      place: { accountId, region },
      scope: { accountId, region, claimsUnaccounted: i === 0 ? (1 as const) : (0 as const) },
    }));
  });
}

/** The attribution of one place's flows, before the day's results are written. */
interface PlaceAttribution {
  readonly lines: CurNetworkLine[];
  readonly reconciliation: Reconciliation;
  readonly stitching: AttributeDayResult["stitching"];
}

/**
 * Stitches the day's flows without packet addresses (every place at once: records pair only
 * within their own account and Region); a day without any writes an empty partition.
 */
async function stitchDay(engine: QueryEngine, day: DayWindow): Promise<void> {
  await engine.materialize(
    stitchFlows,
    { dt: day.dt },
    { table: "stitched_flows", prefix: DATASETS.stitchedFlows, partitions: [{ dt: day.dt }] },
  );
}

/**
 * One place's flows (or every flow, scope `*`): attribution SQL at the place's Region's prices,
 * its billed network lines (only its account's, in its Region) and reconciliation, which throws
 * when the place's day does not add up.
 */
async function attributePlace(
  engine: QueryEngine,
  day: DayWindow,
  scope: PlaceScope,
  prices: RegionPrices,
  hasCur: boolean,
  instanceOf: (node: string) => string | undefined,
): Promise<PlaceAttribution> {
  const stitching = (await engine.query(stitchSummary, { dt: day.dt, ...scope })).rows.map((r) => ({
    pairing: r.pairing,
    flowDirection: r.flow_direction,
    bytes: r.bytes,
    rows: r.rows,
  }));
  const attributed = (
    await engine.query(attributeFlows, {
      dt: day.dt,
      ...scope,
      bytesPerGb: BYTES_PER_GB,
      interAzPerGb: prices.interAzPerGbEachDirection,
      natPerGb: prices.natGatewayPerGb,
      vpcEndpointPerGb: prices.interfaceEndpointPerGb,
      internetPerGb: prices.internetEgressPerGb,
    })
  ).rows;
  const lines = hasCur
    ? (await engine.query(curNetworkLines, { billingPeriod: day.dt.slice(0, 7), dt: day.dt, ...scope })).rows
    : [];
  const reconciliation = reconcileDay(day.dt, attributed, lines, instanceOf);
  return { lines, reconciliation, stitching };
}

/** Pods' cross-AZ bytes bill to their node's instance (InterZone lines are per instance). */
async function nodeInstanceMap(
  engine: QueryEngine,
  day: DayWindow,
): Promise<(node: string) => string | undefined> {
  const instances = new Map(
    (await engine.query(nodeInstances, { dt: day.dt })).rows.map((r) => [r.node, r.instance_id]),
  );
  return (node) => instances.get(node);
}

/**
 * The attribute job for one UTC day on either engine: attribution SQL, the day's billed network
 * lines and node instances, reconciliation (which throws when the day does not add up), then
 * one partition write. Every flow of the day is priced at `deps.prices` (one account and Region).
 */
export async function attributeAndReconcileDay(
  deps: AttributeDayDeps,
  day: DayWindow,
): Promise<AttributeDayResult> {
  await stitchDay(deps.engine, day);
  const instanceOf = await nodeInstanceMap(deps.engine, day);
  const part = await attributePlace(
    deps.engine,
    day,
    { accountId: ALL_PLACES, region: ALL_PLACES, claimsUnaccounted: 0 },
    deps.prices,
    deps.hasCur,
    instanceOf,
  );
  const rowsWritten = await deps.writeResults(day.dt, [
    ...part.reconciliation.rows,
    ...part.reconciliation.unattributed,
  ]);
  return { ...part, rowsWritten };
}

export interface AttributeDayByPlaceDeps extends Omit<AttributeDayDeps, "prices"> {
  /** A Region's list prices (the built-in table with the configured overrides). */
  readonly pricesOf: (region: string) => RegionPrices;
}

/**
 * The attribute job for one UTC day of a lake holding several accounts or Regions (an
 * Organization's central flow-log bucket, a payer's CUR), on either engine: each place
 * ({@link attributionPlaces}) is attributed on its own flows, priced at its Region's prices and reconciled to its own
 * account's CUR lines in its Region; the rows, tagged with `account_id` and `region`, are
 * written once for the day. Each place's day adds up by itself, so the sums do too.
 */
export async function attributeAndReconcileDayByPlace(
  deps: AttributeDayByPlaceDeps,
  day: DayWindow,
  places: ReadonlyArray<Place>,
): Promise<AttributeDayResult> {
  await stitchDay(deps.engine, day);
  const instanceOf = await nodeInstanceMap(deps.engine, day);
  const parts: Array<{ place: Place; part: PlaceAttribution }> = [];
  for (const { place, scope } of attributionPlaces(places)) {
    const part = await attributePlace(
      deps.engine,
      day,
      scope,
      deps.pricesOf(place.region),
      deps.hasCur,
      instanceOf,
    );
    parts.push({ place, part });
  }
  const tag = (place: Place) => (r: ResultRow) =>
    resultRow(r, r.billed_cost_usd, r.cost_basis, {
      account_id: place.accountId === "" ? null : place.accountId,
      region: place.region,
    });
  const rows = parts.flatMap(({ place, part }) => part.reconciliation.rows.map(tag(place)));
  const unattributed = parts.flatMap(({ place, part }) => part.reconciliation.unattributed.map(tag(place)));
  const sum = (pick: (r: Reconciliation) => number) =>
    parts.reduce((s, p) => s + pick(p.part.reconciliation), 0);
  const reconciliation: Reconciliation = {
    dt: day.dt,
    costBasis: parts.some((p) => p.part.reconciliation.costBasis === "billed") ? "billed" : "estimated",
    rows,
    unattributed,
    billedCents: sum((r) => r.billedCents),
    allocatedCents: sum((r) => r.allocatedCents),
    unattributedCents: sum((r) => r.unattributedCents),
    // Aligned with `rows`, part by part, as the charge view reads it. Resource ids (instances, NAT
    // gateways, load balancers) are unique across accounts, so the places' lines never merge.
    rowLines: parts.flatMap((p) => p.part.reconciliation.rowLines),
    lines: parts.flatMap((p) => p.part.reconciliation.lines),
  };
  const rowsWritten = await deps.writeResults(day.dt, [...rows, ...unattributed]);
  return {
    lines: parts.flatMap((p) => p.part.lines),
    stitching: parts.flatMap((p) => p.part.stitching),
    reconciliation,
    rowsWritten,
  };
}

/**
 * The attribute job for one UTC day, whatever the day holds: several accounts or Regions are
 * attributed one place at a time ({@link attributeAndReconcileDayByPlace}); one place is
 * attributed whole at its Region's prices, as is a day without flows at `fallbackRegion`'s
 * (its CUR lines are then all unattributed).
 */
export function attributeDayOfPlaces(
  deps: AttributeDayByPlaceDeps,
  day: DayWindow,
  places: ReadonlyArray<Place>,
  fallbackRegion: string,
): Promise<AttributeDayResult> {
  const attributed = attributionPlaces(places);
  if (attributed.length > 1) return attributeAndReconcileDayByPlace(deps, day, places);
  const { pricesOf, ...rest } = deps;
  return attributeAndReconcileDay(
    { ...rest, prices: pricesOf(attributed[0]?.place.region ?? fallbackRegion) },
    day,
  );
}
