import type { PipelineProgress } from "../pipeline.ts";

/** The part of a stream progress output needs; `process.stderr` fits, and so does a test double. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const BAR_WIDTH = 24;
const STEP_NAMES: Record<PipelineProgress["step"] | "discovering", string> = {
  discovering: "discovering",
  reading: "reading",
  compacting: "compacting",
  identity: "identity",
  attributing: "attributing",
};

/**
 * Progress for the long steps, hand-written because it is small: on a terminal one line redrawn
 * in place (`\r`, then erase to end of line) with a bar per step; elsewhere (CI logs, pipes, a
 * file) one plain line per unit of work, so logs stay readable and nothing prints escape codes.
 */
export class Progress {
  private openLine = false;
  constructor(private readonly stream: ProgressStream) {}

  /** A step that has started, with no unit count (a plain message in both modes). */
  note(message: string): void {
    this.finishLine();
    this.stream.write(`· ${message}\n`);
  }

  update(p: { step: keyof typeof STEP_NAMES; done: number; total: number; label: string }): void {
    const name = STEP_NAMES[p.step].padEnd(11);
    const count = `${p.done}/${p.total}`;
    if (!this.stream.isTTY) {
      this.stream.write(`· ${name} ${count} ${p.label}\n`);
      return;
    }
    const fraction = p.total === 0 ? 1 : Math.min(1, p.done / p.total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`;
    const line = `${name} ${bar} ${count} ${p.label}`;
    // A pseudo-terminal without a size reports 0 columns.
    const width = this.stream.columns || 80;
    this.stream.write(`\r${line.slice(0, Math.max(width - 1, 20))}\x1b[K`);
    this.openLine = true;
    if (p.done >= p.total) this.finishLine();
  }

  /** Ends a redrawn line so the next output starts on its own line. */
  finishLine(): void {
    if (!this.openLine) return;
    this.stream.write("\n");
    this.openLine = false;
  }
}
