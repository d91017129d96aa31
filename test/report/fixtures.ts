/**
 * Fixtures for the report tests: generated captures (src/gen) in temp dirs,
 * hand-written JSONL captures, and an independent reading of a trace's raw
 * lines, so report numbers are checked against a second computation that
 * shares nothing with the Capture builder.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { generateCapture, type GenOptions } from '../../src/gen/index.js';

/** A fresh temp dir per call, all removed after the calling test file. */
export function useTempDirs(prefix = 'vcr-report-'): () => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

export interface GeneratedFiles {
  dir: string;
  trace: string;
  stepStats: string;
  otlp: string;
}

export async function generate(dir: string, options: GenOptions): Promise<GeneratedFiles> {
  await generateCapture({ outDir: dir, ...options });
  return { dir, trace: join(dir, 'trace.jsonl'), stepStats: join(dir, 'trace-step-stats.jsonl'), otlp: join(dir, 'otlp.jsonl') };
}

/** Writes JSON lines (objects serialized, strings as given). */
export function writeJsonLines(path: string, values: unknown[]): string {
  writeFileSync(path, values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n');
  return path;
}

/** An engine-trace request line as written (formats.md §1), the fields these tests read. */
export interface RawRequest {
  prompt_tokens: number;
  output_tokens: number;
  ttft_ms: number;
  itl_ms?: number[];
  itl_tokens?: number[];
  concurrency?: number;
  arrival_ms?: number;
}

export function readRawRequests(tracePath: string): RawRequest[] {
  return readFileSync(tracePath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RawRequest & { meta?: unknown })
    .filter((record) => record.meta === undefined);
}

/**
 * Nearest rank written the textbook way, independently of src/stats: sort,
 * take the value at 1-based rank ceil(p·n). p·n is nudged down by 1e-9 so
 * float products such as 0.9·10 = 9.000000000000002 do not round up a rank.
 */
export function textbookPercentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length - 1e-9)));
  return sorted[rank - 1];
}

export function textbookMean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Per-request quantities from a raw line (formats.md §1 "Derived"), computed here rather than by vcr. */
export function rawDerived(r: RawRequest): { decode: number; e2e: number; tpot: number; meanItl: number; gaps: number[] } {
  const gaps = r.itl_ms ?? [];
  const decode = gaps.reduce((a, b) => a + b, 0);
  const first = r.itl_tokens ? r.output_tokens - r.itl_tokens.reduce((a, b) => a + b, 0) : Math.min(1, r.output_tokens);
  const after = r.output_tokens - first;
  return { decode, e2e: r.ttft_ms + decode, tpot: after > 0 ? decode / after : NaN, meanItl: gaps.length > 0 ? decode / gaps.length : NaN, gaps };
}

/** The SQL's power-of-two bucket, written from its CASE expression: concurrency ≤ 1 → 1, else 2^ceil(log2 c). */
export function sqlBucketMax(concurrency: number): number {
  return concurrency <= 1 ? 1 : 2 ** Math.ceil(Math.log2(concurrency));
}
