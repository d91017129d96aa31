import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/util/minHeap.js';

/** A seeded LCG: the same pseudo-random keys on every run. */
function keys(count: number, distinct: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % distinct;
  });
}

describe('MinHeap', () => {
  it('pops by key, first-in first-out among equal keys', () => {
    const heap = new MinHeap<string>();
    for (const [key, value] of [[5, 'a'], [1, 'b'], [5, 'c'], [0, 'd'], [1, 'e']] as const) heap.push(key, value);
    expect(heap.peekKey()).toBe(0);
    expect(Array.from({ length: 5 }, () => heap.pop())).toEqual(['d', 'b', 'e', 'a', 'c']);
    expect(heap.size).toBe(0);
    expect(heap.peekKey()).toBeUndefined();
  });

  it('gives the order of a stable sort by key, with pushes and pops interleaved', () => {
    // Few distinct keys, so most comparisons are ties: the tie rule is what this checks.
    const pushes = keys(2_000, 17, 3);
    const heap = new MinHeap<number>();
    const popped: number[] = [];
    const pending: number[] = [];
    pushes.forEach((key, i) => {
      heap.push(key, i);
      pending.push(i);
      if (i % 3 === 2) {
        // What a stable sort of the pending entries by key puts first.
        const next = pending.reduce((best, j) => (pushes[j] < pushes[best] ? j : best));
        pending.splice(pending.indexOf(next), 1);
        popped.push(heap.pop());
        expect(popped[popped.length - 1]).toBe(next);
      }
    });
    const rest = [...pending].sort((a, b) => pushes[a] - pushes[b] || a - b);
    expect(Array.from({ length: rest.length }, () => heap.pop())).toEqual(rest);
  });
});
