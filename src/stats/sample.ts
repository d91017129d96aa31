/**
 * Turning a column into a sample the other statistics read: the finite
 * values, sorted ascending, as a Float64Array (typed-array sort is numeric).
 * NaN marks "not recorded" throughout the capture model, so it is dropped,
 * never counted as a value.
 */

export function sortedSample(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[at++] = values[i];
  return out.sort();
}

/** Arithmetic mean; NaN when empty. Sums in the given order (callers pass the sorted sample, so the result is deterministic). */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}
