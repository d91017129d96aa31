/**
 * Time-ordered holdout: train on the first part of the capture, test on the
 * last part. Never a random split — neighbouring steps share batch members
 * and neighbouring requests share queue state, so a random split would leak
 * the test set into training and flatter the fit; predicting the future from
 * the past is also what a simulator does with the coefficients.
 */

export interface HoldoutSplit {
  /** Samples [0, trainCount) train, [trainCount, n) test. */
  trainCount: number;
  testCount: number;
  /** Time of the first test sample (ms on the capture clock); NaN without a test set. */
  splitTimeMs: number;
}

/**
 * Splits samples already sorted by `timesMs` (ascending; checked). The test
 * set is the last round(n × fraction) samples; samples tied in time with the
 * first test sample move to the test set too, so no instant straddles both.
 */
export function timeOrderedSplit(timesMs: Float64Array, fraction: number): HoldoutSplit {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`holdout fraction must be in [0, 1), got ${fraction}`);
  const n = timesMs.length;
  for (let i = 1; i < n; i++) {
    if (!(timesMs[i] >= timesMs[i - 1])) throw new RangeError(`samples are not in time order at index ${i}`);
  }
  let trainCount = n - Math.round(n * fraction);
  if (trainCount === n) return { trainCount: n, testCount: 0, splitTimeMs: NaN };
  while (trainCount > 0 && timesMs[trainCount - 1] === timesMs[trainCount]) trainCount--;
  return { trainCount, testCount: n - trainCount, splitTimeMs: timesMs[trainCount] };
}
