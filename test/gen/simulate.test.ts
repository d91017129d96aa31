import { describe, expect, it } from 'vitest';
import { PHASE_DECODE, PHASE_PREFILL, resolveGenConfig, simulate, type GenOptions } from '../../src/gen/index.js';
import { collect, preemptionSteps, type Collected } from './collect.js';

/** Heavy enough that the token budget binds and batches fill: the invariants are exercised, not trivially true. */
const BUSY: GenOptions = { requests: 300, rate: 14, seed: 11 };
/** A KV cache far too small for the load: preemptions must happen. */
const PRESSURE: GenOptions = { requests: 250, rate: 14, seed: 5, kvBlocks: 360, promptMax: 2048, maxTokens: 512 };

const busy = collect(BUSY);
const pressure = collect(PRESSURE);
const spec = collect({ requests: 150, rate: 10, seed: 3, specK: 4, specAccept: 0.7 });
const aborts = collect({ requests: 200, rate: 10, seed: 9, abortRate: 0.3 });

function checkBudget(run: Collected, options: GenOptions): void {
  const c = resolveGenConfig(options);
  const violations = run.steps.filter((step) => {
    let scheduled = 0;
    for (let i = 0; i < step.batch.length; i++) scheduled += step.batch.scheduled(i);
    return (
      scheduled !== step.prefillTokens + step.decodeTokens ||
      scheduled > c.maxNumBatchedTokens ||
      step.batch.length > c.maxNumSeqs ||
      step.numScheduled === 0 ||
      step.kvUsageAfter < 0 ||
      step.kvUsageAfter > 1
    );
  });
  expect(violations.map((s) => s.id)).toEqual([]);
}

/** Every request decoding after step s is, in step s+1, a decode row with K+1 tokens that emits 1..K+1 tokens — or preempted there. */
function checkDecodesNeverStarved(run: Collected, specK: number): void {
  const preempted = preemptionSteps(run.finished);
  const finishedAt = new Map(run.finished.map((r) => [r.index, r.finishedUs]));
  const violations: string[] = [];
  let checked = 0;
  let decodingAfter = new Set<number>();
  for (const step of run.steps) {
    const rows = new Map<number, ReturnType<typeof step.batch.row>>();
    for (let i = 0; i < step.batch.length; i++) rows.set(step.batch.request(i), step.batch.row(i));
    for (const request of decodingAfter) {
      const row = rows.get(request);
      checked++;
      if (row === undefined) {
        if (!preempted.get(request)?.has(step.id)) violations.push(`request ${request} missing from step ${step.id}`);
      } else if (row.phase !== PHASE_DECODE || row.scheduled !== specK + 1 || row.emitted < 1 || row.emitted > specK + 1) {
        violations.push(`request ${request} in step ${step.id}: ${JSON.stringify(row)}`);
      }
    }
    decodingAfter = new Set();
    for (const [request, row] of rows) if (row.emitted > 0 && finishedAt.get(request) !== step.endUs) decodingAfter.add(request);
  }
  expect(violations.slice(0, 5)).toEqual([]);
  expect(checked).toBeGreaterThan(run.steps.length);
}

