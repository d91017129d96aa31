import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import type { CaptureView } from '../../src/capture/model.js';
import { spillCapture, withSpilledCapture } from '../../src/capture/spill/spilledCapture.js';
import { captureView } from '../../src/capture/view.js';
import { generateCapture } from '../../src/gen/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vcr-spill-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeLines(name: string, values: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join('\n') + '\n');
  return path;
}

/** Every edge the rows can have: per-gap context or not, spec-decode chunks, summaries, no arrival, hashes, token ids. */
const EDGE_REQUESTS = [
  { meta: { model: 'm' } },
  // Written as text: block hashes are exact uint64s, beyond what a JS number holds.
  '{"prompt_tokens":40,"output_tokens":4,"ttft_ms":5,"itl_ms":[1.5,2.25,3],"arrival_ms":10,"itl_ctx":{"num_running":[2,3,1],"prefill_tokens":[0,16,0]},"output_token_ids":[5,6,7,8],"block_hashes":[1,18446744073709551615]}',
  { prompt_tokens: 8, output_tokens: 7, ttft_ms: 2, itl_ms: [4, 6], itl_tokens: [2, 3], arrival_ms: 0, output_token_ids: [1, 2, 3, 4, 5, 6, 7] },
  { prompt_tokens: 8, output_tokens: 11, ttft_ms: 1, itl_summary: { mean_ms: 1.5, count: 10 }, arrival_ms: 3 },
  { prompt_tokens: 8, output_tokens: 3, ttft_ms: 1, itl_ms: [0, 0.001] },
  { prompt_tokens: 8, output_tokens: 1, ttft_ms: 9, arrival_ms: 2, mm_hashes: ['img'] },
];

function expectSameRows(spilled: CaptureView, memory: CaptureView): void {
  // The in-memory table also carries the list columns; the spilled one keeps those in its rows.
  const columns = Object.fromEntries(Object.keys(spilled.requests).map((key) => [key, memory.requests[key as keyof typeof memory.requests]]));
  expect(spilled.requests).toEqual(columns);
  expect(spilled.stats).toEqual(memory.stats);
  expect(spilled.gapsHaveContext).toBe(memory.gapsHaveContext);
  for (let r = 0; r < memory.requests.count; r++) {
    const a = spilled.rows.rows(r);
    const b = memory.rows.rows(r);
    expect({ ...a }).toEqual({ ...b });
  }
}

describe('spilled capture', () => {
  it('reads back every request row exactly as the in-memory model holds it (edge cases)', async () => {
    const trace = writeLines('edges.jsonl', EDGE_REQUESTS);
    const memory = captureView(await loadCapture({ trace }));
    const spilled = await spillCapture({ trace }, { tempDir: dir });
    try {
      expectSameRows(spilled, memory);
      const hashed = spilled.requests.sourceLine.indexOf(2);
      expect(spilled.rows.rows(hashed).blockHashes).toEqual(BigUint64Array.from([1n, 18446744073709551615n]));
    } finally {
      spilled.close();
    }
  });

  it('reads back a generated capture (gzip, spec decode) exactly', async () => {
    const out = join(dir, 'gen');
    await generateCapture({ outDir: out, requests: 80, seed: 5, specK: 2, gzip: true });
    const sources = { trace: join(out, 'trace.jsonl.gz'), stepStats: join(out, 'trace-step-stats.jsonl.gz') };
    const memory = captureView(await loadCapture(sources));
    await withSpilledCapture(sources, { tempDir: dir }, async (spilled) => {
      expectSameRows(spilled, memory);
      expect(spilled.steps).toEqual(memory.steps);
    });
  });

  it('reads back a request whose block is larger than the staging buffer', async () => {
    // 24 bytes per gap with token ids: just over the 4 MB staging buffer.
    const gaps = 180_000;
    const itl = Array.from({ length: gaps }, (_, i) => (i % 7) + 0.5);
    const ids = Array.from({ length: gaps + 1 }, (_, i) => i);
    const trace = writeLines('long.jsonl', [
      EDGE_REQUESTS[2],
      { prompt_tokens: 8, output_tokens: gaps + 1, ttft_ms: 3, itl_ms: itl, arrival_ms: 1, output_token_ids: ids },
      EDGE_REQUESTS[3],
    ]);
    const memory = captureView(await loadCapture({ trace }));
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    await withSpilledCapture({ trace }, { tempDir: dir }, async (spilled) => {
      for (let r = 0; r < memory.requests.count; r++) {
        const [a, b] = [spilled.rows.rows(r), memory.rows.rows(r)];
        expect(a.gapCount).toBe(b.gapCount);
        for (const key of ['gapStartMs', 'gapDurMs', 'gapTokens', 'gapNumRunning', 'gapPrefillTokens', 'tokenIds', 'blockHashes'] as const) {
          expect(bytes(a[key]).equals(bytes(b[key])), key).toBe(true);
        }
      }
      expect(spilled.rows.rows(1).gapCount).toBe(gaps);
    });
  });

  it('leaves nothing in its temp directory, on success and when the input is bad', async () => {
    const temp = mkdtempSync(join(dir, 'temp-'));
    const good = writeLines('good.jsonl', EDGE_REQUESTS);
    await withSpilledCapture({ trace: good }, { tempDir: temp }, async () => {
      // Unlinked while open: not even visible while in use (POSIX).
      if (process.platform !== 'win32') expect(readdirSync(temp)).toEqual([]);
    });
    expect(readdirSync(temp)).toEqual([]);
    const bad = writeLines('bad.jsonl', [EDGE_REQUESTS[1], { prompt_tokens: 1, output_tokens: 3, ttft_ms: 1 }]);
    await expect(spillCapture({ trace: bad }, { tempDir: temp })).rejects.toThrow(/bad\.jsonl:2:/);
    await expect(withSpilledCapture({ trace: good }, { tempDir: temp }, async () => Promise.reject(new Error('sink failed')))).rejects.toThrow('sink failed');
    expect(readdirSync(temp)).toEqual([]);
  });
});
