/** `-j, --jobs N`: the threads a command may use, shared by proto and load. */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';

export function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('expected a thread count (1-64)');
  return n;
}

/** The given count, or by default the CPU count capped at 8 (beyond that, writing the output is the limit). */
export function jobsOrDefault(jobs: number | undefined): number {
  return jobs ?? Math.min(availableParallelism(), 8);
}