function checkAccounting(run: Collected, options: GenOptions): void {
  const c = resolveGenConfig(options);
  expect(run.finished).toHaveLength(c.requests!);
  expect(new Set(run.finished.map((r) => r.index)).size).toBe(c.requests);
  expect(run.totals.requests).toBe(c.requests);
  expect(run.totals.steps).toBe(run.steps.length);

  const emitted = new Map<number, number>();
  const prefilled = new Map<number, number>();
  for (const step of run.steps) {
    for (let i = 0; i < step.batch.length; i++) {
      const row = step.batch.row(i);
      emitted.set(row.request, (emitted.get(row.request) ?? 0) + row.emitted);
      if (row.phase === PHASE_PREFILL) prefilled.set(row.request, (prefilled.get(row.request) ?? 0) + row.scheduled);
    }
  }
  // Collected rather than asserted one by one: thousands of expect() calls are slow.
  const failures: string[] = [];
  const check = (ok: boolean, what: string, r: { index: number }) => {
    if (!ok) failures.push(`request ${r.index}: ${what}`);
  };
  for (const r of run.finished) {
    const output = r.outputIds.length;
    // Output tokens = first chunk (1 token) + the chunks closing each gap.
    check(r.chunkTokens[0] === 1, 'first chunk is one token', r);
    check(r.chunkTokens.reduce((a, b) => a + b, 0) === output, 'chunks sum to output tokens', r);
    check(emitted.get(r.index) === output, 'steps emitted its output tokens', r);
    check(output >= 1 && output <= r.maxTokens, '1 ≤ output ≤ max_tokens', r);
    // Prompt tokens = cached + prefilled, recomputation after preemptions accounted admission by admission.
    check(r.admissions.length === r.numPreemptions + 1, 'one admission per preemption + 1', r);
    check(r.admissions[0].tokens === r.promptTokens && r.admissions[0].hitTokens === r.cachedTokens, 'first admission = prompt, cached', r);
    const last = r.admissions[r.admissions.length - 1];
    check(last.prefilled === last.tokens - last.hitTokens, 'last admission prefilled everything not cached', r);
    check(r.admissions.every((a) => a.prefilled <= a.tokens - a.hitTokens), 'no admission prefills more than it owes', r);
    check(prefilled.get(r.index) === r.admissions.reduce((sum, a) => sum + a.prefilled, 0), 'steps prefilled what admissions say', r);
    if (r.numPreemptions === 0) check(prefilled.get(r.index) === r.promptTokens - r.cachedTokens, 'prompt = cached + prefilled', r);
    // Clock: API ingress and egress follow alpha exactly; tokens come after the request is queued.
    check(r.queuedUs === r.apiArrivalUs + Math.round(c.alpha0 + c.alpha1 * r.promptTokens), 'QUEUED = ARRIVED + alpha0 + alpha1·prompt', r);
    check(r.departedUs === r.finishedUs + Math.round(c.alpha2 * output), 'DEPARTED = FINISHED + alpha2·output', r);
    check(r.chunkEndUs[0] > r.queuedUs, 'first token after QUEUED', r);
    check(r.chunkEndUs[r.chunkEndUs.length - 1] === r.finishedUs, 'FINISHED at the last token', r);
    check(r.chunkEndUs.every((t, i) => i === 0 || t > r.chunkEndUs[i - 1]), 'chunks strictly increasing', r);
    check(r.journey.find((e) => e.type === 'FIRST_TOKEN')!.us === r.chunkEndUs[0], 'FIRST_TOKEN at the first chunk', r);
    check(r.journey[0].type === 'QUEUED' && r.journey[0].us === r.queuedUs, 'journey starts with QUEUED', r);
    check(r.journey.at(-1)!.type === 'FINISHED' && r.journey.at(-1)!.us === r.finishedUs, 'journey ends with FINISHED', r);
  }
  expect(failures.slice(0, 10)).toEqual([]);
}

