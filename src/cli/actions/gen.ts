import { relative } from 'node:path';
import { GenConfigError, generateCapture, type GenSummary, type GenerateOptions } from '../../gen/index.js';
import type { GenFlags } from '../commands/gen.js';
import { UsageError } from '../errors.js';

/** `vcr gen` (options: commands/gen.ts). */
export async function runGen(flags: GenFlags): Promise<void> {
  const summary = await generateCapture(toOptions(flags)).catch((error: unknown) => {
    throw error instanceof GenConfigError ? new UsageError(error.message) : error;
  });
  process.stdout.write(renderSummary(summary));
}

function toOptions(f: GenFlags): GenerateOptions {
  return {
    outDir: f.out,
    gzip: f.gzip,
    scenario: f.scenario,
    requests: f.requests,
    durationS: f.duration,
    rate: f.rate,
    burstSize: f.burstSize,
    burstIntervalS: f.burstInterval,
    concurrency: f.concurrency,
    thinkTimeMs: f.thinkTime,
    turns: f.turns,
    phaseDurationS: f.phaseDuration,
    promptMedian: f.promptMedian,
    promptMax: f.promptMax,
    outputMedian: f.outputMedian,
    maxTokens: f.maxTokens,
    abortRate: f.abortRate,
    seed: f.seed,
    maxNumSeqs: f.maxNumSeqs,
    maxNumBatchedTokens: f.maxNumBatchedTokens,
    kvBlocks: f.kvBlocks,
    blockSize: f.blockSize,
    specK: f.specK,
    specAccept: f.specAccept,
    beta0: f.beta0,
    beta1: f.beta1,
    beta2: f.beta2,
    beta3: f.beta3,
    noise: f.noise,
    alpha0: f.alpha0,
    alpha1: f.alpha1,
    alpha2: f.alpha2,
    stepSample: f.stepSample,
    snapshotSample: f.snapshotSample,
    closureInterval: f.closureInterval,
    model: f.model,
    gpu: f.gpu,
  };
}

function renderSummary(s: GenSummary): string {
  const lines = [
    `${s.config.scenario}: ${s.requests} requests (${s.aborted} aborted), ${s.gaps} inter-token gaps, ${s.steps} steps, ${s.preemptions} preemptions`,
    `prefix-cache hit rate ${(100 * s.prefixHitRate).toFixed(1)}% of prompt tokens; capture length ${(s.endUs / 1e6).toFixed(1)} s (generated in ${(s.elapsedMs / 1000).toFixed(1)} s)`,
    ...s.files.map((file) => `  ${relative(process.cwd(), file.path) || file.path}  ${formatBytes(file.bytes)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}
