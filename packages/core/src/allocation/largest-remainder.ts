/**
 * Splits an integer total (cents) in proportion to weights so that the parts add up to the total
 * exactly: each part gets the floor of its exact share, and the units left over go one each to
 * the largest fractional remainders (ties to the earlier weight, so results are deterministic).
 * Zero or negative weights get nothing; if no weight is positive, nothing is allocated.
 *
 * @example allocateUnits(100, [1, 1, 1]) // [34, 33, 33]
 */
export function allocateUnits(total: number, weights: ReadonlyArray<number>): number[] {
  if (!Number.isInteger(total)) throw new RangeError(`allocateUnits: total must be an integer, got ${total}`);
  const positive = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  const sum = positive.reduce((s, w) => s + w, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = positive.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((s, p) => s + p, 0);
  const order = exact
    .map((e, i) => ({ i, remainder: e - Math.floor(e) }))
    .filter(({ i }) => (positive[i] ?? 0) > 0)
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) {
    const target = order[k];
    if (target) parts[target.i] = (parts[target.i] ?? 0) + 1;
  }
  return parts;
}

/**
 * Dollar amounts to whole cents whose sum is the rounded sum of the amounts (largest remainder),
 * so a day's lines in cents add up to the day's total in cents.
 */
export function toCentsPreservingTotal(amounts: ReadonlyArray<number>): number[] {
  const micro = amounts.map((a) => Math.round(a * 1e6));
  const totalCents = Math.round(micro.reduce((s, m) => s + m, 0) / 1e4);
  const floors = micro.map((m) => Math.floor(m / 1e4));
  let left = totalCents - floors.reduce((s, f) => s + f, 0);
  const order = micro
    .map((m, i) => ({ i, remainder: m - Math.floor(m / 1e4) * 1e4 }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  const cents = [...floors];
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) {
    const target = order[k];
    if (target) cents[target.i] = (cents[target.i] ?? 0) + 1;
  }
  return cents;
}
