/**
 * Nearest-rank percentiles, the one definition every vcr report and the
 * canned SQL (queries/*.sql) share: the p-th percentile of n sorted values is
 * the value at 1-based rank ceil(p·n), clamped to [1, n]. It is always an
 * observed sample (no interpolation), so p100 is the maximum and p0 the
 * minimum. DuckDB's quantile_disc picks a different element, hence the
 * explicit rule.
 *
 * p is taken to 6 decimal places (parts per million) and the rank computed in
 * integer arithmetic: Math.ceil(0.07 * 100) is 8, because the product is
 * 7.000000000000001. The SQL uses the same integer form:
 * (ppm·n + 999999) // 1000000.
 */

const PPM = 1_000_000;

/** 1-based nearest rank of the p-th quantile (0 ≤ p ≤ 1) among n values; 0 when n is 0. */
export function nearestRankIndex(n: number, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile fraction must be within [0, 1], got ${p}`);
  if (n === 0) return 0;
  const ppm = Math.round(p * PPM);
  // ppm ≤ 1e6 and n < 2^32 keep ppm·n far below 2^53: exact.
  const rank = Math.floor((ppm * n + PPM - 1) / PPM);
  return Math.min(n, Math.max(1, rank));
}

/** Nearest-rank percentile of an ascending-sorted sample; NaN when empty. */
export function nearestRank(sorted: Float64Array, p: number): number {
  const rank = nearestRankIndex(sorted.length, p);
  return rank === 0 ? NaN : sorted[rank - 1];
}
