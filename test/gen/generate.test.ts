import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture, type GenSummary } from '../../src/gen/index.js';
import { attr, intAttr, nsToMs, readLines, readOtlpSpans, readSidecar, readTrace, type ScopedSpan } from './files.js';

const EPOCH_NS = 1771377149000000000n;
const root = mkdtempSync(join(tmpdir(), 'vcr-gen-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** µs-exact comparison of ms values that went through different sums. */
const sameMs = (a: number, b: number) => Math.abs(a - b) < 5e-7;

describe('generateCapture: files', () => {
  let summary: GenSummary;
  let dir: string;
  beforeAll(async () => {
    dir = join(root, 'default');
    // Abort, multiturn-free poisson run with snapshots off so every BATCH_SUMMARY survives the 128-event limit.
    summary = await generateCapture({ outDir: dir, requests: 200, seed: 1, abortRate: 0.1, snapshotSample: 0 });
  });

  it('writes the three streams and nothing else (temp files renamed away)', () => {
    expect(readdirSync(dir).sort()).toEqual(['otlp.jsonl', 'trace-step-stats.jsonl', 'trace.jsonl']);
    expect(summary.files.map((f) => f.kind)).toEqual(['trace', 'step-stats', 'otlp']);
    for (const file of summary.files) expect(file.bytes).toBeGreaterThan(1000);
    expect(summary.requests).toBe(200);
    expect(summary.steps).toBeGreaterThan(100);
  });

  it('writes a meta line with the ground truth under "sim"', () => {
    const { meta } = readTrace(join(dir, 'trace.jsonl'));
    expect(meta).toMatchObject({ source: 'synthetic', tp: 1, max_num_seqs: 64, block_size: 16, gpu: 'H100', vllm_version: 'v1-sim' });
    const sim = meta.sim as Record<string, Record<string, unknown>>;
    expect(sim.version).toBe('1.0.0');
    expect(sim.seed).toBe(1);
    expect(sim.scenario).toEqual({ name: 'poisson', requests: 200, rate: 8 });
    expect(sim.step_time).toMatchObject({ beta0_us: 6000, beta1_us_per_prefill_token: 25, beta2_us_per_decode_token: 35, beta3_us_per_1k_context_tokens: 40 });
    expect(sim.api_overhead).toMatchObject({ alpha_coeffs: [1200, 1, 5] });
    expect(sim.scheduler).toMatchObject({ max_num_batched_tokens: 2048, kv_blocks: 26000, block_size: 16 });
    expect(sim.clock).toMatchObject({ unit: 'ms', otlp_epoch_ns: '1771377149000000000' });
  });

  it('writes one record per request in finish order, self-consistent per formats.md §1', () => {
    const { records } = readTrace(join(dir, 'trace.jsonl'));
    expect(records).toHaveLength(200);
    let lastEnd = 0;
    for (const r of records) {
      const end = r.arrival_ms + r.ttft_ms + r.itl_ms.reduce((a, b) => a + b, 0);
      expect(end).toBeGreaterThanOrEqual(lastEnd - 1e-6);
      lastEnd = end;
      expect(r.itl_ms).toHaveLength(r.output_tokens - 1);
      expect(r.itl_ctx.num_running).toHaveLength(r.itl_ms.length);
      expect(r.itl_ctx.prefill_tokens).toHaveLength(r.itl_ms.length);
      expect(r.output_token_ids).toHaveLength(r.output_tokens);
      expect(r.block_hashes).toHaveLength(Math.floor(r.prompt_tokens / 16));
      expect(r.itl_tokens).toBeUndefined();
      for (const x of [r.ttft_ms, r.arrival_ms, ...r.itl_ms]) expect(Math.round(x * 1000) / 1000).toBe(x);
    }
    expect(new Set(records.map((r) => r.finish_reason))).toEqual(new Set(['stop', 'length', 'abort']));
    expect(Math.min(...records.map((r) => r.arrival_ms))).toBeGreaterThan(0);
  });

  it('writes block hashes as exact integers, many above 2^53', () => {
    const text = readFileSync(join(dir, 'trace.jsonl'), 'utf8');
    expect(text).not.toMatch(/"block_hashes":\[[^\]]*[.eE]/);
    const { records } = readTrace(join(dir, 'trace.jsonl'));
    const hashes = records.flatMap((r) => r.block_hashes);
    expect(hashes.filter((h) => h > 2n ** 53n).length).toBeGreaterThan(hashes.length * 0.9);
    expect(hashes.every((h) => h < 2n ** 64n)).toBe(true);
  });

  it('agrees across the three streams: requests, journey times, steps and gap ends', () => {
    const { records } = readTrace(join(dir, 'trace.jsonl'));
    const sidecar = readSidecar(join(dir, 'trace-step-stats.jsonl'));
    const spans = readOtlpSpans(join(dir, 'otlp.jsonl'));
    const api = spans.filter((s) => s.scope === 'vllm.api');
    const core = spans.filter((s) => s.scope === 'vllm.scheduler');
    const stepSpans = spans.filter((s) => s.scope === 'vllm.scheduler.step');

    // Same requests: one API and one core span each, joined by parentSpanId; core spans come in finish order like the trace.
    expect(api).toHaveLength(records.length);
    expect(core).toHaveLength(records.length);
    const apiBySpanId = new Map(api.map((s) => [s.span.spanId, s.span]));
    const earliest = spans.flatMap((s) => [s.span.startTimeUnixNano, ...(s.span.events ?? []).map((e) => e.timeUnixNano)]).map(BigInt);
    expect(earliest.reduce((a, b) => (a < b ? a : b))).toBe(EPOCH_NS);

    const stepEnds = new Set(sidecar.slice(1).map((l) => Math.round(l.ts_ms * 1000)));
    records.forEach((r, i) => {
      const span = core[i].span;
      const parent = apiBySpanId.get(span.parentSpanId!)!;
      expect(parent.traceId).toBe(span.traceId);
      expect(String(attr(span.attributes, 'gen_ai.request.id')!.stringValue)).toContain(String(attr(parent.attributes, 'gen_ai.request.id')!.stringValue));
      expect(intAttr(parent.attributes, 'gen_ai.usage.prompt_tokens')).toBe(r.prompt_tokens);
      expect(intAttr(parent.attributes, 'gen_ai.usage.completion_tokens')).toBe(r.output_tokens);
      const at = (type: string) => nsToMs(span.events!.find((e) => e.name === `journey.${type}`)!.timeUnixNano, EPOCH_NS);
      expect(at('QUEUED')).toBe(r.arrival_ms);
      expect(sameMs(at('FIRST_TOKEN'), r.arrival_ms + r.ttft_ms)).toBe(true);
      expect(sameMs(at('FINISHED'), r.arrival_ms + r.ttft_ms + r.itl_ms.reduce((a, b) => a + b, 0))).toBe(true);
      const apiAt = (type: string) => nsToMs(parent.events!.find((e) => e.name === `api.${type}`)!.timeUnixNano, EPOCH_NS);
      expect(apiAt('HANDOFF_TO_CORE')).toBe(r.arrival_ms);
      expect(apiAt('FIRST_RESPONSE_FROM_CORE')).toBe(at('FIRST_TOKEN'));
      const finish = r.finish_reason === 'abort' ? 'ABORTED' : 'DEPARTED';
      expect(apiAt(finish)).toBeGreaterThanOrEqual(at('FINISHED'));
      // Every token delivery is a step end in the sidecar.
      let t = Math.round((r.arrival_ms + r.ttft_ms) * 1000);
      expect(stepEnds.has(t)).toBe(true);
      for (const gap of r.itl_ms) {
        t += Math.round(gap * 1000);
        expect(stepEnds.has(t)).toBe(true);
      }
    });

    // Same steps: one sidecar step line and one BATCH_SUMMARY per step (sample 1.0), on the same clock.
    const summaries = stepSpans
      .flatMap((s) => s.span.events ?? [])
      .filter((e) => e.name === 'step.BATCH_SUMMARY')
      .sort((a, b) => intAttr(a.attributes, 'step.id') - intAttr(b.attributes, 'step.id'));
    const stepLines = sidecar.filter((l) => l.scheduler.step_counter !== undefined);
    expect(summaries).toHaveLength(stepLines.length);
    expect(stepLines.map((l) => l.scheduler.step_counter)).toEqual(summaries.map((_, i) => i + 1));
    for (let i = 1; i < sidecar.length; i++) {
      const line = sidecar[i];
      if (line.scheduler.step_counter === undefined) continue;
      const summary = summaries[line.scheduler.step_counter - 1];
      // The step started when the previous line (step end or idle marker) was written and ended at this line.
      expect(nsToMs(attr(summary.attributes, 'step.ts_start_ns')!.intValue!, EPOCH_NS)).toBe(sidecar[i - 1].ts_ms);
      expect(intAttr(summary.attributes, 'batch.prefill_tokens') > 0).toBe((line.scheduler.prefix_cache_stats?.requests ?? 0) > 0);
    }
  });

  it('marks idle periods in the sidecar so no step interval contains idle time', () => {
    const sidecar = readSidecar(join(dir, 'trace-step-stats.jsonl'));
    expect(sidecar[0]).toEqual({ ts_ms: 0, scheduler: { num_running_reqs: 0, num_waiting_reqs: 0, kv_cache_usage: 0, spec_decoding_stats: null } });
    const markers = sidecar.filter((l, i) => i > 0 && l.scheduler.step_counter === undefined);
    expect(markers.length).toBeGreaterThan(0);
    for (let i = 1; i < sidecar.length; i++) {
      const line = sidecar[i];
      const previous = sidecar[i - 1];
      const ranPrefill = (line.scheduler.prefix_cache_stats?.requests ?? 0) > 0;
      const idleInterval = previous.scheduler.num_running_reqs === 0 && !ranPrefill;
      // The documented rule identifies exactly the markers.
      expect(idleInterval).toBe(line.scheduler.step_counter === undefined);
      expect(line.ts_ms).toBeGreaterThan(previous.ts_ms);
    }
  });

  it('encodes OTLP as the collector file exporter does', () => {
    const lines = readLines(join(dir, 'otlp.jsonl'));
    expect(lines.length).toBeGreaterThan(1);
    const spans = readOtlpSpans(join(dir, 'otlp.jsonl'));
    for (const { span, scope } of spans) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof span.startTimeUnixNano).toBe('string');
      expect(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano)).toBe(true);
      expect(span.kind).toBe(scope === 'vllm.api' ? 2 : 1);
      for (const a of [...span.attributes, ...(span.events ?? []).flatMap((e) => e.attributes)]) {
        if (a.value.intValue !== undefined) expect(a.value.intValue).toMatch(/^-?\d+$/);
        if (a.value.doubleValue !== undefined) expect(typeof a.value.doubleValue).toBe('number');
      }
    }
    // Zero-valued fields are omitted, keys are lowerCamelCase.
    const text = lines.join('\n');
    expect(text).not.toMatch(/"droppedEventsCount":0|"parentSpanId":""|_unix_nano|"status"/);
    // Lines are written as spans close, not sorted by start time.
    const starts = spans.map((s) => BigInt(s.span.startTimeUnixNano));
    expect(starts.some((t, i) => i > 0 && t < starts[i - 1])).toBe(true);
    // Core events carry every attribute §3 lists.
    const queued = spans.find((s) => s.scope === 'vllm.scheduler')!.span.events![0];
    expect(queued.attributes.map((a) => a.key)).toEqual([
      'event.type',
      'ts.monotonic',
      'ts.monotonic_ns',
      'scheduler.step',
      'phase',
      'prefill.done_tokens',
      'prefill.total_tokens',
      'decode.done_tokens',
      'decode.max_tokens',
      'num_preemptions',
    ]);
  });

  it('writes step.duration_us as scheduler CPU time, far below the step wall time', () => {
    const spans = readOtlpSpans(join(dir, 'otlp.jsonl')).filter((s) => s.scope === 'vllm.scheduler.step');
    const summaries = spans.flatMap((s) => s.span.events ?? []);
    for (const e of summaries) {
      const cpu = intAttr(e.attributes, 'step.duration_us');
      const start = BigInt(attr(e.attributes, 'step.ts_start_ns')!.intValue!);
      const end = BigInt(attr(e.attributes, 'step.ts_end_ns')!.intValue!);
      expect(end - start).toBe(BigInt(cpu) * 1000n);
      expect(cpu).toBeLessThan(6000);
    }
    for (const { span } of spans) {
      expect(span.name).toMatch(/^scheduler_steps_\d+$/);
      expect(intAttr(span.attributes, 'scheduler.closure_interval')).toBe(100);
      expect(span.events!.length).toBeLessThanOrEqual(100);
    }
  });
});

