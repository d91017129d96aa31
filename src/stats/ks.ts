/**
 * Two-sample Kolmogorov–Smirnov distance: D = sup_x |F_a(x) − F_b(x)| over
 * the two empirical CDFs, in [0, 1] (0 = identical samples, 1 = disjoint
 * ranges). Evaluated after each distinct value, all ties of that value
 * consumed from both samples first, so equal samples give exactly 0.
 */

/** Both inputs sorted ascending and free of NaN; NaN when either is empty (nothing to compare). */
export function ksDistance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return NaN;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i], b[j]);
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  return d;
}
