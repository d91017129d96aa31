import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withSpilledCapture } from '../../src/capture/spill/spilledCapture.js';
import { writePerfettoTrace, type PerfettoOptions } from '../../src/perfetto/writeTrace.js';
import { runVcr } from '../helpers/cli.js';
import { generatedCapture, useTempDir, writeLines, type GeneratedCapture } from './fixtures.js';

describe('a trace written from a spilled capture', () => {
  const dir = useTempDir();
  let generated: GeneratedCapture;
  beforeAll(async () => {
    generated = await generatedCapture(dir, { requests: 150, seed: 13, specK: 2 });
  });

  async function bothWays(name: string, options: PerfettoOptions): Promise<[Buffer, Buffer]> {
    const inMemory = join(dir, `${name}-memory`);
    const streamed = join(dir, `${name}-streamed`);
    const memorySummary = await writePerfettoTrace(generated.capture, inMemory, options);
    const streamedSummary = await withSpilledCapture(generated.files, { tempDir: dir }, (capture) => writePerfettoTrace(capture, streamed, options));
    expect({ ...streamedSummary, output: '' }).toEqual({ ...memorySummary, output: '' });
    return [readFileSync(streamed), readFileSync(inMemory)];
  }

  it('is byte for byte the trace of the in-memory capture (proto)', async () => {
    const [streamed, inMemory] = await bothWays('lanes.pftrace', { format: 'proto' });
    expect(streamed.length).toBeGreaterThan(10_000);
    expect(streamed.equals(inMemory)).toBe(true);
  });

  it('is byte for byte the trace of the in-memory capture (Chrome JSON, one track per request)', async () => {
    const [streamed, inMemory] = await bothWays('tracks.json', { format: 'json', trackPerRequest: true });
    expect(streamed.equals(inMemory)).toBe(true);
  });

  it('vcr proto leaves nothing in $TMPDIR, after success or bad input', async () => {
    const temp = join(dir, 'tmpdir');
    mkdirSync(temp);
    const env = { TMPDIR: temp };
    const good = await runVcr(['proto', generated.files.trace, '-o', join(dir, 'cli.pftrace')], { env });
    expect(good.code).toBe(0);
    const bad = writeLines(dir, 'bad.jsonl', [{ prompt_tokens: 8, output_tokens: 3, ttft_ms: 4, itl_ms: [1, 2], arrival_ms: 0 }, '{"prompt_tokens": 1,']);
    const failed = await runVcr(['proto', bad, '-o', join(dir, 'bad.pftrace')], { env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/bad\.jsonl:2: /);
    expect(existsSync(join(dir, 'bad.pftrace'))).toBe(false);
    expect(readdirSync(temp)).toEqual([]);
  });
});
