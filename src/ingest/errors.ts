/**
 * Input errors carry the file and 1-based line so every command can print
 * `PATH:LINE: reason (expected ...)` and exit 1 without a stack trace.
 */
export class InputError extends Error {
  constructor(
    readonly path: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${path}: ${reason}` : `${path}:${line}: ${reason}`);
    this.name = 'InputError';
  }
}

/** Collects skipped-line reasons in `--lenient` mode; the first few are shown to the user. */
export class LenientLog {
  skipped = 0;
  readonly firstReasons: string[] = [];
  constructor(private readonly keep = 5) {}

  record(error: InputError): void {
    this.skipped++;
    if (this.firstReasons.length < this.keep) this.firstReasons.push(error.message);
  }

  /** One stderr-ready summary, or undefined when nothing was skipped. */
  summary(): string | undefined {
    if (this.skipped === 0) return undefined;
    const more = this.skipped > this.firstReasons.length ? `\n  ...` : '';
    return `skipped ${this.skipped} bad line(s) (--lenient):\n  ${this.firstReasons.join('\n  ')}${more}`;
  }
}

/** Warnings go to stderr by default; tests pass a collector instead. */
export type WarningSink = (message: string) => void;
export const stderrWarnings: WarningSink = (message) => process.stderr.write(`warning: ${message}\n`);
