/**
 * Fixed-edge histograms for plotting distributions side by side: both
 * series share one set of edges so their bars line up. Bins are half-open
 * [x0, x1) except the last, which includes its upper edge. Fractions are of
 * the whole sample, so mass outside [first edge, last edge] shows as missing
 * area rather than being renormalised away.
 */

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
  /** count / sample size. */
  fraction: number;
}

/** count + 1 edges from lo to hi, evenly spaced, or evenly in log space (lo must then be > 0). */
export function binEdges(lo: number, hi: number, count: number, scale: 'linear' | 'log' = 'linear'): Float64Array {
  if (!(hi > lo) || count < 1) throw new RangeError(`bin range must be non-empty (lo ${lo}, hi ${hi}, count ${count})`);
  if (scale === 'log' && !(lo > 0)) throw new RangeError(`log bins need lo > 0 (got ${lo})`);
  const edges = new Float64Array(count + 1);
  for (let k = 0; k <= count; k++) {
    const t = k / count;
    edges[k] = scale === 'log' ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
  }
  // Pin the ends exactly: exp(log(x)) can miss x by an ulp and drop the extreme value.
  edges[0] = lo;
  edges[count] = hi;
  return edges;
}

/** `sorted`: ascending, no NaN. */
export function histogram(sorted: Float64Array, edges: Float64Array): HistogramBin[] {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (v < edges[0] || v > edges[bins]) continue;
    while (b < bins - 1 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  const n = sorted.length;
  return Array.from(counts, (count, k) => ({ x0: edges[k], x1: edges[k + 1], count, fraction: n > 0 ? count / n : 0 }));
}
