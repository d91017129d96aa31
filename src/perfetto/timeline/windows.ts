/**
 * Windows of requests: consecutive requests in arrival order, closed once
 * they hold `budget` events. Each window's lanes are packet sequences of
 * their own (protoSink.ts), so a window can be encoded without anything
 * outside it — the unit of work for encoding in parallel. The plan depends
 * only on the capture, so the file is the same however it is encoded.
 */

/** About 30 MB of plain packets per window: few windows (each restarts its lanes' interning), many per worker. */
export const WINDOW_EVENTS = 1 << 19;

/** Start of every window, then the entity count: window w is entities [starts[w], starts[w + 1]). */
export function planWindows(entityCount: number, eventsOf: (entity: number) => number, budget = WINDOW_EVENTS): Int32Array {
  const starts = [0];
  let events = 0;
  for (let entity = 0; entity < entityCount; entity++) {
    if (events >= budget) {
      starts.push(entity);
      events = 0;
    }
    events += eventsOf(entity);
  }
  if (entityCount > 0) starts.push(entityCount);
  return Int32Array.from(starts);
}
