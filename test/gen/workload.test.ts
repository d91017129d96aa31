import { describe, expect, it } from 'vitest';
import { resolveGenConfig, type GenOptions } from '../../src/gen/index.js';
import { createWorkload, type RequestSpec } from '../../src/gen/workload.js';
import { collect } from './collect.js';

/** Drains an open-loop workload (no departures needed). */
function arrivals(options: GenOptions): RequestSpec[] {
  const workload = createWorkload(resolveGenConfig(options));
  const out: RequestSpec[] = [];
  while (workload.peekArrivalUs() !== undefined) out.push(workload.takeArrival());
  return out;
}

/** Largest number of [start, end) intervals open at once. */
function peakOverlap(intervals: [number, number][]): number {
  const edges = intervals.flatMap(([s, e]) => [
    [s, 1],
    [e, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (open += d));
  return peak;
}

describe('workload scenarios', () => {
  it('poisson: first arrival at t = 0, mean gap 1/rate, lengths clamped, some requests capped by max_tokens', () => {
    const specs = arrivals({ requests: 4000, rate: 20, seed: 1 });
    expect(specs).toHaveLength(4000);
    expect(specs[0].apiArrivalUs).toBe(0);
    expect(specs.map((s) => s.index)).toEqual(specs.map((_, i) => i));
    const meanGapMs = specs.at(-1)!.apiArrivalUs / 1000 / 3999;
    expect(meanGapMs).toBeGreaterThan(45);
    expect(meanGapMs).toBeLessThan(55);
    for (const s of specs) {
      expect(s.promptIds.length).toBeGreaterThanOrEqual(4);
      expect(s.promptIds.length).toBeLessThanOrEqual(4096);
      expect(s.outputLimit).toBeLessThanOrEqual(s.maxTokens);
    }
    const lengthCapped = specs.filter((s) => s.limitReason === 'length').length;
    expect(lengthCapped).toBeGreaterThan(100);
    expect(lengthCapped).toBeLessThan(2000);
    const median = [...specs.map((s) => s.promptIds.length)].sort((a, b) => a - b)[2000];
    expect(median).toBeGreaterThan(450);
    expect(median).toBeLessThan(580);
  });

  it('burst: B simultaneous arrivals every T seconds', () => {
    const specs = arrivals({ scenario: 'burst', requests: 50, burstSize: 20, burstIntervalS: 3 });
    expect(specs.map((s) => s.apiArrivalUs)).toEqual([...Array(20).fill(0), ...Array(20).fill(3e6), ...Array(10).fill(6e6)]);
  });

  it('--duration stops issuing at the limit', () => {
    const specs = arrivals({ durationS: 10, rate: 5 });
    expect(specs.length).toBeGreaterThan(30);
    expect(specs.at(-1)!.apiArrivalUs).toBeLessThan(10e6);
  });

  it('sweep: load, prompt and output lengths change phase by phase', () => {
    const specs = arrivals({ scenario: 'sweep', durationS: 100, rate: 10, phaseDurationS: 10, seed: 2 });
    const perPhase = Array.from({ length: 10 }, (_, p) => specs.filter((s) => Math.floor(s.apiArrivalUs / 10e6) === p));
    const counts = perPhase.map((p) => p.length);
    expect(Math.max(...counts) / Math.min(...counts)).toBeGreaterThan(4);
    const medianPrompt = perPhase.map((p) => [...p.map((s) => s.promptIds.length)].sort((a, b) => a - b)[p.length >> 1]);
    expect(Math.max(...medianPrompt) / Math.min(...medianPrompt)).toBeGreaterThan(8);
  });

  it('open-loop concurrency counts requests in flight at the API', () => {
    const run = collect({ requests: 200, rate: 10, seed: 6 });
    const byArrival = [...run.finished].sort((a, b) => a.apiArrivalUs - b.apiArrivalUs || a.index - b.index);
    for (const r of byArrival) {
      const inFlight = byArrival.filter((o) => o.index <= r.index && o.apiArrivalUs <= r.apiArrivalUs && o.departedUs > r.apiArrivalUs).length;
      expect(r.concurrency).toBe(inFlight);
    }
    expect(Math.max(...run.finished.map((r) => r.concurrency))).toBeGreaterThan(5);
  });

  it('closed: never more than N requests in flight, each client sends again after its response (+ think time)', () => {
    const run = collect({ scenario: 'closed', concurrency: 6, requests: 90, thinkTimeMs: 200, seed: 3 });
    expect(run.finished).toHaveLength(90);
    expect(run.finished.every((r) => r.concurrency === 6)).toBe(true);
    expect(peakOverlap(run.finished.map((r) => [r.apiArrivalUs, r.departedUs]))).toBe(6);
    expect(run.finished.filter((r) => r.apiArrivalUs === 0)).toHaveLength(6);
  });

  it('multiturn: each turn extends the previous prompt and output, so prompts share prefixes', () => {
    const run = collect({ scenario: 'multiturn', concurrency: 4, requests: 40, turns: 5, seed: 8 });
    const sorted = [...run.finished].sort((a, b) => a.index - b.index);
    // A later turn's prompt starts with an earlier request's prompt blocks and is longer than its prompt + output.
    const extended = sorted.filter((r) =>
      sorted.some(
        (p) =>
          p.index < r.index &&
          p.promptTokens >= 16 &&
          p.promptTokens + p.outputIds.length < r.promptTokens &&
          p.hashes.hi.slice(0, Math.floor(p.promptTokens / 16)).every((h, i) => h === r.hashes.hi[i]),
      ),
    ).length;
    expect(extended).toBeGreaterThan(20);
  });
});
