import { beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '../../src/capture/model.js';
import type { DecodedSlice, DecodedTrace } from '../helpers/decodePerfetto.js';
import { handCapture, ns, useTempDir, writeProto, type ProtoResult } from './fixtures.js';

/**
 * formats.md edge cases, in file (finish) order; arrival order ids are given
 * in the comments: single-token output (0), zero-length gap + itl_ctx (1),
 * spec-decode chunks (2), itl_summary only (3), sub-ms decimals (4), no
 * arrival (dropped).
 */
const REQUESTS = [
  {
    // id 1
    prompt_tokens: 64, cached_tokens: 3, output_tokens: 4, ttft_ms: 5, itl_ms: [3, 0, 4], arrival_ms: 2,
    itl_ctx: { num_running: [2, 2, 1], prefill_tokens: [0, 16, 0] }, output_token_ids: [1, 2, 3, 4], finish_reason: 'length',
  },
  // id 0
  { prompt_tokens: 5, output_tokens: 1, ttft_ms: 10, arrival_ms: 0, output_token_ids: [42], finish_reason: 'stop' },
  // dropped: no arrival
  { prompt_tokens: 9, output_tokens: 1, ttft_ms: 1 },
  // id 3
  { prompt_tokens: 500, output_tokens: 11, ttft_ms: 3, itl_summary: { mean_ms: 1.5, count: 10 }, arrival_ms: 20 },
  {
    // id 2: first chunk 7 - (2 + 3) = 2 tokens
    prompt_tokens: 32, output_tokens: 7, ttft_ms: 6, itl_ms: [5, 5], itl_tokens: [2, 3], arrival_ms: 4,
    output_token_ids: [10, 11, 12, 13, 14, 15, 16],
  },
  // id 4
  { prompt_tokens: 8, output_tokens: 3, ttft_ms: 0.000001, itl_ms: [1.234567, 2.000001], arrival_ms: 30.123456 },
];

function requestSlices(trace: DecodedTrace, id: number): DecodedSlice[] {
  return trace.slices
    .filter((s) => s.category === 'request' && (s.name === `req${id} prefill` || (!s.name.endsWith(' prefill') && s.args.req === id)))
    .sort((a, b) => a.ts - b.ts || a.dur - b.dur);
}

const view = (s: DecodedSlice) => ({ name: s.name, ts: s.ts, dur: s.dur });

describe('request slices (hand-written edge cases)', () => {
  const dir = useTempDir();
  let capture: Capture;
  let result: ProtoResult;
  beforeAll(async () => {
    capture = await handCapture(dir, { meta: { model: 'edge-model' }, requests: REQUESTS });
    result = await writeProto(capture, dir);
  });

  it('decodes without problems and summarises placed and dropped requests', () => {
    expect(result.trace.problems).toEqual([]);
    expect(result.summary).toMatchObject({ requestsPlaced: 5, requestsDropped: 1, lanes: 3, flows: 0 });
    expect(result.summary.slices).toBe(result.trace.slices.length);
    expect(result.summary.counterSamples).toBe(result.trace.counters.length);
  });

  it('drops the request without arrival_ms', () => {
    const prefills = result.trace.slices.filter((s) => s.name.endsWith(' prefill')).map((s) => s.name);
    expect(prefills.sort()).toEqual(['req0 prefill', 'req1 prefill', 'req2 prefill', 'req3 prefill', 'req4 prefill']);
    expect(result.trace.slices.some((s) => s.args.prompt_tokens === 9)).toBe(false);
  });

  it('single-token output: a prefill slice and nothing else', () => {
    const slices = requestSlices(result.trace, 0);
    expect(slices.map(view)).toEqual([{ name: 'req0 prefill', ts: 0, dur: ns(10) }]);
    expect(slices[0].args).toEqual({
      req: 0, prompt_tokens: 5, cached_tokens: 0, output_tokens: 1, ttft_ms: 10, first_chunk_tokens: 1, finish_reason: 'stop', token_ids: [42],
    });
  });

  it('one decode slice per gap, back to back from the first token, zero-length gaps included', () => {
    const slices = requestSlices(result.trace, 1);
    expect(slices.map(view)).toEqual([
      { name: 'req1 prefill', ts: ns(2), dur: ns(5) },
      { name: 'decode', ts: ns(7), dur: ns(3) },
      { name: 'decode', ts: ns(10), dur: 0 },
      { name: 'decode', ts: ns(10), dur: ns(4) },
    ]);
    expect(slices.slice(1).map((s) => s.args)).toEqual([
      { req: 1, gap_ms: 3, tokens: 1, num_running: 2, prefill_tokens: 0, token_ids: [2] },
      { req: 1, gap_ms: 0, tokens: 1, num_running: 2, prefill_tokens: 16, token_ids: [3] },
      { req: 1, gap_ms: 4, tokens: 1, num_running: 1, prefill_tokens: 0, token_ids: [4] },
    ]);
    expect(slices[0].args).toMatchObject({ cached_tokens: 3, finish_reason: 'length', token_ids: [1] });
  });

  it('spec-decode chunks: `decode xN` with N tokens and the first chunk on the prefill', () => {
    const slices = requestSlices(result.trace, 2);
    expect(slices.map(view)).toEqual([
      { name: 'req2 prefill', ts: ns(4), dur: ns(6) },
      { name: 'decode x2', ts: ns(10), dur: ns(5) },
      { name: 'decode x3', ts: ns(15), dur: ns(5) },
    ]);
    expect(slices[0].args).toMatchObject({ first_chunk_tokens: 2, token_ids: [10, 11] });
    expect(slices[1].args).toEqual({ req: 2, gap_ms: 5, tokens: 2, token_ids: [12, 13] });
    expect(slices[2].args).toEqual({ req: 2, gap_ms: 5, tokens: 3, token_ids: [14, 15, 16] });
  });

  it('itl_summary only: the prefill plus one summary decode slice to the request end', () => {
    const slices = requestSlices(result.trace, 3);
    expect(slices.map(view)).toEqual([
      { name: 'req3 prefill', ts: ns(20), dur: ns(3) },
      { name: 'decode (itl_summary)', ts: ns(23), dur: ns(15) },
    ]);
    expect(slices[1].args).toEqual({ req: 3, tokens: 10, gaps: 10, mean_itl_ms: 1.5, decode_ms: 15 });
  });

  it('keeps sub-millisecond decimals exact to the nanosecond', () => {
    const slices = requestSlices(result.trace, 4);
    expect(slices.map(view)).toEqual([
      { name: 'req4 prefill', ts: 30_123_456, dur: 1 },
      { name: 'decode', ts: 30_123_457, dur: 1_234_567 },
      { name: 'decode', ts: 31_358_024, dur: 2_000_001 },
    ]);
    expect(slices.slice(1).map((s) => s.args.gap_ms)).toEqual([1.234567, 2.000001]);
  });

  it('samples engine_running and prefill_tokens at each gap end, and only where itl_ctx was recorded', () => {
    const samples = (name: string) => result.trace.counters.filter((c) => c.track === name).map((c) => [c.ts, c.value]);
    expect(samples('engine_running')).toEqual([[ns(10), 2], [ns(10), 2], [ns(14), 1]]);
    expect(samples('prefill_tokens')).toEqual([[ns(10), 0], [ns(10), 16], [ns(14), 0]]);
  });

  it('packs requests into lanes that free at the request end (arrival order, lowest free lane)', () => {
    const laneOf = (id: number) => result.trace.slices.find((s) => s.name === `req${id} prefill`)?.track;
    expect([0, 1, 2, 3, 4].map(laneOf)).toEqual(['lane 0', 'lane 1', 'lane 2', 'lane 0', 'lane 1']);
    expect(result.trace.slices.every((s) => s.depth === 0)).toBe(true);
  });

  it('one track per request with --track-per-request, named req I (pP oO)', async () => {
    const perRequest = await writeProto(capture, dir, { trackPerRequest: true });
    expect(perRequest.trace.problems).toEqual([]);
    const names = [...perRequest.trace.tracks.values()].filter((t) => t.name.startsWith('req ')).map((t) => t.name);
    expect(names).toEqual(['req 0 (p5 o1)', 'req 1 (p64 o4)', 'req 2 (p32 o7)', 'req 3 (p500 o11)', 'req 4 (p8 o3)']);
    expect(perRequest.summary.lanes).toBe(5);
    for (let id = 0; id < 5; id++) {
      const track = perRequest.trace.slices.find((s) => s.name === `req${id} prefill`)?.track;
      expect(track).toBe(names[id]);
      expect(requestSlices(perRequest.trace, id).map(view)).toEqual(requestSlices(result.trace, id).map(view));
    }
  });

  it('writes a valid, empty timeline when no request can be placed', async () => {
    const unplaced = await handCapture(dir, { requests: [{ prompt_tokens: 1, output_tokens: 1, ttft_ms: 1 }] });
    const empty = await writeProto(unplaced, dir);
    expect(empty.trace.problems).toEqual([]);
    expect(empty.summary).toMatchObject({ requestsPlaced: 0, requestsDropped: 1, lanes: 0, slices: 0, counterSamples: 0 });
    expect([...empty.trace.tracks.values()].map((t) => t.name)).toEqual(['inference trace']);
  });
});