describe('generateCapture: options', () => {
  const hashDir = async (dir: string) => readdirSync(dir).map((name) => `${name}:${readFileSync(join(dir, name)).toString('base64')}`);

  it('gives byte-identical files for the same seed and different files for another seed', async () => {
    const options = { requests: 60, scenario: 'multiturn' as const, specK: 3, abortRate: 0.1 };
    await generateCapture({ ...options, outDir: join(root, 'a'), seed: 7 });
    await generateCapture({ ...options, outDir: join(root, 'b'), seed: 7 });
    await generateCapture({ ...options, outDir: join(root, 'c'), seed: 8 });
    const a = await hashDir(join(root, 'a'));
    expect(a).toEqual(await hashDir(join(root, 'b')));
    const c = await hashDir(join(root, 'c'));
    for (let i = 0; i < a.length; i++) expect(a[i]).not.toEqual(c[i]);
  });

  it('writes gzip files with the same content', async () => {
    await generateCapture({ requests: 40, seed: 3, outDir: join(root, 'plain') });
    const summary = await generateCapture({ requests: 40, seed: 3, outDir: join(root, 'gz'), gzip: true });
    expect(readdirSync(join(root, 'gz')).sort()).toEqual(['otlp.jsonl.gz', 'trace-step-stats.jsonl.gz', 'trace.jsonl.gz']);
    for (const name of ['trace', 'trace-step-stats', 'otlp']) {
      expect(readLines(join(root, 'gz', `${name}.jsonl.gz`))).toEqual(readLines(join(root, 'plain', `${name}.jsonl`)));
    }
    expect(summary.files[0].path.endsWith('trace.jsonl.gz')).toBe(true);
  });

  it('writes itl_tokens and spec_decoding_stats with speculative decoding', async () => {
    const dir = join(root, 'spec');
    await generateCapture({ requests: 40, seed: 3, specK: 4, outDir: dir });
    const { records } = readTrace(join(dir, 'trace.jsonl'));
    for (const r of records) {
      expect(r.itl_tokens).toHaveLength(r.itl_ms.length);
      expect(r.output_tokens - r.itl_tokens!.reduce((a, b) => a + b, 0)).toBe(1);
      expect(Math.max(0, ...r.itl_tokens!)).toBeLessThanOrEqual(5);
    }
    const stats = readSidecar(join(dir, 'trace-step-stats.jsonl')).filter((l) => l.scheduler.spec_decoding_stats !== null);
    expect(stats.length).toBeGreaterThan(10);
    for (const l of stats) expect(l.scheduler.spec_decoding_stats!.num_draft_tokens).toBe(4 * l.scheduler.spec_decoding_stats!.num_drafts);
  });

  it('honours the 128-events-per-span limit: keeps the newest, counts the dropped', async () => {
    const dir = join(root, 'snapshots');
    const summary = await generateCapture({ requests: 80, rate: 12, seed: 2, snapshotSample: 1, outDir: dir });
    const stepSpans: ScopedSpan[] = readOtlpSpans(join(dir, 'otlp.jsonl')).filter((s) => s.scope === 'vllm.scheduler.step');
    const dropped = stepSpans.filter((s) => (s.span.droppedEventsCount ?? 0) > 0);
    expect(dropped.length).toBeGreaterThan(0);
    for (const { span } of stepSpans) {
      expect(span.events!.length).toBeLessThanOrEqual(128);
      const ids = span.events!.map((e) => intAttr(e.attributes, 'step.id'));
      // Newest kept: the span's last step is present, and its events are in step order.
      expect(ids.at(-1)).toBe(intAttr(span.attributes, 'scheduler.step_range_end'));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    }
    for (const { span } of dropped) expect(span.events).toHaveLength(128);
    const snapshots = stepSpans.flatMap((s) => s.span.events!).filter((e) => e.name === 'step.REQUEST_SNAPSHOT');
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots[0].attributes.map((a) => a.key)).toEqual(
      expect.arrayContaining(['step.id', 'request.id', 'request.phase', 'request.num_computed_tokens', 'kv.blocks_allocated_gpu']),
    );
    expect(summary.steps).toBeGreaterThan(0);
  });

  it('records preemptions in every stream under KV pressure', async () => {
    const dir = join(root, 'pressure');
    const summary = await generateCapture({ requests: 150, rate: 14, seed: 5, kvBlocks: 360, promptMax: 2048, maxTokens: 512, outDir: dir });
    expect(summary.preemptions).toBeGreaterThan(0);
    const core = readOtlpSpans(join(dir, 'otlp.jsonl')).filter((s) => s.scope === 'vllm.scheduler');
    const preempted = core.flatMap((s) => s.span.events!).filter((e) => e.name === 'journey.PREEMPTED');
    expect(preempted).toHaveLength(summary.preemptions);
    const resumes = core.flatMap((s) => s.span.events!).filter((e) => attr(e.attributes, 'schedule.kind')?.stringValue === 'RESUME');
    expect(resumes).toHaveLength(summary.preemptions);
    const stats = readSidecar(join(dir, 'trace-step-stats.jsonl'));
    expect(Math.max(...stats.map((l) => l.scheduler.kv_cache_usage))).toBeGreaterThan(0.9);
  });

  it('leaves no output behind when the options are invalid', async () => {
    const dir = join(root, 'invalid');
    await expect(generateCapture({ outDir: dir, kvBlocks: 5 })).rejects.toThrow(/--kv-blocks/);
    expect(() => readdirSync(dir)).toThrow();
  });
});
