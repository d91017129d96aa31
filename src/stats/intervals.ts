/**
 * Interval arithmetic on the capture clock (ms) for comparing the request
 * view with the scheduler-step view: which steps overlap an interval and how
 * much of it they cover, where the most intervals overlap, and which step
 * boundary lies nearest a time. Steps are given as parallel start/end
 * arrays sorted by start, not overlapping one another (scheduler steps run
 * one after another), so their ends ascend too.
 */

/** Index of the first entry with value > t in an ascending array (length when none). */
export function firstAbove(ascending: Float64Array, t: number): number {
  let lo = 0;
  let hi = ascending.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ascending[mid] > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Indices of the intervals that overlap [from, to] by a positive length (touching at an end point does not count). */
export function overlapping(starts: Float64Array, ends: Float64Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = firstAbove(ends, from); i < starts.length && starts[i] < to; i++) {
    if (Math.min(to, ends[i]) - Math.max(from, starts[i]) > 0) out.push(i);
  }
  return out;
}

export interface Coverage {
  /** Length of the range covered by the selected intervals. */
  coveredMs: number;
  /** Selected intervals overlapping the range by a positive length. */
  count: number;
}

/**
 * How much of a range a fixed subset of the intervals covers, in O(log n)
 * per range: prefix sums of the selected intervals' lengths, clipped at the
 * two intervals that straddle the range's ends. (A request waiting seconds
 * in a busy engine spans thousands of steps; summing them one by one per
 * request is quadratic.)
 */
export class IntervalCoverage {
  private readonly cumulativeMs: Float64Array;
  private readonly cumulativeCount: Int32Array;
  private readonly selected: Uint8Array;

  constructor(
    private readonly starts: Float64Array,
    private readonly ends: Float64Array,
    selected: (i: number) => boolean,
  ) {
    const n = starts.length;
    this.selected = new Uint8Array(n);
    this.cumulativeMs = new Float64Array(n + 1);
    this.cumulativeCount = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const length = ends[i] - starts[i];
      const use = selected(i) && length > 0;
      this.selected[i] = use ? 1 : 0;
      this.cumulativeMs[i + 1] = this.cumulativeMs[i] + (use ? length : 0);
      this.cumulativeCount[i + 1] = this.cumulativeCount[i] + (use ? 1 : 0);
    }
  }

  measure(from: number, to: number): Coverage {
    if (!(to > from)) return { coveredMs: 0, count: 0 };
    // Overlapping intervals are [first, last): those ending after `from` and starting before `to`.
    const first = firstAbove(this.ends, from);
    const last = firstAtOrAbove(this.starts, to);
    if (first >= last) return { coveredMs: 0, count: 0 };
    let coveredMs = this.cumulativeMs[last] - this.cumulativeMs[first];
    if (this.selected[first]) coveredMs -= Math.max(0, from - this.starts[first]);
    if (this.selected[last - 1]) coveredMs -= Math.max(0, this.ends[last - 1] - to);
    return { coveredMs, count: this.cumulativeCount[last] - this.cumulativeCount[first] };
  }
}

/** Index of the first entry with value ≥ t in an ascending array (length when none). */
function firstAtOrAbove(ascending: Float64Array, t: number): number {
  let lo = 0;
  let hi = ascending.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ascending[mid] >= t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface PeakOverlap {
  /** Most intervals open at once (0 when there are none of positive length). */
  peak: number;
  /** The first stretch of time during which `peak` intervals were open. */
  fromMs: number;
  toMs: number;
}

/**
 * Sweep over intervals (any order). At equal times ends come before starts,
 * so back-to-back intervals do not overlap (the same rule as the
 * active-request sweep). Zero-length and NaN intervals are skipped.
 */
export function peakOverlap(starts: ArrayLike<number>, ends: ArrayLike<number>): PeakOverlap {
  const events: { t: number; delta: number }[] = [];
  for (let i = 0; i < starts.length; i++) {
    if (!(ends[i] > starts[i])) continue;
    events.push({ t: starts[i], delta: 1 }, { t: ends[i], delta: -1 });
  }
  events.sort((a, b) => a.t - b.t || a.delta - b.delta);
  let open = 0;
  let best: PeakOverlap = { peak: 0, fromMs: NaN, toMs: NaN };
  let inPeak = false;
  for (const event of events) {
    open += event.delta;
    if (event.delta > 0 && open > best.peak) {
      best = { peak: open, fromMs: event.t, toMs: NaN };
      inPeak = true;
    } else if (event.delta < 0 && inPeak) {
      best.toMs = event.t;
      inPeak = false;
    }
  }
  return best;
}

/** Index of the entry of an ascending array nearest to t (the lower one on a tie); -1 when empty. */
export function nearestIndex(ascending: Float64Array, t: number): number {
  const n = ascending.length;
  if (n === 0) return -1;
  const above = firstAbove(ascending, t);
  if (above === 0) return 0;
  if (above === n) return n - 1;
  return t - ascending[above - 1] <= ascending[above] - t ? above - 1 : above;
}
