/**
 * Comparing one number against a reference, as the calibration report
 * does: relative error = (candidate − reference) / reference, signed, so
 * +0.1 means the candidate is 10% above. Two zeros agree exactly (0); a
 * non-zero candidate against a zero reference is infinitely off (±Infinity).
 * NaN when either side is missing.
 */
export function relativeError(reference: number, candidate: number): number {
  if (Number.isNaN(reference) || Number.isNaN(candidate)) return NaN;
  if (reference === candidate) return 0;
  if (reference === 0) return candidate > 0 ? Infinity : -Infinity;
  return (candidate - reference) / Math.abs(reference);
}

/** a / b for a tail ratio such as p99/p50; NaN when b is 0 or either side is missing. */
export function ratio(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || b === 0) return NaN;
  return a / b;
}
