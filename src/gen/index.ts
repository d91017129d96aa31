/**
 * `generateCapture`: runs the scheduler simulation and streams its events
 * into the three capture files (engine trace, step-stats sidecar, OTLP) in
 * one pass, each written atomically.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveGenConfig, type GenConfig, type GenOptions } from './config.js';
import type { SimTotals } from './events.js';
import { LineSink } from './lineSink.js';
import { OtlpWriter } from './otlpWriter.js';
import { simulate } from './simulate.js';
import { StepStatsWriter } from './stepStatsWriter.js';
import { EngineTraceWriter } from './traceWriter.js';

export { simulate } from './simulate.js';
export { resolveGenConfig, GenConfigError, DEFAULTS, GENERATOR_VERSION, SCENARIOS } from './config.js';
export type { GenConfig, GenOptions, Scenario } from './config.js';
export { StepBatch, PHASE_DECODE, PHASE_PREFILL } from './events.js';
export type * from './events.js';

export interface GenerateOptions extends GenOptions {
  /** Output directory (created if missing). */
  outDir: string;
  /** Write `.jsonl.gz` instead of `.jsonl`. */
  gzip?: boolean;
}

export interface GenFile {
  kind: 'trace' | 'step-stats' | 'otlp';
  path: string;
  bytes: number;
}

export interface GenSummary extends SimTotals {
  config: GenConfig;
  /** Prefix-cache hit tokens / prompt tokens, over first admissions. */
  prefixHitRate: number;
  files: GenFile[];
  /** Wall-clock time the generation took, ms. */
  elapsedMs: number;
}

export const OUTPUT_NAMES = { trace: 'trace', 'step-stats': 'trace-step-stats', otlp: 'otlp' } as const;

export async function generateCapture(options: GenerateOptions): Promise<GenSummary> {
  const started = performance.now();
  const config = resolveGenConfig(options);
  await mkdir(options.outDir, { recursive: true });
  const extension = options.gzip ? '.jsonl.gz' : '.jsonl';
  const pathOf = (kind: GenFile['kind']) => join(options.outDir, OUTPUT_NAMES[kind] + extension);
  const traceSink = new LineSink(pathOf('trace'), options.gzip ?? false);
  const stepSink = new LineSink(pathOf('step-stats'), options.gzip ?? false);
  const otlpSink = new LineSink(pathOf('otlp'), options.gzip ?? false);
  const sinks = [traceSink, stepSink, otlpSink];

  let totals: SimTotals;
  try {
    const trace = new EngineTraceWriter(traceSink, config);
    const steps = new StepStatsWriter(stepSink);
    const otlp = new OtlpWriter(otlpSink, config);
    await trace.start();
    await steps.start();
    const events = simulate(config);
    let next = events.next();
    while (!next.done) {
      const event = next.value;
      // Writers return a promise only under back-pressure; await just those.
      if (event.kind === 'step') {
        const stepsWait = steps.onStep(event);
        const otlpWait = otlp.onStep(event);
        if (stepsWait !== undefined) await stepsWait;
        if (otlpWait !== undefined) await otlpWait;
      } else if (event.kind === 'finished') {
        otlp.onFinished(event.request);
        const traceWait = trace.onFinished(event.request);
        if (traceWait !== undefined) await traceWait;
      } else {
        const stepsWait = steps.onIdleEnd(event);
        if (stepsWait !== undefined) await stepsWait;
      }
      next = events.next();
    }
    totals = next.value;
    await otlp.finish();
    for (const sink of sinks) await sink.commit();
  } catch (error) {
    await Promise.all(sinks.map((sink) => sink.abort()));
    throw error;
  }

  const files: GenFile[] = [];
  for (const [kind, sink] of [['trace', traceSink], ['step-stats', stepSink], ['otlp', otlpSink]] as const) {
    files.push({ kind, path: sink.path, bytes: (await stat(sink.path)).size });
  }
  return {
    ...totals,
    config,
    prefixHitRate: totals.promptTokens > 0 ? totals.cachedTokens / totals.promptTokens : 0,
    files,
    elapsedMs: performance.now() - started,
  };
}
