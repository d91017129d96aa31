/**
 * The generator's output must pass the project's own readers (strict mode,
 * no warnings) and read back as what was simulated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../src/capture/records.js';
import { generateCapture, type GenerateOptions } from '../../src/gen/index.js';
import { openEngineTrace } from '../../src/ingest/engineTrace.js';
import { readOtlp } from '../../src/ingest/otlp/reader.js';
import { readStepStats } from '../../src/ingest/stepStats.js';
import { readSidecar, readTrace } from './files.js';

const root = mkdtempSync(join(tmpdir(), 'vcr-gen-readers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function readAll(options: Omit<GenerateOptions, 'outDir'>, name: string) {
  const dir = join(root, name);
  const summary = await generateCapture({ ...options, outDir: dir });
  const ext = options.gzip ? '.jsonl.gz' : '.jsonl';
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const trace = await openEngineTrace(join(dir, `trace${ext}`), { warn });
  const records: TraceRecord[] = [];
  for await (const record of trace.records) records.push(record);
  const steps = [];
  for await (const step of readStepStats(join(dir, `trace-step-stats${ext}`), { warn })) steps.push(step);
  const otlp = await readOtlp(join(dir, `otlp${ext}`), { warn });
  return { dir, summary, meta: trace.meta, records, steps, otlp, warnings };
}

describe('generated captures pass the project readers', () => {
  let run: Awaited<ReturnType<typeof readAll>>;
  beforeAll(async () => {
    // No snapshots: every BATCH_SUMMARY fits its span (the 128-event limit is tested below).
    run = await readAll({ requests: 150, seed: 12, abortRate: 0.1, snapshotSample: 0 }, 'poisson');
  });

  it('reads the engine trace: meta (with the sim ground truth) and every record, exactly', () => {
    expect(run.warnings).toEqual([]);
    expect(run.meta).toMatchObject({ model: 'meta-llama/Llama-3.1-8B-Instruct', gpu: 'H100', tp: 1, maxNumSeqs: 64, blockSize: 16, source: 'synthetic' });
    expect(run.meta.extra.sim).toMatchObject({ seed: 12, version: '1.0.0' });
    expect(run.records).toHaveLength(150);
    const { records: raw } = readTrace(join(run.dir, 'trace.jsonl'));
    run.records.forEach((r, i) => {
      expect(r.promptTokens).toBe(raw[i].prompt_tokens);
      expect(r.arrivalMs).toBe(raw[i].arrival_ms);
      expect(r.finishReason).toBe(raw[i].finish_reason);
      expect(Array.from(r.itlMs ?? [])).toEqual(raw[i].itl_ms);
      expect(Array.from(r.itlCtx?.numRunning ?? [])).toEqual(raw[i].itl_ctx.num_running);
      // Block hashes above 2^53 survive exactly.
      expect(Array.from(r.blockHashes ?? [])).toEqual(raw[i].block_hashes);
    });
  });

  it('reads the sidecar: every line, same clock as the trace', () => {
    const raw = readSidecar(join(run.dir, 'trace-step-stats.jsonl'));
    expect(run.steps).toHaveLength(raw.length);
    expect(run.steps.map((s) => s.tsMs)).toEqual(raw.map((l) => l.ts_ms));
    expect(run.steps.filter((s) => s.extra.step_counter !== undefined)).toHaveLength(run.summary.steps);
    expect(run.steps.at(-1)!.numRunningReqs).toBe(0);
  });

  it('reads the OTLP file: every journey joined, every step summary, the same t = 0', () => {
    const { otlp, records } = run;
    expect(otlp.epochNs).toBe(1771377149000000000n);
    expect(otlp.stats.unknownEvents).toEqual({});
    expect(otlp.stats.unjoinedApiSpans).toBe(0);
    expect(otlp.stats.unjoinedCoreSpans).toBe(0);
    expect(otlp.requests).toHaveLength(records.length);
    expect(otlp.stats.droppedEvents).toBe(0);
    expect(otlp.steps.map((s) => s.stepId)).toEqual(Array.from({ length: run.summary.steps }, (_, i) => i + 1));
    // Each step starts where the sidecar's previous line (step end or idle marker) is.
    const lineBefore = new Map<number, number>();
    run.steps.forEach((s, i) => {
      const id = s.extra.step_counter as number | undefined;
      if (id !== undefined) lineBefore.set(id, run.steps[i - 1].tsMs);
    });
    for (const step of otlp.steps) expect(step.startMs).toBe(lineBefore.get(step.stepId));
    const queued = new Set(records.map((r) => r.arrivalMs));
    for (const request of otlp.requests) {
      const types = request.events.map((e) => e.type);
      expect(types[0]).toBe('ARRIVED');
      expect(types).toContain('QUEUED');
      expect(types).toContain('FIRST_TOKEN');
      const q = request.events.find((e) => e.type === 'QUEUED')!;
      expect(queued.has(q.tsMs)).toBe(true);
    }
  });
});

describe('generated captures pass the project readers in every mode', () => {
  it('gzip, speculative decoding, multiturn prefix hits, preemptions and dropped span events', async () => {
    const run = await readAll(
      { scenario: 'multiturn', requests: 120, concurrency: 12, seed: 4, specK: 3, kvBlocks: 700, gzip: true, snapshotSample: 1 },
      'everything',
    );
    expect(run.warnings).toEqual([]);
    expect(run.records).toHaveLength(120);
    expect(run.records.some((r) => r.cachedTokens > 0)).toBe(true);
    expect(run.records.some((r) => (r.itlTokens ?? []).some((t) => t > 1))).toBe(true);
    expect(run.summary.preemptions).toBeGreaterThan(0);
    expect(run.steps.some((s) => (s.specDecodingStats?.numDrafts ?? 0) > 0)).toBe(true);
    expect(run.otlp.requests).toHaveLength(120);
    expect(run.otlp.stats.droppedEvents).toBeGreaterThan(0);
    expect(run.otlp.snapshots.length).toBeGreaterThan(0);
    const preempted = run.otlp.requests.flatMap((r) => r.events).filter((e) => e.type === 'PREEMPTED');
    expect(preempted).toHaveLength(run.summary.preemptions);
  });

  it('every scenario', async () => {
    for (const scenario of ['burst', 'closed', 'sweep'] as const) {
      const run = await readAll({ scenario, requests: 60, seed: 2, phaseDurationS: 2 }, scenario);
      expect(run.warnings).toEqual([]);
      expect(run.records).toHaveLength(60);
      expect(run.otlp.requests).toHaveLength(60);
    }
  });
});
