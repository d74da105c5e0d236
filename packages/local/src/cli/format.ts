/** Plain-text tables for the terminal: right-aligned numbers, no dependencies. */
export function table(
  headers: string[],
  rows: Array<Array<string | number>>,
  numeric: boolean[] = [],
): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join("  ")
      .trimEnd();
  return [
    line(cells[0] ?? []),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.slice(1).map(line),
  ].join("\n");
}

export const usd = (n: number) => `$${n.toFixed(2)}`;
export const gb = (bytes: number) => (bytes / 1024 ** 3).toFixed(3);
