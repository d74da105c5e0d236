/**
 * The values a VPC flow-log record can hold; an `OK` record outside them is rejected as
 * `number_range` and never counted as traffic (a record of -1 TB would otherwise subtract from
 * the bill, and one of 2^63-1 bytes would overflow every sum it joins).
 *
 * The queries that decide what is traffic (compact_flows, compact_flows_directed, flow_ledger)
 * spell these bounds out in SQL, since SQL lives only in `queries/`; a test checks that each
 * file's predicate uses exactly these numbers.
 *
 * Bytes and packets: the fastest interface AWS sells (3,200 Gbps, EFA on p5 instances) over the
 * longest aggregation interval (600 s) plus the minute by which `end` may be late carries
 * 3.2e12 / 8 * 660 = 2.64e14 bytes; 1e15 leaves headroom, and 9,223 such records still sum inside
 * a signed 64-bit integer (BIGINT), so an hour's group cannot overflow silently (DuckDB and
 * Trino both fail loudly on a BIGINT overflow). Packets carry at least one byte each.
 * Ports are 16-bit, protocols 8-bit (IANA). Times are Unix seconds from 1970 to the end of
 * year 9999, the range a SQL timestamp holds.
 */
export const FLOW_NUMBER_LIMITS = {
  bytes: { min: 0, max: 1_000_000_000_000_000 },
  packets: { min: 0, max: 1_000_000_000_000_000 },
  srcport: { min: 0, max: 65_535 },
  dstport: { min: 0, max: 65_535 },
  protocol: { min: 0, max: 255 },
  start: { min: 0, max: 253_402_300_799 },
  end: { min: 0, max: 253_402_300_799 },
} as const;

export type LimitedFlowField = keyof typeof FLOW_NUMBER_LIMITS;

/** Whether one record's numbers are possible (absent values are not checked here). */
export function withinFlowNumberLimits(
  record: Partial<Record<LimitedFlowField, number | bigint | null>>,
): boolean {
  return (Object.keys(FLOW_NUMBER_LIMITS) as LimitedFlowField[]).every((field) => {
    const value = record[field];
    if (value === undefined || value === null) return true;
    const { min, max } = FLOW_NUMBER_LIMITS[field];
    return value >= min && value <= max;
  });
}
