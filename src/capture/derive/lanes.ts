import { MinHeap } from '../../util/minHeap.js';

export interface LaneAssignment {
  /** Lane per request; -1 for requests without a timeline (NaN arrival). */
  lane: Int32Array;
  laneCount: number;
}

/**
 * Greedy interval partitioning. Requests must be given in arrival order
 * (rows with NaN arrival are skipped). Each request takes the lowest-numbered
 * free lane; a lane is free when its last request ended at or before the new
 * arrival (so back-to-back requests share a lane and never overlap on it).
 * Greedy in arrival order is optimal: the lane count equals the peak of the
 * active-request sweep with exits before entries at equal times.
 */
export function packLanes(arrivalMs: Float64Array, endMs: Float64Array): LaneAssignment {
  const n = arrivalMs.length;
  const lane = new Int32Array(n).fill(-1);
  const busy = new MinHeap<number>(); // key: end time, value: lane
  const free = new MinHeap<number>(); // key and value: lane number
  let laneCount = 0;
  for (let i = 0; i < n; i++) {
    const arrival = arrivalMs[i];
    if (Number.isNaN(arrival)) continue;
    while ((busy.peekKey() ?? Infinity) <= arrival) {
      const freed = busy.pop();
      free.push(freed, freed);
    }
    const chosen = free.size > 0 ? free.pop() : laneCount++;
    lane[i] = chosen;
    busy.push(endMs[i], chosen);
  }
  return { lane, laneCount };
}
