/** What the terminal report fits: a 100-column terminal. */
export const REPORT_WIDTH = 100;

/** Cuts a cell to `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(width - 1, 0))}…`;
}

/**
 * Plain-text tables for the terminal: right-aligned numbers, no dependencies. When the table is
 * wider than `maxWidth`, the widest text columns shrink (never below 8 characters) and their
 * cells end in an ellipsis; numbers are never cut.
 */
export function table(
  headers: string[],
  rows: Array<Array<string | number>>,
  numeric: boolean[] = [],
  maxWidth = REPORT_WIDTH,
): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const total = () => widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1);
  while (total() > maxWidth) {
    let widest = -1;
    widths.forEach((w, c) => {
      if (!numeric[c] && w > 8 && (widest < 0 || w > (widths[widest] ?? 0))) widest = c;
    });
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const line = (r: string[]) =>
    r
      .map((cell, c) => {
        const w = widths[c] ?? 0;
        const text = truncate(cell, w);
        return numeric[c] ? text.padStart(w) : text.padEnd(w);
      })
      .join("  ")
      .trimEnd();
  return [
    line(cells[0] ?? []),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.slice(1).map(line),
  ].join("\n");
}

/**
 * Wraps lines longer than `width` at spaces; continuation lines are indented two more than the
 * line's own indent. A single word longer than the width is left whole (a path stays copyable).
 */
export function wrap(text: string, width = REPORT_WIDTH): string {
  return text
    .split("\n")
    .flatMap((line) => {
      if (line.length <= width) return [line];
      const lead = /^ */.exec(line)?.[0] ?? "";
      const indent = `${lead}  `;
      const out: string[] = [];
      let current = lead;
      for (const word of line.slice(lead.length).split(" ")) {
        const next = current.trim() === "" ? `${current}${word}` : `${current} ${word}`;
        if (next.length > width && current.trim() !== "") {
          out.push(current);
          current = `${indent}${word}`;
        } else current = next;
      }
      out.push(current);
      return out;
    })
    .join("\n");
}

export const usd = (n: number) => `$${n.toFixed(2)}`;
export const gb = (bytes: number) => (bytes / 1024 ** 3).toFixed(3);
