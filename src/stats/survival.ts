/**
 * Empirical survival curve S(x) = P(X > x) = (values above x) / n, reduced
 * to at most ~maxPoints points for plotting. Half the points are spaced
 * evenly in rank (the body), half geometrically in the count of values
 * above (the tail), so p99, p99.9 and the largest values keep their own
 * points however large the sample is. Each point sits at the last value of
 * its tie group, where S drops.
 */

export interface SurvivalPoint {
  x: number;
  /** Fraction of the sample strictly above x; 0 at the maximum. */
  survival: number;
}

/** `sorted`: ascending, no NaN. */
export function survivalCurve(sorted: Float64Array, maxPoints = 400): SurvivalPoint[] {
  const n = sorted.length;
  if (n === 0) return [];
  const ranks = new Set<number>();
  const half = Math.max(1, Math.floor(maxPoints / 2));
  for (let k = 0; k < half; k++) ranks.add(Math.floor((k * (n - 1)) / Math.max(1, half - 1)));
  // Tail: the index leaving `above` values above it, for `above` from 1 up to n geometrically.
  const step = Math.pow(n, 1 / half);
  for (let above = 1; above < n; above = Math.max(above + 1, Math.floor(above * step))) ranks.add(n - 1 - above);
  ranks.add(n - 1);
  const points: SurvivalPoint[] = [];
  let lastIndex = -1;
  for (const rank of [...ranks].sort((a, b) => a - b)) {
    let j = rank;
    while (j + 1 < n && sorted[j + 1] === sorted[j]) j++;
    if (j === lastIndex) continue;
    lastIndex = j;
    points.push({ x: sorted[j], survival: (n - 1 - j) / n });
  }
  return points;
}
