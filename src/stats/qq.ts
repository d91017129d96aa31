/**
 * Quantile–quantile pairs of two samples at shared probabilities, using the
 * nearest-rank quantile (percentile.ts) on both sides so a Q-Q point is
 * always a pair of observed values. The probabilities are evenly spaced
 * midpoints plus the tail quantiles a latency reader cares about.
 */
import { nearestRank } from './percentile.js';

export interface QqPair {
  p: number;
  /** Quantile of the first (reference) sample. */
  x: number;
  /** Quantile of the second sample. */
  y: number;
}

export const TAIL_PROBABILITIES = [0.95, 0.99, 0.995, 0.999] as const;

/** (k − ½)/count for k = 1..count, plus TAIL_PROBABILITIES, ascending and distinct. */
export function qqProbabilities(count = 100): number[] {
  const ps = new Set<number>(TAIL_PROBABILITIES);
  for (let k = 1; k <= count; k++) ps.add((k - 0.5) / count);
  return [...ps].sort((a, b) => a - b);
}

/** Both samples sorted ascending, no NaN; empty when either is empty. */
export function qqPairs(reference: Float64Array, other: Float64Array, probabilities: readonly number[] = qqProbabilities()): QqPair[] {
  if (reference.length === 0 || other.length === 0) return [];
  return probabilities.map((p) => ({ p, x: nearestRank(reference, p), y: nearestRank(other, p) }));
}
