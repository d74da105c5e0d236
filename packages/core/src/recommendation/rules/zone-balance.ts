import type { ServiceTraffic } from "../services.ts";

/** How far the busiest client zone's per-endpoint load may exceed the average (20%, as Topology Aware Routing's overload threshold). */
export const BALANCE_TOLERANCE = 1.2;

export interface ZoneBalance {
  readonly clientZones: string[];
  readonly missing: string[];
  /** Max over client zones of (client share) / (endpoint share among client zones). */
  readonly worstRatio: number;
  readonly balanced: boolean;
}

/**
 * Whether a Service's ready endpoints sit in every zone its clients call from, in numbers that
 * match the clients' traffic: with same-zone routing each zone's endpoints take that zone's load.
 */
export function zoneBalance(t: ServiceTraffic): ZoneBalance {
  const clientZones = Object.keys(t.clientZones)
    .filter((z) => (t.clientZones[z] ?? 0) > 0)
    .sort();
  const missing = clientZones.filter((z) => !(t.model.endpointsPerZone[z] ?? 0));
  const clientTotal = clientZones.reduce((s, z) => s + (t.clientZones[z] ?? 0), 0);
  const endpointTotal = clientZones.reduce((s, z) => s + (t.model.endpointsPerZone[z] ?? 0), 0);
  let worstRatio = 0;
  for (const z of clientZones) {
    const e = (t.model.endpointsPerZone[z] ?? 0) / (endpointTotal || 1);
    const c = (t.clientZones[z] ?? 0) / (clientTotal || 1);
    worstRatio = Math.max(worstRatio, e === 0 ? Number.POSITIVE_INFINITY : c / e);
  }
  return {
    clientZones,
    missing,
    worstRatio,
    balanced: missing.length === 0 && worstRatio <= BALANCE_TOLERANCE,
  };
}

export const zonesText = (counts: Record<string, number>): string =>
  Object.keys(counts).length
    ? Object.keys(counts)
        .sort()
        .map((z) => `${z}: ${counts[z]}`)
        .join(", ")
    : "none";
