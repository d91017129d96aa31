import { describe, expect, it } from 'vitest';
import { RequestTableBuilder, arrivalOrder } from '../../src/capture/requestTableBuilder.js';
import { deriveRequestTiming } from '../../src/capture/derive/requestTiming.js';
import type { TraceRecord } from '../../src/capture/records.js';

function record(partial: Partial<TraceRecord> & { line: number }): TraceRecord {
  return { promptTokens: 10, cachedTokens: 0, outputTokens: 1, ttftMs: 5, concurrency: 1, ...partial };
}

describe('deriveRequestTiming', () => {
  it('derives first chunk, decode, end, e2e, tpot and mean gap from per-gap arrays', () => {
    const t = deriveRequestTiming(record({ line: 1, outputTokens: 5, ttftMs: 50, arrivalMs: 100, itlMs: Float64Array.from([10, 12, 11, 9]) }));
    expect(t).toEqual({ firstChunkTokens: 1, decodeMs: 42, e2eMs: 92, endMs: 192, tpotMs: 42 / 4, meanItlMs: 42 / 4 });
  });

  it('gives the first chunk the tokens not delivered by later chunks (spec decode)', () => {
    const t = deriveRequestTiming(record({ line: 1, outputTokens: 10, itlMs: Float64Array.from([4, 6]), itlTokens: Int32Array.from([3, 4]) }));
    expect(t.firstChunkTokens).toBe(3);
    expect(t.tpotMs).toBe(10 / 7);
    expect(t.meanItlMs).toBe(5);
    expect(t.endMs).toBeNaN();
  });

  it('uses itl_summary when no per-gap array was recorded', () => {
    const t = deriveRequestTiming(record({ line: 1, outputTokens: 10, ttftMs: 80, itlSummary: { meanMs: 11.5, count: 9 } }));
    expect(t.decodeMs).toBeCloseTo(103.5, 12);
    expect(t.tpotMs).toBeCloseTo(11.5, 12);
  });

  it('has no TPOT or mean gap for a single-token or empty output', () => {
    expect(deriveRequestTiming(record({ line: 1, outputTokens: 1 }))).toMatchObject({ firstChunkTokens: 1, decodeMs: 0, tpotMs: NaN, meanItlMs: NaN });
    expect(deriveRequestTiming(record({ line: 1, outputTokens: 0 })).firstChunkTokens).toBe(0);
  });
});

describe('arrivalOrder', () => {
  it('sorts by arrival stably and puts requests without arrival last in file order', () => {
    expect(Array.from(arrivalOrder(Float64Array.from([5, NaN, 1, 5, NaN, 0])))).toEqual([5, 2, 0, 3, 1, 4]);
  });
});

describe('RequestTableBuilder', () => {
  it('re-orders requests by arrival, keeps gap rows grouped and renumbers them to arrival ids', () => {
    const builder = new RequestTableBuilder();
    // File order = finish order: the later arrival finished first.
    builder.add(record({ line: 2, arrivalMs: 30, ttftMs: 10, outputTokens: 3, itlMs: Float64Array.from([1, 2]), itlCtx: { numRunning: Int32Array.from([2, 1]), prefillTokens: Int32Array.from([0, 64]) }, outputTokenIds: Int32Array.from([7, 8, 9]), blockHashes: BigUint64Array.from([2n ** 64n - 1n]) }));
    builder.add(record({ line: 3, arrivalMs: 0, ttftMs: 20, outputTokens: 4, itlMs: Float64Array.from([5, 5, 6]), itlTokens: undefined, finishReason: 'length' }));
    builder.add(record({ line: 4, ttftMs: 1, outputTokens: 2, itlSummary: { meanMs: 3, count: 1 } }));
    const { requests, gaps, laneCount } = builder.finish();

    expect(requests.count).toBe(3);
    expect(Array.from(requests.sourceLine)).toEqual([3, 2, 4]);
    expect(Array.from(requests.arrivalMs)).toEqual([0, 30, NaN]);
    expect(Array.from(requests.endMs)).toEqual([36, 43, NaN]);
    expect(Array.from(requests.lane)).toEqual([0, 1, -1]);
    expect(laneCount).toBe(2);
    expect(Array.from(requests.finishReason)).toEqual([2, 0, 0]);
    expect(Array.from(requests.summaryGapCount)).toEqual([-1, -1, 1]);

    // Gap rows stay in file order (request 1's two gaps first), each pointing at its arrival-order id.
    expect(Array.from(requests.gapOffset)).toEqual([2, 0, 5]);
    expect(Array.from(requests.gapCount)).toEqual([3, 2, 0]);
    expect(Array.from(gaps.request)).toEqual([1, 1, 0, 0, 0]);
    expect(Array.from(gaps.index)).toEqual([0, 1, 0, 1, 2]);
    expect(Array.from(gaps.startMs)).toEqual([40, 41, 20, 25, 30]);
    expect(Array.from(gaps.durMs)).toEqual([1, 2, 5, 5, 6]);
    expect(Array.from(gaps.tokens)).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(gaps.numRunning)).toEqual([2, 1, -1, -1, -1]);
    expect(Array.from(gaps.prefillTokens)).toEqual([0, 64, -1, -1, -1]);

    // Variable-length lists follow their request into arrival order, exactly.
    expect(Array.from(requests.tokenIdOffsets)).toEqual([0, 0, 3, 3]);
    expect(Array.from(requests.tokenIds)).toEqual([7, 8, 9]);
    expect(Array.from(requests.blockHashOffsets)).toEqual([0, 0, 1, 1]);
    expect(requests.blockHashes[0]).toBe(18446744073709551615n);
  });
});
