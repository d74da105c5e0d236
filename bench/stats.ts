/** The middle value (the mean of the two middle values for an even count). */
export function median(values: ReadonlyArray<number>): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * How much a cost multiplies when the input doubles, fitted between two sizes:
 * (cost2 / cost1) ^ (1 / log2(size2 / size1)). 2.0 is linear, 1.0 is flat, 4.0 quadratic.
 */
export function growthPerDoubling(size1: number, cost1: number, size2: number, cost2: number): number {
  if (size1 <= 0 || size2 <= size1 || cost1 <= 0 || cost2 <= 0) return Number.NaN;
  return (cost2 / cost1) ** (1 / Math.log2(size2 / size1));
}

export function formatTable(
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `-${"-".repeat(w)}-` : `-${"-".repeat(w)}:`)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

export const mib = (kib: number) => `${Math.round(kib / 1024)}`;
export const millions = (n: number) => (n / 1e6).toFixed(2);

/** Rows per second, in millions above 100k/s, else in thousands. */
export const rate = (perSecond: number) =>
  perSecond >= 1e5 ? `${(perSecond / 1e6).toFixed(2)}M` : `${(perSecond / 1e3).toFixed(1)}k`;
