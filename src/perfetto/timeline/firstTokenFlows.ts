/**
 * Flows from each request's first-token moment to the scheduler step that
 * produced it.
 *
 * Tie rule: the producing step is the earliest step whose interval
 * [start, end] contains the first-token time t — the first step with
 * end >= t, provided it started at or before t. Where two steps meet
 * (t = end of one = start of the next) the step that ends there wins: a
 * step's tokens appear when its forward pass completes. A first token outside
 * every step (before the first, after the last, in an idle interval or
 * between sampled OTLP steps) gets no flow.
 */
export const NO_STEP = -1;

/** Step index per request (NO_STEP when none); `firstTokenNs` is NaN for requests off the timeline. Steps must be in time order. */
export function producingSteps(firstTokenNs: Float64Array, stepStartNs: Float64Array, stepEndNs: Float64Array): Int32Array {
  const result = new Int32Array(firstTokenNs.length).fill(NO_STEP);
  const n = stepEndNs.length;
  for (let r = 0; r < firstTokenNs.length; r++) {
    const t = firstTokenNs[r];
    if (Number.isNaN(t)) continue;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (stepEndNs[mid] >= t) hi = mid;
      else lo = mid + 1;
    }
    if (lo < n && stepStartNs[lo] <= t) result[r] = lo;
  }
  return result;
}

/** Flow ids ending at each step, as offsets into `flowIds` (length steps + 1). */
export interface FlowsByStep {
  offsets: Int32Array;
  flowIds: Int32Array;
}

/** Flow id of a request: its arrival-order id + 1 (flow ids must be non-zero). */
export function flowIdOf(request: number): number {
  return request + 1;
}

export function flowsByStep(stepOfRequest: Int32Array, stepCount: number): FlowsByStep {
  const offsets = new Int32Array(stepCount + 1);
  for (const step of stepOfRequest) if (step !== NO_STEP) offsets[step + 1]++;
  for (let s = 0; s < stepCount; s++) offsets[s + 1] += offsets[s];
  const fill = offsets.slice(0, stepCount);
  const flowIds = new Int32Array(offsets[stepCount]);
  for (let r = 0; r < stepOfRequest.length; r++) {
    const step = stepOfRequest[r];
    if (step !== NO_STEP) flowIds[fill[step]++] = flowIdOf(r);
  }
  return { offsets, flowIds };
}
