/**
 * A progress bar on stderr for work that takes more than a second: nothing
 * at all when stderr is not a terminal (pipes, logs, tests), nothing for
 * work that finishes within the delay, then one bar per phase with the rate
 * in units per second (and a percentage and ETA when the total is known).
 * The bar is cleared when it stops, so the command's own summary line stands
 * alone.
 */
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import { NO_PROGRESS, type Progress } from '../util/progress.js';
import { thousands } from '../util/thousands.js';

/** cli-progress, loaded only when a bar can be shown (on a terminal): piped and scripted runs never pay for it. */
function loadCliProgress(): typeof cliProgress {
  return createRequire(import.meta.url)('cli-progress') as typeof cliProgress;
}

export interface TerminalProgressOptions {
  /** Default: process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Show nothing until the work has run this long (default 1 s). */
  delayMs?: number;
}

function rateText(units: number, seconds: number): string {
  const rate = seconds > 0 ? units / seconds : 0;
  return thousands(rate);
}

class TerminalProgress implements Progress {
  private readonly started = performance.now();
  private bar: cliProgress.SingleBar | undefined;
  private label = '';
  private unit = '';
  private total: number | undefined;
  private phaseStarted = this.started;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly delayMs: number,
  ) {}

  phase(label: string, unit: string, total?: number): void {
    this.bar?.stop();
    this.bar = undefined;
    this.label = label;
    this.unit = unit;
    this.total = total;
    this.phaseStarted = performance.now();
  }

  update(done: number): void {
    const now = performance.now();
    if (!this.bar) {
      if (now - this.started < this.delayMs) return;
      this.bar = this.createBar();
      this.bar.start(this.total ?? 0, done, this.payload(done, now));
      return;
    }
    this.bar.update(done, this.payload(done, now));
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private payload(done: number, now: number): Record<string, string> {
    return { label: this.label, unit: this.unit, rate: rateText(done, (now - this.phaseStarted) / 1000), count: thousands(done) };
  }

  private createBar(): cliProgress.SingleBar {
    const { SingleBar, Presets } = loadCliProgress();
    const known = this.total !== undefined && this.total > 0;
    const format = known
      ? '{label} [{bar}] {percentage}% | {count} {unit} | {rate} {unit}/s | ETA {eta_formatted}'
      : '{label} {count} {unit} | {rate} {unit}/s';
    return new SingleBar({ stream: this.stream, format, clearOnComplete: true, hideCursor: true, barsize: 30, fps: 5 }, Presets.shades_classic);
  }
}

/** The progress display for a command: a bar on a terminal's stderr, nothing otherwise. */
export function terminalProgress(options: TerminalProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return NO_PROGRESS;
  return new TerminalProgress(stream, options.delayMs ?? 1000);
}
