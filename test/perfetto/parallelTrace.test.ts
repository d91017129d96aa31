import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withSpilledCapture } from '../../src/capture/spill/spilledCapture.js';
import { packWindowRows, unpackWindowRows } from '../../src/perfetto/parallel/windowRows.js';
import { writePerfettoTrace } from '../../src/perfetto/writeTrace.js';
import { decodePerfetto } from '../helpers/decodePerfetto.js';
import { runVcr } from '../helpers/cli.js';
import { generatedCapture, handCapture, useTempDir } from './fixtures.js';
import { captureView } from '../../src/capture/view.js';

describe('packWindowRows / unpackWindowRows', () => {
  const dir = useTempDir();
  it('carries each request\'s rows exactly, for the rows asked for only', async () => {
    const capture = await handCapture(dir, {
      requests: [
        { prompt_tokens: 4, output_tokens: 3, ttft_ms: 2, itl_ms: [1.5, 0], arrival_ms: 0, output_token_ids: [7, 8, 9], itl_ctx: { num_running: [2, 3], prefill_tokens: [0, 16] } },
        { prompt_tokens: 2, output_tokens: 1, ttft_ms: 1, arrival_ms: 1 },
        { prompt_tokens: 2, output_tokens: 4, ttft_ms: 1, itl_ms: [3.25, 1e-3, 2], arrival_ms: 2 },
      ],
    });
    const source = captureView(capture).rows;
    const unpacked = unpackWindowRows(packWindowRows(source, [2, 0, 1]));
    for (const row of [0, 1, 2]) {
      const [a, b] = [unpacked.rows(row), source.rows(row)];
      expect(a.gapCount).toBe(b.gapCount);
      for (const key of ['gapStartMs', 'gapDurMs', 'gapTokens', 'gapNumRunning', 'gapPrefillTokens', 'tokenIds'] as const) {
        expect(Array.from(a[key]), `${key} of ${row}`).toEqual(Array.from(b[key].subarray(0, key === 'tokenIds' ? b.tokenIds.length : b.gapCount)));
      }
    }
    expect(() => unpackWindowRows(packWindowRows(source, [1])).rows(0)).toThrow('request 0 is not in this window');
  });
});

/**
 * Windows encoded on worker threads (vcr proto -j N) give the very file one
 * thread writes. Needs the built CLI (the workers load dist/), and a capture
 * of several windows (2^19 request events each): ~300k gaps.
 */
describe('vcr proto -j (windows on worker threads)', () => {
  const dir = useTempDir();
  let captureDir: string;
  beforeAll(async () => {
    captureDir = join(dir, 'big');
    await generatedCapture(captureDir, { requests: 1300, seed: 3, snapshotSample: 0 });
  }, 60_000);

  it('writes the same bytes with 1 and 3 threads, and as writePerfettoTrace in process, compressed or not', async () => {
    for (const extra of [[], ['--no-compress']]) {
      const one = join(dir, `one${extra.length}.pftrace`);
      const three = join(dir, `three${extra.length}.pftrace`);
      expect((await runVcr(['proto', captureDir, '-o', one, '-j', '1', ...extra])).code).toBe(0);
      const parallel = await runVcr(['proto', captureDir, '-o', three, '-j', '3', ...extra]);
      expect(parallel.code, parallel.stderr).toBe(0);
      expect(readFileSync(three).equals(readFileSync(one))).toBe(true);
    }
    const files = { trace: join(captureDir, 'trace.jsonl'), stepStats: join(captureDir, 'trace-step-stats.jsonl'), otlp: join(captureDir, 'otlp.jsonl') };
    const inProcess = join(dir, 'in-process.pftrace');
    await withSpilledCapture(files, {}, (capture) => writePerfettoTrace(capture, inProcess, { format: 'proto' }));
    expect(readFileSync(inProcess).equals(readFileSync(join(dir, 'three0.pftrace')))).toBe(true);

    const trace = decodePerfetto(readFileSync(join(dir, 'three0.pftrace')));
    expect(trace.problems).toEqual([]);
    const lanes = [...trace.tracks.values()].filter((t) => t.name.startsWith('lane ')).length;
    // More sequences than one window's lanes: the capture really was split.
    expect(new Set(trace.packetFlags.map((p) => p.sequence)).size).toBeGreaterThan(1 + lanes);
    expect(trace.flows.length).toBe(1300);
  }, 120_000);
});
