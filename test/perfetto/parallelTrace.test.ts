import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import { withSpilledCapture } from '../../src/capture/spill/spilledCapture.js';
import { packWindowRows, unpackWindowRows } from '../../src/perfetto/parallel/windowRows.js';
import { writePerfettoTrace } from '../../src/perfetto/writeTrace.js';
import { decodePerfetto } from '../helpers/decodePerfetto.js';
import { runVcr } from '../helpers/cli.js';
import { generatedCapture, handCapture, useTempDir } from './fixtures.js';
import { captureView } from '../../src/capture/view.js';
import type { WindowPool } from '../../src/perfetto/parallel/windowPool.js';
import { NO_STEP } from '../../src/perfetto/timeline/firstTokenFlows.js';
import { journeyTimeline } from '../../src/perfetto/timeline/journeyStages.js';
import { requestTimesNs } from '../../src/perfetto/timeline/requestEvents.js';
import { buildTrackLayout } from '../../src/perfetto/tracks.js';

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
 * Windows encoded on worker threads give the very file one thread writes.
 * The workers load dist/ (test/globalSetup.ts builds it), so the parallel
 * side runs the built writer; small windows make a small capture many.
 */
describe('windows encoded on worker threads', () => {
  const dir = useTempDir();
  let files: { trace: string; stepStats: string; otlp: string };
  beforeAll(async () => {
    files = (await generatedCapture(join(dir, 'capture'), { requests: 150, seed: 3, specK: 2 })).files;
  });

  type Writer = typeof writePerfettoTrace;
  type Spiller = typeof withSpilledCapture;
  async function built(): Promise<{ write: Writer; spill: Spiller }> {
    const writer = (await import(new URL('../../dist/src/perfetto/writeTrace.js', import.meta.url).href)) as { writePerfettoTrace: Writer };
    const spill = (await import(new URL('../../dist/src/capture/spill/spilledCapture.js', import.meta.url).href)) as { withSpilledCapture: Spiller };
    return { write: writer.writePerfettoTrace, spill: spill.withSpilledCapture };
  }

  for (const [compress, trackPerRequest] of [[true, false], [false, false], [true, true]]) {
    it(`writes the same bytes on 3 workers as on one thread (${compress ? 'compressed' : 'plain'} packets${trackPerRequest ? ', a track per request' : ''})`, async () => {
      const { write, spill } = await built();
      const options = { format: 'proto' as const, compress, trackPerRequest, windowEvents: 2_000 };
      const parallel = join(dir, `parallel-${compress}-${trackPerRequest}.pftrace`);
      const single = join(dir, `single-${compress}-${trackPerRequest}.pftrace`);
      const summary = await spill(files, {}, (capture) => write(capture, parallel, { ...options, workers: 3 }));
      const expected = await withSpilledCapture(files, {}, (capture) => writePerfettoTrace(capture, single, options));
      expect(summary).toEqual({ ...expected, output: parallel });
      expect(readFileSync(parallel).equals(readFileSync(single))).toBe(true);

      const trace = decodePerfetto(readFileSync(parallel));
      expect(trace.problems).toEqual([]);
      // Several times the sequences of one window (sequence 1 + the lanes): the capture really was split into many windows.
      const oneWindow = join(dir, `one-window-${compress}-${trackPerRequest}.pftrace`);
      await withSpilledCapture(files, {}, (capture) => writePerfettoTrace(capture, oneWindow, { ...options, windowEvents: undefined }));
      const sequences = (path: string) => new Set(decodePerfetto(readFileSync(path)).packetFlags.map((p) => p.sequence)).size;
      expect(sequences(parallel)).toBeGreaterThan(4 * sequences(oneWindow));
      expect(trace.flows.length).toBe(150);
    });
  }

  it("sends an in-memory capture's rows with each window (a spilled one's the workers read themselves): same bytes", async () => {
    const { write } = await built();
    const options = { format: 'proto' as const, compress: true, windowEvents: 2_000 };
    const memory = join(dir, 'memory-parallel.pftrace');
    const single = join(dir, 'memory-single.pftrace');
    const capture = await loadCapture(files);
    await write(capture, memory, { ...options, workers: 3 });
    await withSpilledCapture(files, {}, (spilled) => writePerfettoTrace(spilled, single, options));
    expect(readFileSync(memory).equals(readFileSync(single))).toBe(true);
  });

  it('fails every outstanding window, with the worker\'s reason, when a worker fails', async () => {
    const capture = await handCapture(dir, { requests: [{ prompt_tokens: 2, output_tokens: 3, ttft_ms: 1, itl_ms: [1, 2], arrival_ms: 0 }] });
    const view = captureView(capture);
    const layout = buildTrackLayout(view, journeyTimeline(undefined), {});
    const init = {
      requests: view.requests,
      layout,
      times: requestTimesNs(view, 0),
      shiftNs: 0,
      producingStep: Int32Array.of(NO_STEP),
      windows: Int32Array.of(0, 1),
      compress: true,
    };
    const { WindowPool: BuiltPool } = (await import(new URL('../../dist/src/perfetto/parallel/windowPool.js', import.meta.url).href)) as {
      WindowPool: typeof WindowPool;
    };
    const pool = new BuiltPool(2, init);
    try {
      // The job carries no rows for the window's one request: the worker cannot encode it.
      const job = pool.encode({ window: 0, rows: packWindowRows(view.rows, []) });
      await expect(job).rejects.toThrow(/encoding window 0 failed: .*request 0 is not in this window's rows/s);
      await expect(pool.encode({ window: 1, rows: packWindowRows(view.rows, []) })).rejects.toThrow(/encoding window 0 failed/);
      // A well-formed job on a fresh pool works: the failure above is the job's, not the pool's.
      const healthy = new BuiltPool(1, init);
      const result = await healthy.encode({ window: 0, rows: packWindowRows(view.rows, [0]) });
      await healthy.close();
      expect(result).toMatchObject({ window: 0, counts: { slices: 3, counterSamples: 0, flows: 0 }, events: 6 });
    } finally {
      await pool.close();
    }
  });

  it('vcr proto -j 1 and -j 4 write the same file', async () => {
    const one = join(dir, 'cli-1.pftrace');
    const four = join(dir, 'cli-4.pftrace');
    expect((await runVcr(['proto', join(dir, 'capture'), '-o', one, '-j', '1'])).code).toBe(0);
    expect((await runVcr(['proto', join(dir, 'capture'), '-o', four, '-j', '4'])).code).toBe(0);
    expect(readFileSync(four).equals(readFileSync(one))).toBe(true);
    const bad = await runVcr(['proto', join(dir, 'capture'), '-j', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a thread count (1-64)');
  });
});
