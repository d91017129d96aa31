/**
 * Fixtures for the Perfetto writer tests: hand-written captures (JSON lines
 * in a temp dir, read through the project's own loader), a generated capture
 * shared by a test file, and helpers that write a trace and read it back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import type { Capture } from '../../src/capture/model.js';
import { generateCapture, type GenOptions } from '../../src/gen/index.js';
import { writePerfettoTrace, type PerfettoOptions, type PerfettoSummary } from '../../src/perfetto/writeTrace.js';
import { decodeChromeJson, decodePerfetto, type DecodedTrace } from '../helpers/decodePerfetto.js';

/** A temp dir removed after the calling test file. */
export function useTempDir(prefix = 'vcr-perfetto-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeLines(dir: string, name: string, values: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join('\n') + '\n');
  return path;
}

export interface HandCapture {
  meta?: Record<string, unknown>;
  requests: Record<string, unknown>[];
  /** Step-stats sidecar lines. */
  steps?: Record<string, unknown>[];
}

let counter = 0;

/** Writes the records as formats.md files and loads them like `vcr proto` does. */
export async function handCapture(dir: string, spec: HandCapture): Promise<Capture> {
  const id = counter++;
  const lines = spec.meta ? [{ meta: spec.meta }, ...spec.requests] : spec.requests;
  const trace = writeLines(dir, `trace-${id}.jsonl`, lines);
  const stepStats = spec.steps ? writeLines(dir, `steps-${id}.jsonl`, spec.steps) : undefined;
  return loadCapture({ trace, stepStats }, { warn: () => undefined });
}

/** A step-stats sidecar line. */
export function stepLine(tsMs: number, running: number, waiting: number, prefill?: { requests: number; queries: number }, extra: Record<string, unknown> = {}) {
  return {
    ts_ms: tsMs,
    scheduler: {
      num_running_reqs: running,
      num_waiting_reqs: waiting,
      kv_cache_usage: 0.25,
      prefix_cache_stats: { requests: prefill?.requests ?? 0, queries: prefill?.queries ?? 0, hits: 0 },
      ...extra,
    },
  };
}

export interface GeneratedCapture {
  dir: string;
  capture: Capture;
  files: { trace: string; stepStats: string; otlp: string };
}

/** Generates a capture with all three streams and loads it. */
export async function generatedCapture(dir: string, options: GenOptions = {}): Promise<GeneratedCapture> {
  await generateCapture({ outDir: dir, requests: 120, seed: 7, ...options });
  const files = { trace: join(dir, 'trace.jsonl'), stepStats: join(dir, 'trace-step-stats.jsonl'), otlp: join(dir, 'otlp.jsonl') };
  const capture = await loadCapture(files, { warn: () => undefined });
  return { dir, capture, files };
}

export interface ProtoResult {
  summary: PerfettoSummary;
  trace: DecodedTrace;
  path: string;
}

export async function writeProto(capture: Capture, dir: string, options: Omit<PerfettoOptions, 'format'> = {}): Promise<ProtoResult> {
  const path = join(dir, `out-${counter++}.pftrace`);
  const summary = await writePerfettoTrace(capture, path, { format: 'proto', ...options });
  return { summary, trace: decodePerfetto(readFileSync(path)), path };
}

export async function writeJson(capture: Capture, dir: string, options: Omit<PerfettoOptions, 'format'> = {}) {
  const path = join(dir, `out-${counter++}.json`);
  const summary = await writePerfettoTrace(capture, path, { format: 'json', ...options });
  return { summary, trace: decodeChromeJson(readFileSync(path, 'utf8')), path };
}

/** ms → ns as the inputs denote them. */
export const ns = (ms: number): number => Math.round(ms * 1e6);
