export interface ActiveSeries {
  /** Distinct event times, ascending (ms). */
  timeMs: Float64Array;
  /** Active requests after every event at that time. */
  active: Int32Array;
  /** Highest count reached, including momentary ones inside a tie. */
  peak: number;
}

/**
 * The active-request counter: +1 at arrival, −1 at end. At equal times exits
 * come before entries (a request ending at t does not overlap one arriving
 * at t), except that a zero-length request exits right after its own entry.
 * This is the same tie rule as lane packing, so `peak` equals the lane count.
 * One sample per distinct time carries the value after all its events.
 * Requests must be in arrival order; NaN arrivals are skipped.
 */
export function activeRequestSweep(arrivalMs: Float64Array, endMs: Float64Array): ActiveSeries {
  const timedArrivals: number[] = [];
  const timedEnds: number[] = [];
  for (let i = 0; i < arrivalMs.length; i++) {
    if (Number.isNaN(arrivalMs[i])) continue;
    timedArrivals.push(arrivalMs[i]);
    timedEnds.push(endMs[i]);
  }
  const arrivals = Float64Array.from(timedArrivals);
  const n = arrivals.length;
  // Ends of zero-length requests are handled with their entry; the rest exit first at their time.
  const positiveEnds = Float64Array.from(timedEnds.filter((end, i) => end > timedArrivals[i])).sort();
  const times: number[] = [];
  const values: number[] = [];
  let active = 0;
  let peak = 0;
  let a = 0;
  let e = 0;
  while (a < n || e < positiveEnds.length) {
    const t = Math.min(a < n ? arrivals[a] : Infinity, e < positiveEnds.length ? positiveEnds[e] : Infinity);
    while (e < positiveEnds.length && positiveEnds[e] === t) {
      active--;
      e++;
    }
    while (a < n && arrivals[a] === t) {
      active++;
      if (active > peak) peak = active;
      if (!(timedEnds[a] > t)) active--;
      a++;
    }
    times.push(t);
    values.push(active);
  }
  return { timeMs: Float64Array.from(times), active: Int32Array.from(values), peak };
}
