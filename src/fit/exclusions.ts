/**
 * Sample exclusion bookkeeping: every rule that drops samples is named,
 * described and counted, and the counts are shown with the fit. A sample is
 * counted under the first rule (in declaration order) it fails.
 */

export interface Exclusion {
  rule: string;
  description: string;
  count: number;
}

export class ExclusionTally {
  private readonly entries: Exclusion[] = [];

  /** Declares a rule (shown even when it dropped nothing) and returns a counter for it. */
  rule(rule: string, description: string): () => void {
    const entry: Exclusion = { rule, description, count: 0 };
    this.entries.push(entry);
    return () => {
      entry.count++;
    };
  }

  list(): Exclusion[] {
    return this.entries.map((entry) => ({ ...entry }));
  }
}