describe('simulate: scheduler invariants', () => {
  it('never exceeds the token budget, max_num_seqs or the KV cache', () => {
    checkBudget(busy, BUSY);
    checkBudget(pressure, PRESSURE);
    checkBudget(spec, { specK: 4 });
    expect(Math.max(...busy.steps.map((s) => s.prefillTokens + s.decodeTokens))).toBe(2048);
  });

  it('never starves a running decode: it gets its token(s) in every step it is running', () => {
    checkDecodesNeverStarved(busy, 0);
    checkDecodesNeverStarved(pressure, 0);
    checkDecodesNeverStarved(spec, 4);
  });

  it('finishes or aborts every request and conserves prompt and output tokens', () => {
    checkAccounting(busy, BUSY);
    checkAccounting(pressure, PRESSURE);
    checkAccounting(aborts, { requests: 200 });
    const reasons = new Set(busy.finished.map((r) => r.finishReason));
    expect(reasons).toEqual(new Set(['stop', 'length']));
  });

  it('accounts client aborts as finished requests with finish_reason "abort"', () => {
    const aborted = aborts.finished.filter((r) => r.finishReason === 'abort');
    expect(aborted.length).toBeGreaterThan(20);
    expect(aborts.totals.aborted).toBe(aborted.length);
    for (const r of aborted) {
      expect(r.outputIds.length).toBeGreaterThanOrEqual(1);
      expect(r.journey.at(-1)!.finishStatus).toBe('aborted');
    }
  });

  it('splits long prompts into chunks across steps (chunked prefill)', () => {
    const chunked = busy.finished.filter((r) => r.admissions[0].tokens - r.admissions[0].hitTokens > 2048);
    expect(chunked.length).toBeGreaterThan(0);
    for (const r of chunked) expect(r.chunkEndUs[0] - r.journey.find((e) => e.type === 'SCHEDULED')!.us).toBeGreaterThan(0);
    const partial = busy.steps.some((s) => {
      for (let i = 0; i < s.batch.length; i++) {
        const row = s.batch.row(i);
        if (row.phase === PHASE_PREFILL && row.scheduled > 0 && row.emitted === 0) return true;
      }
      return false;
    });
    expect(partial).toBe(true);
  });

  it('preempts only under KV pressure: some with a tiny cache, none with an ample one', () => {
    expect(busy.totals.preemptions).toBe(0);
    expect(busy.steps.every((s) => s.numPreempted === 0)).toBe(true);
    expect(pressure.totals.preemptions).toBeGreaterThan(0);
    const preemptedRequests = pressure.finished.filter((r) => r.numPreemptions > 0);
    expect(preemptedRequests.length).toBeGreaterThan(0);
    // Same load, ample KV: no preemption at all.
    const ample = collect({ ...PRESSURE, kvBlocks: 26000 });
    expect(ample.totals.preemptions).toBe(0);
    // A step that preempted admitted nobody (vLLM v1), and resumes are marked RESUME.
    const firstAdmissionSteps = new Set(pressure.finished.flatMap((r) => r.journey.filter((e) => e.type === 'SCHEDULED').map((e) => e.step)));
    for (const step of pressure.steps) if (step.numPreempted > 0) expect(firstAdmissionSteps.has(step.id)).toBe(false);
    for (const r of preemptedRequests) {
      const kinds = r.journey.filter((e) => e.type === 'SCHEDULED').map((e) => e.scheduleKind);
      expect(kinds).toEqual(['FIRST', ...new Array(r.numPreemptions).fill('RESUME')]);
    }
  });

  it('keeps speculative chunks within K+1 tokens and counts drafts consistently', () => {
    const sizes = spec.finished.flatMap((r) => r.chunkTokens.slice(1));
    expect(Math.max(...sizes)).toBe(5);
    expect(Math.min(...sizes)).toBe(1);
    for (const step of spec.steps) {
      if (step.spec === null) {
        expect(step.numDecodeReqs).toBe(0);
        continue;
      }
      expect(step.spec.numDrafts).toBe(step.numDecodeReqs);
      expect(step.spec.numDraftTokens).toBe(4 * step.spec.numDrafts);
      expect(step.spec.numAcceptedTokensPerPos.reduce((a, b) => a + b, 0)).toBe(step.spec.numAcceptedTokens);
      for (let k = 1; k < 4; k++) expect(step.spec.numAcceptedTokensPerPos[k]).toBeLessThanOrEqual(step.spec.numAcceptedTokensPerPos[k - 1]);
    }
    const drafts = spec.steps.reduce((n, s) => n + (s.spec?.numDraftTokens ?? 0), 0);
    const accepted = spec.steps.reduce((n, s) => n + (s.spec?.numAcceptedTokens ?? 0), 0);
    // E[accepted of 4] at p = 0.7 is 0.7 + 0.49 + 0.343 + 0.2401 ≈ 1.77 of 4 drafts.
    expect(accepted / drafts).toBeGreaterThan(0.38);
    expect(accepted / drafts).toBeLessThan(0.5);
    expect(busy.finished.every((r) => r.chunkTokens.every((t) => t === 1))).toBe(true);
  });

  it('times every step by the documented formula, back to back except after idle', () => {
    const options: GenOptions = { requests: 120, rate: 1, seed: 4, noise: 0, beta0: 5000, beta1: 20, beta2: 30, beta3: 50 };
    const run = collect(options);
    const wrong = run.steps.filter(
      (s) =>
        s.endUs - s.startUs !== Math.round(5000 + 20 * s.prefillTokens + 30 * s.decodeTokens + (50 * s.decodeContextTokens) / 1000) ||
        s.schedulerCpuUs !== 30 + 2 * s.numScheduled,
    );
    expect(wrong).toEqual([]);
    expect(run.steps.some((s) => s.decodeContextTokens > 0 && s.prefillTokens > 0)).toBe(true);
    const idleAt = new Set(run.idle.map((e) => e.atUs));
    for (let i = 1; i < run.steps.length; i++) {
      const previous = run.steps[i - 1];
      const step = run.steps[i];
      if (step.startUs === previous.endUs) continue;
      // A gap between steps only after the engine emptied, and it is marked.
      expect(previous.runningAfter).toBe(0);
      expect(previous.waitingAfter).toBe(0);
      expect(idleAt.has(step.startUs)).toBe(true);
    }
    expect(run.idle[0].atUs).toBe(run.steps[0].startUs);
    expect(run.idle.length).toBeGreaterThan(1);
  });

  it('emits events in time order: idle marker, then step, then the requests that step finished', () => {
    const run = busy;
    let stepIndex = -1;
    let finishedIndex = 0;
    for (const kind of run.order) {
      if (kind === 'step') stepIndex++;
      if (kind === 'finished') {
        expect(run.finished[finishedIndex].finishedUs).toBe(run.steps[stepIndex].endUs);
        finishedIndex++;
      }
    }
    expect(run.order[0]).toBe('idle-end');
  });

  it('is deterministic for a seed and changes with it', () => {
    const summary = (options: GenOptions) => collect(options).finished.map((r) => `${r.index}:${r.chunkEndUs.join(',')}:${r.outputIds.join(',')}`);
    expect(summary({ requests: 60, seed: 21 })).toEqual(summary({ requests: 60, seed: 21 }));
    expect(summary({ requests: 60, seed: 21 })).not.toEqual(summary({ requests: 60, seed: 22 }));
  });

  it('rejects options it cannot simulate', () => {
    expect(() => simulate({ kvBlocks: 10 }).next()).toThrow(/--kv-blocks .* cannot hold the longest possible request/);
    expect(() => simulate({ maxNumBatchedTokens: 32 }).next()).toThrow(/--max-num-batched-tokens/);
    expect(() => simulate({ requests: 10, durationS: 5 }).next()).toThrow(/exclusive/);
    expect(() => simulate({ rate: 0 }).next()).toThrow(/--rate must be > 0/);
    expect(() => simulate({ specAccept: 1.5 }).next()).toThrow(/--spec-accept/);
    expect(() => simulate({ scenario: 'nope' as never }).next()).toThrow(/--scenario must be one of/);
  });
});

