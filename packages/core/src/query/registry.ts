import type { QueryDefinition } from "./catalog.ts";
import { attributeFlows, stitchFlows, stitchSummary } from "./queries/attribution.ts";
import { curNetworkLines } from "./queries/cur.ts";
import { compactFlows, compactFlowsDirected, dayPlaces, flowDataGaps, flowLedger } from "./queries/flows.ts";
import { ipIdentityFromStaging, nodeInstances } from "./queries/identity.ts";
import { natDestinations } from "./queries/recommendation.ts";

/**
 * Every query in `queries/`, registered once. A test fails when a SQL file has no entry here
 * or an entry has no file. Append new queries; keep one per line.
 */
export const QUERIES: ReadonlyArray<QueryDefinition> = [
  compactFlows,
  flowLedger,
  flowDataGaps,
  attributeFlows,
  curNetworkLines,
  ipIdentityFromStaging,
  nodeInstances,
  compactFlowsDirected,
  stitchFlows,
  stitchSummary,
  natDestinations,
  dayPlaces,
];
