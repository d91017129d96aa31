/**
 * Generates a `vcr gen` capture into a temporary directory and loads it, once
 * per distinct option set within a test file (generation is the slow part).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCapture } from '../../src/capture/load.js';
import type { Capture } from '../../src/capture/model.js';
import { generateCapture, type GenOptions } from '../../src/gen/index.js';

export interface GeneratedCapture {
  dir: string;
  capture: Capture;
}

const cache = new Map<string, Promise<GeneratedCapture>>();

/** `streams` picks the files loaded: OTLP alone (the default) or with the trace and/or sidecar; `otlp: false` leaves it out. */
export function generated(options: GenOptions, streams: { trace?: boolean; stepStats?: boolean; otlp?: boolean } = {}): Promise<GeneratedCapture> {
  const key = JSON.stringify([options, streams]);
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vcr-fit-test-'));
      await generateCapture({ outDir: dir, ...options });
      const capture = await loadCapture({
        otlp: streams.otlp === false ? undefined : join(dir, 'otlp.jsonl'),
        trace: streams.trace ? join(dir, 'trace.jsonl') : undefined,
        stepStats: streams.stepStats ? join(dir, 'trace-step-stats.jsonl') : undefined,
      });
      return { dir, capture };
    })();
    cache.set(key, entry);
  }
  return entry;
}
