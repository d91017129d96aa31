/**
 * Source requests a conversion leaves out, counted by reason, with the first
 * few named (source JSON path and detail) for the summary on stderr.
 */
/** A request with several output tokens and nothing to give its decode time (either tool). */
export const NO_DECODE_TIMING = 'no decode timing';

export class SkipLog {
  private readonly countByReason = new Map<string, number>();
  /** `from: reason (detail)` for the first few skipped requests. */
  readonly examples: string[] = [];
  private count = 0;

  constructor(private readonly keepExamples = 5) {}

  /** `reason` is a short fixed phrase (it is counted); `detail` says what this request had. */
  add(reason: string, from: string, detail?: string): void {
    this.count++;
    this.countByReason.set(reason, (this.countByReason.get(reason) ?? 0) + 1);
    if (this.examples.length < this.keepExamples) this.examples.push(`${from}: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
  }

  get total(): number {
    return this.count;
  }

  /** `2 failed, 1 no first token`, in order of first occurrence. */
  countsText(): string {
    return [...this.countByReason].map(([reason, count]) => `${count} ${reason}`).join(', ');
  }
}
