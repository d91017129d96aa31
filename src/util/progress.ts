/**
 * How long-running work (reading a capture, writing a trace, loading a
 * database) reports how far it got, without knowing whether anyone shows it:
 * the CLI passes a terminal progress bar (cli/progress.ts), everything else
 * the no-op.
 */
export interface Progress {
  /** Starts a phase counting `unit`s, out of `total` when it is known. */
  phase(label: string, unit: string, total?: number): void;
  /** Units done so far in the current phase. */
  update(done: number): void;
  /** Ends the display (the caller's own output follows). */
  stop(): void;
}

export const NO_PROGRESS: Progress = {
  phase: () => undefined,
  update: () => undefined,
  stop: () => undefined,
};