describe('simulate: prefix cache', () => {
  it('hits in multiturn sessions (shared prefixes) and never without sharing', () => {
    expect(busy.finished.every((r) => r.cachedTokens === 0)).toBe(true);
    const multiturn = collect({ scenario: 'multiturn', requests: 150, concurrency: 8, turns: 4, seed: 2 });
    const hits = multiturn.finished.filter((r) => r.cachedTokens > 0);
    expect(hits.length).toBeGreaterThan(multiturn.finished.length / 2);
    for (const r of multiturn.finished) {
      expect(r.cachedTokens % 16).toBe(0);
      expect(r.cachedTokens).toBeLessThan(r.promptTokens);
    }
    // Hits need no prefill compute: the sidecar's queries − hits is exactly the step's prefill tokens.
    for (const s of multiturn.steps) expect(s.prefix.queries - s.prefix.hits).toBe(s.prefillTokens);
    expect(multiturn.steps.reduce((n, s) => n + s.prefix.hits, 0)).toBe(multiturn.totals.cachedTokens);
  });

  it('counts resumed requests\' lookups as preempted_* in the step stats', () => {
    const preempted = pressure.steps.reduce((n, s) => n + s.prefix.preemptedRequests, 0);
    expect(preempted).toBeGreaterThan(0);
    for (const s of pressure.steps) {
      expect(s.prefix.preemptedRequests).toBeLessThanOrEqual(s.prefix.requests);
      expect(s.prefix.preemptedQueries).toBeLessThanOrEqual(s.prefix.queries);
    }
  });
});
