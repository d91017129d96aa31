/**
 * Bench inputs: generated captures at fixed sizes, written once into
 * bench/out/scale-<requests>/ and reused while present (bench/out is
 * gitignored). The generator options match bench/load.ts's, so the sizes
 * compare across benches.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateCapture } from '../../src/gen/index.js';

export interface ScaleInput {
  label: string;
  requests: number;
  dir: string;
  trace: string;
  stepStats: string;
  /** Trace file bytes. */
  bytes: number;
}

/** About 280 gaps per request with outputMedian 256 (~21 bytes of JSONL per gap). */
export const SIZES = [
  { label: '1e5 gaps', requests: 360 },
  { label: '1e6 gaps', requests: 3_600 },
  { label: '1e7 gaps', requests: 36_000 },
] as const;

/** ≥ 1 GB of engine trace, for the memory check. */
export const HUGE = { label: '≥1 GB trace', requests: 185_000 } as const;

export async function scaleInput(label: string, requests: number): Promise<ScaleInput> {
  const dir = resolve('bench/out', `scale-${requests}`);
  const trace = join(dir, 'trace.jsonl');
  const stepStats = join(dir, 'trace-step-stats.jsonl');
  if (!existsSync(trace) || !existsSync(stepStats)) {
    process.stdout.write(`  generating ${requests} requests into ${dir} (once) ...\n`);
    const summary = await generateCapture({ outDir: dir, requests, seed: 1, outputMedian: 256, stepSample: 0.01, snapshotSample: 0 });
    process.stdout.write(`  ${summary.gaps} gaps in ${(summary.elapsedMs / 1000).toFixed(0)} s\n`);
  }
  return { label, requests, dir, trace, stepStats, bytes: statSync(trace).size };
}
