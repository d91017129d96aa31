import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVcr } from '../helpers/cli.js';

/** A two-request guidellm report: one benchmark, concurrent with 2 streams. */
const REPORT = {
  metadata: { guidellm_version: '0.6.0' },
  args: { model: 'm-8b' },
  benchmarks: [
    {
      config: { strategy: { type_: 'concurrent', streams: 2 } },
      requests: {
        successful: [
          { prompt_tokens: 10, output_tokens: 3, time_to_first_token_ms: 20, inter_token_latency_ms: 6, request_start_time: 1700000000.25 },
          { prompt_tokens: 12, output_tokens: 1, time_to_first_token_ms: 30, inter_token_latency_ms: null, request_start_time: 1700000000.5 },
        ],
        incomplete: [],
        errored: [{ request_id: 'e' }],
      },
    },
  ],
};

function inputFile(content: string): { dir: string; input: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vcr-convert-'));
  const input = join(dir, 'benchmarks.json');
  writeFileSync(input, content);
  return { dir, input };
}

describe('vcr convert', () => {
  it('writes the engine trace and a summary on stderr', async () => {
    const { dir, input } = inputFile(JSON.stringify(REPORT));
    const output = join(dir, 'trace.jsonl');
    const result = await runVcr(['convert', 'guidellm', input, '-o', output]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`guidellm: wrote 2 request(s) to ${output}; skipped 1 (1 errored)\n  skipped benchmarks[0].requests.errored[0]: errored\n`);
    const info = await runVcr(['info', output, '--json']);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ model: 'm-8b', requests: 2, outputTokens: 4, spanMs: 280, peakConcurrency: 1 });
  });

  it('writes to stdout with -o -', async () => {
    const { input } = inputFile(JSON.stringify(REPORT));
    const result = await runVcr(['convert', 'guidellm', input, '-o', '-']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '{"meta":{"model":"m-8b","source":"guidellm","guidellm_version":"0.6.0","capture_start_epoch_s":1700000000.25,"guidellm_benchmarks":[{"index":0,"strategy":"concurrent"}]}}',
      '{"prompt_tokens":10,"output_tokens":3,"ttft_ms":20,"itl_summary":{"mean_ms":6,"count":2},"concurrency":2,"arrival_ms":0}',
      '{"prompt_tokens":12,"output_tokens":1,"ttft_ms":30,"concurrency":2,"arrival_ms":250}',
      '',
    ]);
  });

  it('names the file and JSON path of bad input, exits 1 and leaves no output', async () => {
    const bad = structuredClone(REPORT);
    (bad.benchmarks[0].requests.successful[1] as Record<string, unknown>).output_tokens = 1.5;
    const { dir, input } = inputFile(JSON.stringify(bad));
    const result = await runVcr(['convert', 'guidellm', input, '-o', join(dir, 'trace.jsonl')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`vcr: ${input}: benchmarks[0].requests.successful[1].output_tokens must be an integer >= 0 (got 1.5)\n`);
    expect(readdirSync(dir)).toEqual(['benchmarks.json']);
  });

  it('exits 2 on usage errors', async () => {
    const { dir, input } = inputFile(JSON.stringify(REPORT));
    const wrongSource = await runVcr(['convert', 'bench', input, '--benchmark', '0', '-o', join(dir, 'x.jsonl')]);
    expect(wrongSource.code).toBe(2);
    expect(wrongSource.stderr).toBe('vcr: --benchmark applies to guidellm reports only\n');
    const noOutput = await runVcr(['convert', 'guidellm', input]);
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toContain("required option '-o, --output <file>' not specified");
    const overwrite = await runVcr(['convert', 'guidellm', input, '-o', input]);
    expect(overwrite.code).toBe(2);
    expect(existsSync(input)).toBe(true);
  });

  it('documents the mapping in --help', async () => {
    const result = await runVcr(['convert', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: vcr convert [options] <source> <in>');
    expect(result.stdout).toContain("guidellm's inter_token_latency_ms is what vLLM calls TPOT");
  });
});
