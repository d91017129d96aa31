import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVcr } from '../helpers/cli.js';
import { T0, upstreamRequestLine } from '../helpers/otlpBuilder.js';
import { framed, protoOf } from '../helpers/otlpEncodings.js';

function captureDir(trace: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vcr-info-'));
  writeFileSync(join(dir, 'trace.jsonl'), trace);
  return dir;
}

const TRACE = [
  '{"meta":{"model":"m-7b","source":"tap"}}',
  '{"prompt_tokens":10,"output_tokens":3,"ttft_ms":20,"itl_ms":[5,7],"arrival_ms":0}',
  '{"prompt_tokens":10,"output_tokens":2,"ttft_ms":40,"itl_ms":[9],"arrival_ms":10}',
  '{"prompt_tokens":10,"output_tokens":1,"ttft_ms":30}',
].join('\n');

describe('vcr info', () => {
  it('prints the headline numbers of a capture', async () => {
    const dir = captureDir(TRACE);
    const result = await runVcr(['info', join(dir, 'trace.jsonl'), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      model: 'm-7b',
      requests: 3,
      withoutArrival: 1,
      gaps: 3,
      outputTokens: 6,
      // first arrival 0 → last end max(0+20+12, 10+40+9) = 59
      spanMs: 59,
      peakConcurrency: 2,
      lanes: 2,
      ttftP50Ms: 30,
      ttftP99Ms: 40,
      itlP50Ms: 7,
      itlP99Ms: 9,
      stepSource: 'none',
    });
  });

  it('takes a capture directory and finds its trace by content', async () => {
    const dir = captureDir(TRACE);
    const result = await runVcr(['info', dir, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ requests: 3, gaps: 3 });
  });

  it('finds an OTLP export in a capture directory by content, whatever its encoding (*.pb, *.zst)', async () => {
    const upstream = upstreamRequestLine({ spanId: '00000000000000b1', startNs: T0, requestId: 'cmpl-1', promptTokens: 12, completionTokens: 3, ttftS: 0.02, e2eS: 0.05 });
    const dir = mkdtempSync(join(tmpdir(), 'vcr-info-'));
    writeFileSync(join(dir, 'otlp.pb'), framed([protoOf(upstream)]));
    writeFileSync(join(dir, 'README.txt'), 'not a capture file');
    const result = await runVcr(['info', dir, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // No engine trace: the upstream span is the capture's one request.
    expect(JSON.parse(result.stdout)).toMatchObject({ requests: 1, outputTokens: 3, ttftP50Ms: 20 });
  });

  it('names the file and line of bad input and exits 1', async () => {
    const dir = captureDir(`${TRACE}\n{"prompt_tokens":10,"output_tokens":2,"ttft_ms":-1,"itl_ms":[1]}\n`);
    const path = join(dir, 'trace.jsonl');
    const result = await runVcr(['info', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`vcr: ${path}:5: ttft_ms must be a finite number >= 0 (got -1)\n`);
  });

  it('skips bad lines with --lenient and says how many', async () => {
    const dir = captureDir(`${TRACE}\n{"prompt_tokens":10,"output_tokens":2,"ttft_ms":-1,"itl_ms":[1]}\nnot json\n`);
    const result = await runVcr(['info', join(dir, 'trace.jsonl'), '--lenient', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).requests).toBe(3);
    expect(result.stderr).toContain('skipped 2 bad line(s) (--lenient)');
  });

  it('exits 2 on a usage error', async () => {
    const result = await runVcr(['info']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'capture'");
  });
});
