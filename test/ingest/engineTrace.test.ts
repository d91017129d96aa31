import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../src/capture/records.js';
import { InputError, LenientLog } from '../../src/ingest/errors.js';
import { openEngineTrace, parseMeta, parseTraceRecord } from '../../src/ingest/engineTrace.js';
import { collect, errorMessage, jsonLines, jsonParseMessage, rejectionMessage, useTempDir } from './helpers.js';

const write = useTempDir();

const U64_MAX = '18446744073709551615';
const TWO_POW_53_PLUS_1 = '9007199254740993';

/** A valid request line; tests override one key at a time. */
const BASE = { prompt_tokens: 10, output_tokens: 3, ttft_ms: 5, itl_ms: [1, 2] };

function parse(value: unknown, line = 7): TraceRecord {
  return parseTraceRecord('trace.jsonl', line, value);
}

function reasonFor(value: unknown): string {
  return errorMessage(() => parse(value));
}

async function readAll(path: string, options: Parameters<typeof openEngineTrace>[1] = {}) {
  const reader = await openEngineTrace(path, options);
  return { meta: reader.meta, records: await collect(reader.records) };
}

describe('parseTraceRecord: conversion', () => {
  it('converts every field, arrays to typed arrays', () => {
    const record = parse({
      prompt_tokens: 100,
      cached_tokens: 32,
      output_tokens: 5,
      ttft_ms: 12.5,
      itl_ms: [1.25, 2, 0, 3.5],
      concurrency: 4,
      arrival_ms: 1000.5,
      itl_ctx: { num_running: [4, 4, 3, 2], prefill_tokens: [0, 128, 0, 0] },
      block_hashes: [1, '2', 0],
      mm_hashes: ['img-a', 'img-b'],
      output_token_ids: [11, 12, 13, 14, 2147483647],
      finish_reason: 'length',
      some_future_key: { ignored: true },
    });
    expect(record.line).toBe(7);
    expect(record.promptTokens).toBe(100);
    expect(record.cachedTokens).toBe(32);
    expect(record.outputTokens).toBe(5);
    expect(record.ttftMs).toBe(12.5);
    expect(record.itlMs).toBeInstanceOf(Float64Array);
    expect(Array.from(record.itlMs!)).toEqual([1.25, 2, 0, 3.5]);
    expect(record.itlTokens).toBeUndefined();
    expect(record.itlSummary).toBeUndefined();
    expect(record.concurrency).toBe(4);
    expect(record.arrivalMs).toBe(1000.5);
    expect(record.itlCtx!.numRunning).toBeInstanceOf(Int32Array);
    expect(Array.from(record.itlCtx!.numRunning)).toEqual([4, 4, 3, 2]);
    expect(record.itlCtx!.prefillTokens).toBeInstanceOf(Int32Array);
    expect(Array.from(record.itlCtx!.prefillTokens)).toEqual([0, 128, 0, 0]);
    expect(record.blockHashes).toBeInstanceOf(BigUint64Array);
    expect(Array.from(record.blockHashes!)).toEqual([1n, 2n, 0n]);
    expect(record.mmHashes).toEqual(['img-a', 'img-b']);
    expect(record.outputTokenIds).toBeInstanceOf(Int32Array);
    expect(Array.from(record.outputTokenIds!)).toEqual([11, 12, 13, 14, 2147483647]);
    expect(record.finishReason).toBe('length');
    expect(Object.keys(record)).not.toContain('some_future_key');
  });

  it('applies defaults and leaves absent optional fields unset', () => {
    const record = parse({ prompt_tokens: 4, output_tokens: 1, ttft_ms: 0 });
    expect(record).toEqual({ line: 7, promptTokens: 4, cachedTokens: 0, outputTokens: 1, ttftMs: 0, concurrency: 1 });
    expect(Object.keys(record).sort()).toEqual(['cachedTokens', 'concurrency', 'line', 'outputTokens', 'promptTokens', 'ttftMs']);
  });

  it('treats null optional keys as absent', () => {
    const record = parse({
      ...BASE,
      cached_tokens: null,
      concurrency: null,
      arrival_ms: null,
      itl_tokens: null,
      itl_summary: null,
      itl_ctx: null,
      block_hashes: null,
      mm_hashes: null,
      output_token_ids: null,
      finish_reason: null,
    });
    expect(record.cachedTokens).toBe(0);
    expect(record.concurrency).toBe(1);
    expect(Object.keys(record).sort()).toEqual(['cachedTokens', 'concurrency', 'itlMs', 'line', 'outputTokens', 'promptTokens', 'ttftMs']);
  });

  it('reads a spec-decode record: itl_tokens parallel to itl_ms, the first chunk owns the rest', () => {
    const record = parse({ prompt_tokens: 64, output_tokens: 15, ttft_ms: 50, itl_ms: [20, 18, 22, 19], itl_tokens: [3, 4, 2, 3] });
    expect(record.itlTokens).toBeInstanceOf(Int32Array);
    expect(Array.from(record.itlTokens!)).toEqual([3, 4, 2, 3]);
    expect(Array.from(record.itlMs!)).toEqual([20, 18, 22, 19]);
  });

  it('reads an itl_summary-only record', () => {
    const record = parse({ prompt_tokens: 500, output_tokens: 100, ttft_ms: 200, itl_summary: { mean_ms: 5.5, count: 99 } });
    expect(record.itlSummary).toEqual({ meanMs: 5.5, count: 99 });
    expect(record.itlMs).toBeUndefined();
  });

  it('accepts an itl_summary with fewer gaps than tokens (multi-token chunks)', () => {
    expect(parse({ ...BASE, output_tokens: 10, itl_ms: undefined, itl_summary: { mean_ms: 2, count: 4 } }).itlSummary).toEqual({
      meanMs: 2,
      count: 4,
    });
  });

  it('reads single-token and zero-token outputs without gaps', () => {
    expect(parse({ prompt_tokens: 5, output_tokens: 1, ttft_ms: 10, output_token_ids: [42] }).outputTokenIds).toEqual(new Int32Array([42]));
    expect(parse({ prompt_tokens: 5, output_tokens: 1, ttft_ms: 10, itl_ms: [] }).itlMs).toEqual(new Float64Array(0));
    expect(parse({ prompt_tokens: 5, output_tokens: 0, ttft_ms: 10, finish_reason: 'abort' }).outputTokens).toBe(0);
    expect(parse({ prompt_tokens: 5, output_tokens: 1, ttft_ms: 1, itl_summary: { mean_ms: 0, count: 0 } }).itlSummary).toEqual({
      meanMs: 0,
      count: 0,
    });
  });

  it('accepts a negative arrival_ms (a time on the capture clock, not a duration)', () => {
    expect(parse({ ...BASE, arrival_ms: -2.5 }).arrivalMs).toBe(-2.5);
  });

  it('accepts every finish reason', () => {
    for (const reason of ['stop', 'length', 'abort', 'error', 'repetition']) expect(parse({ ...BASE, finish_reason: reason }).finishReason).toBe(reason);
  });

  it('takes block hashes as numbers up to 2^53 or decimal strings of any uint64', () => {
    const record = parse({ ...BASE, block_hashes: [0, 9007199254740991, U64_MAX, TWO_POW_53_PLUS_1] });
    expect(Array.from(record.blockHashes!)).toEqual([0n, 9007199254740991n, 18446744073709551615n, 9007199254740993n]);
  });
});

describe('parseTraceRecord: validation messages', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', [1, 2], 'expected a JSON object (got an array)'],
    ['a late meta line', { meta: { model: 'm' } }, 'unexpected "meta" line (only the first non-blank line can be meta)'],
    ['missing prompt_tokens', { output_tokens: 1, ttft_ms: 1 }, 'missing required key prompt_tokens (expected an integer >= 0)'],
    ['fractional prompt_tokens', { ...BASE, prompt_tokens: 1.5 }, 'prompt_tokens must be an integer >= 0 (got 1.5)'],
    ['string prompt_tokens', { ...BASE, prompt_tokens: '10' }, 'prompt_tokens must be an integer >= 0 (got "10")'],
    ['negative cached_tokens', { ...BASE, cached_tokens: -1 }, 'cached_tokens must be an integer >= 0 (got -1)'],
    [
      'cached_tokens above prompt_tokens',
      { ...BASE, cached_tokens: 11 },
      'cached_tokens is 11 (expected at most prompt_tokens = 10; cached tokens are prompt tokens)',
    ],
    ['missing output_tokens', { prompt_tokens: 1, ttft_ms: 1 }, 'missing required key output_tokens (expected an integer >= 0)'],
    ['boolean output_tokens', { ...BASE, output_tokens: true }, 'output_tokens must be an integer >= 0 (got true)'],
    ['missing ttft_ms', { prompt_tokens: 1, output_tokens: 1 }, 'missing required key ttft_ms (expected a finite number >= 0)'],
    ['negative ttft_ms', { ...BASE, ttft_ms: -3 }, 'ttft_ms must be a finite number >= 0 (got -3)'],
    ['infinite ttft_ms', { ...BASE, ttft_ms: Infinity }, 'ttft_ms must be a finite number >= 0 (got Infinity)'],
    ['null ttft_ms', { ...BASE, ttft_ms: null }, 'ttft_ms must be a finite number >= 0 (got null)'],
    ['zero concurrency', { ...BASE, concurrency: 0 }, 'concurrency must be an integer >= 1 (got 0)'],
    ['string arrival_ms', { ...BASE, arrival_ms: '5' }, 'arrival_ms must be a finite number (got "5")'],
    ['itl_ms not an array', { ...BASE, itl_ms: { a: 1 } }, 'itl_ms must be an array of numbers >= 0 (got an object)'],
    ['negative gap', { ...BASE, itl_ms: [1, -2] }, 'itl_ms[1] must be a finite number >= 0 (got -2)'],
    ['null gap', { ...BASE, itl_ms: [null, 1] }, 'itl_ms[0] must be a finite number >= 0 (got null)'],
    ['non-finite gap', { ...BASE, itl_ms: [1, -Infinity] }, 'itl_ms[1] must be a finite number >= 0 (got -Infinity)'],
    ['too few gaps', { ...BASE, output_tokens: 5, itl_ms: [1, 2, 3] }, 'itl_ms has 3 entries (expected 4, one per token after the first)'],
    ['too many gaps', { ...BASE, itl_ms: [1, 2, 3] }, 'itl_ms has 3 entries (expected 2, one per token after the first)'],
    ['gaps on a single-token output', { ...BASE, output_tokens: 1, itl_ms: [4] }, 'itl_ms has 1 entries (expected 0, one per token after the first)'],
    [
      'no gap data for several tokens',
      { prompt_tokens: 1, output_tokens: 2, ttft_ms: 1 },
      'output_tokens is 2 but there is no itl_ms or itl_summary (expected one of them when output_tokens > 1)',
    ],
    ['itl_tokens length', { ...BASE, output_tokens: 10, itl_tokens: [1, 2, 3] }, 'itl_tokens has 3 entries (expected 2, one per itl_ms gap)'],
    ['itl_tokens without itl_ms', { ...BASE, output_tokens: 1, itl_ms: undefined, itl_tokens: [1] }, 'itl_tokens has 1 entries (expected 0, one per itl_ms gap)'],
    ['zero itl_tokens entry', { ...BASE, output_tokens: 10, itl_tokens: [2, 0] }, 'itl_tokens[1] must be an integer >= 1 (got 0)'],
    ['fractional itl_tokens entry', { ...BASE, output_tokens: 10, itl_tokens: [1.5, 1] }, 'itl_tokens[0] must be an integer >= 1 (got 1.5)'],
    ['itl_tokens entry beyond int32', { ...BASE, output_tokens: 10, itl_tokens: [2 ** 31, 1] }, 'itl_tokens[0] must be an integer < 2^31 (got 2147483648)'],
    [
      'itl_tokens sum equal to output_tokens',
      { ...BASE, output_tokens: 5, itl_tokens: [2, 3] },
      'itl_tokens sum to 5 (expected less than output_tokens = 5; the first chunk owns the rest)',
    ],
    ['itl_summary not an object', { ...BASE, itl_ms: undefined, itl_summary: [5, 2] }, 'itl_summary must be an object (got an array)'],
    [
      'itl_summary negative mean',
      { ...BASE, itl_ms: undefined, itl_summary: { mean_ms: -1, count: 2 } },
      'itl_summary.mean_ms must be a finite number >= 0 (got -1)',
    ],
    [
      'itl_summary without count',
      { ...BASE, itl_ms: undefined, itl_summary: { mean_ms: 1 } },
      'missing required key itl_summary.count (expected an integer >= 0)',
    ],
    [
      'itl_summary count too large',
      { ...BASE, output_tokens: 10, itl_ms: undefined, itl_summary: { mean_ms: 1, count: 10 } },
      'itl_summary.count is 10 (expected 1 to 9 for output_tokens = 10: at most one gap per token after the first)',
    ],
    [
      'itl_summary count zero for several tokens',
      { ...BASE, output_tokens: 10, itl_ms: undefined, itl_summary: { mean_ms: 1, count: 0 } },
      'itl_summary.count is 0 (expected 1 to 9 for output_tokens = 10: at most one gap per token after the first)',
    ],
    [
      'itl_summary count on a single-token output',
      { ...BASE, output_tokens: 1, itl_ms: undefined, itl_summary: { mean_ms: 1, count: 1 } },
      'itl_summary.count is 1 (expected 0 for output_tokens = 1: at most one gap per token after the first)',
    ],
    ['itl_ctx not an object', { ...BASE, itl_ctx: 3 }, 'itl_ctx must be an object (got 3)'],
    [
      'itl_ctx.num_running length',
      { ...BASE, output_tokens: 5, itl_ms: [1, 2, 3, 4], itl_ctx: { num_running: [1, 2, 3], prefill_tokens: [0, 0, 0, 0] } },
      'itl_ctx.num_running has 3 entries (expected 4, one per itl_ms gap)',
    ],
    [
      'itl_ctx.prefill_tokens length',
      { ...BASE, itl_ctx: { num_running: [1, 1], prefill_tokens: [0] } },
      'itl_ctx.prefill_tokens has 1 entries (expected 2, one per itl_ms gap)',
    ],
    [
      'itl_ctx.prefill_tokens missing',
      { ...BASE, itl_ctx: { num_running: [1, 1] } },
      'missing required key itl_ctx.prefill_tokens (expected an array of integers >= 0)',
    ],
    [
      'itl_ctx.num_running negative',
      { ...BASE, itl_ctx: { num_running: [1, -1], prefill_tokens: [0, 0] } },
      'itl_ctx.num_running[1] must be an integer >= 0 (got -1)',
    ],
    ['block_hashes not an array', { ...BASE, block_hashes: '12' }, 'block_hashes must be an array of uint64 integers (got "12")'],
    ['negative block hash', { ...BASE, block_hashes: [1, -1] }, 'block_hashes[1] must be an integer in [0, 2^64) (got -1)'],
    ['fractional block hash', { ...BASE, block_hashes: [1.5] }, 'block_hashes[0] must be an integer in [0, 2^64) (got 1.5)'],
    ['non-decimal block hash string', { ...BASE, block_hashes: ['0xff'] }, 'block_hashes[0] must be an integer in [0, 2^64) (got "0xff")'],
    [
      'block hash string of 2^64',
      { ...BASE, block_hashes: ['18446744073709551616'] },
      'block_hashes[0] must be an integer in [0, 2^64) (got "18446744073709551616")',
    ],
    [
      'block hash number above 2^53 without its source text',
      { ...BASE, block_hashes: [2 ** 60] },
      'block_hashes[0] must be a decimal string when above 2^53 (got 1152921504606847000, which JSON.parse has already rounded)',
    ],
    ['mm_hashes entry not a string', { ...BASE, mm_hashes: ['a', 1] }, 'mm_hashes[1] must be a string (got 1)'],
    ['output_token_ids length', { ...BASE, output_token_ids: [1, 2] }, 'output_token_ids has 2 entries (expected 3, one per output token)'],
    ['negative token id', { ...BASE, output_token_ids: [1, -2, 3] }, 'output_token_ids[1] must be an integer >= 0 (got -2)'],
    [
      'unknown finish_reason',
      { ...BASE, finish_reason: 'done' },
      'finish_reason must be one of "stop", "length", "abort", "error", "repetition" (got "done")',
    ],
  ];

  it.each(cases)('%s', (_name, value, reason) => {
    expect(reasonFor(value)).toBe(`trace.jsonl:7: ${reason}`);
  });

  it('throws InputError carrying path, line and reason', () => {
    try {
      parseTraceRecord('x/t.jsonl', 12, { ...BASE, ttft_ms: -3 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).path).toBe('x/t.jsonl');
      expect((error as InputError).line).toBe(12);
      expect((error as InputError).reason).toBe('ttft_ms must be a finite number >= 0 (got -3)');
    }
  });

  it('shortens long strings in messages', () => {
    expect(reasonFor({ ...BASE, finish_reason: 'x'.repeat(100) })).toBe(
      `trace.jsonl:7: finish_reason must be one of "stop", "length", "abort", "error", "repetition" (got "${'x'.repeat(40)}...")`,
    );
  });
});

describe('parseMeta', () => {
  it('maps known keys to camelCase and keeps every other key verbatim', () => {
    const meta = parseMeta('t.jsonl', 1, {
      meta: {
        model: 'llama',
        gpu: 'H100',
        tp: 2,
        max_num_seqs: 256,
        source: 'tap',
        block_size: 16,
        config_hash: 'abc',
        vllm_version: '0.11.0',
        ready_response_hex: '7b7d',
        sim: { alpha: [1, 2, 3], nested: { ok: true } },
        note: null,
      },
    });
    expect(meta).toEqual({
      model: 'llama',
      gpu: 'H100',
      tp: 2,
      maxNumSeqs: 256,
      source: 'tap',
      blockSize: 16,
      configHash: 'abc',
      vllmVersion: '0.11.0',
      readyResponseHex: '7b7d',
      extra: { sim: { alpha: [1, 2, 3], nested: { ok: true } }, note: null },
    });
  });

  it('treats known keys set to null as absent', () => {
    expect(parseMeta('t.jsonl', 1, { meta: { model: null, tp: null } })).toEqual({ extra: {} });
  });

  it.each([
    [{ meta: { tp: '4' } }, 'meta.tp must be an integer >= 1 (got "4")'],
    [{ meta: { max_num_seqs: 0 } }, 'meta.max_num_seqs must be an integer >= 1 (got 0)'],
    [{ meta: { block_size: 1.5 } }, 'meta.block_size must be an integer >= 1 (got 1.5)'],
    [{ meta: { model: 7 } }, 'meta.model must be a string (got 7)'],
    [{ meta: { vllm_version: 0.11 } }, 'meta.vllm_version must be a string (got 0.11)'],
    [{ meta: 3 }, 'meta must be an object (got 3)'],
    [{ model: 'x' }, 'meta line must be an object with a "meta" key (got an object)'],
  ])('rejects %j', (value, reason) => {
    expect(errorMessage(() => parseMeta('t.jsonl', 1, value))).toBe(`t.jsonl:1: ${reason}`);
  });
});

describe('openEngineTrace', () => {
  const meta = { meta: { model: 'm', max_num_seqs: 8, sim: { seed: 1 } } };
  const request = (n: number) => ({ prompt_tokens: n, output_tokens: 2, ttft_ms: n, itl_ms: [0.5], arrival_ms: n * 10 });

  it('reads the meta line and streams the requests after it with their line numbers', async () => {
    const path = write('basic.jsonl', jsonLines([meta, request(1), request(2)]));
    const { meta: got, records } = await readAll(path);
    expect(got).toEqual({ model: 'm', maxNumSeqs: 8, extra: { sim: { seed: 1 } } });
    expect(records.map((r) => [r.line, r.promptTokens, r.arrivalMs])).toEqual([
      [2, 1, 10],
      [3, 2, 20],
    ]);
    expect(Array.from(records[0].itlMs!)).toEqual([0.5]);
  });

  it('gives {extra: {}} without a meta line and keeps the first line as a request', async () => {
    const path = write('nometa.jsonl', jsonLines([request(1), request(2)]));
    const { meta: got, records } = await readAll(path);
    expect(got).toEqual({ extra: {} });
    expect(records.map((r) => r.line)).toEqual([1, 2]);
  });

  it('finds the meta line after leading blank lines and keeps line numbers through blanks', async () => {
    const path = write('blanks.jsonl', `\n   \n${JSON.stringify(meta)}\n\n${JSON.stringify(request(1))}\n\t\n${JSON.stringify(request(2))}\n\n`);
    const { meta: got, records } = await readAll(path);
    expect(got.model).toBe('m');
    expect(records.map((r) => r.line)).toEqual([5, 7]);
  });

  it('reads an empty or blank-only file as no meta and no records', async () => {
    expect(await readAll(write('empty.jsonl', ''))).toEqual({ meta: { extra: {} }, records: [] });
    expect(await readAll(write('blank.jsonl', '\n \n'))).toEqual({ meta: { extra: {} }, records: [] });
    expect(await readAll(write('metaonly.jsonl', jsonLines([meta])))).toEqual({ meta: { model: 'm', maxNumSeqs: 8, extra: { sim: { seed: 1 } } }, records: [] });
  });

  it('accepts CRLF line endings', async () => {
    const path = write('crlf.jsonl', jsonLines([meta, request(1), request(2)], '\r\n'));
    const { meta: got, records } = await readAll(path);
    expect(got.model).toBe('m');
    expect(records.map((r) => r.promptTokens)).toEqual([1, 2]);
  });

  it('reads gzip, including several concatenated members', async () => {
    const text = jsonLines([meta, request(1), request(2), request(3)]);
    const single = write('single.jsonl.gz', gzipSync(text));
    const cut = text.indexOf('"ttft_ms"', text.indexOf('prompt_tokens":2'));
    const multi = write('multi.jsonl.gz', Buffer.concat([gzipSync(text.slice(0, cut)), gzipSync(text.slice(cut))]));
    for (const path of [single, multi]) {
      const { meta: got, records } = await readAll(path);
      expect(got.model).toBe('m');
      expect(records.map((r) => [r.line, r.promptTokens])).toEqual([
        [2, 1],
        [3, 2],
        [4, 3],
      ]);
    }
  });

  it('keeps the complete records of a truncated gzip capture and warns once, naming the line', async () => {
    const lines = [meta, ...Array.from({ length: 30 }, (_, i) => request(i + 1))];
    const gz = gzipSync(jsonLines(lines));
    const path = write('truncated.jsonl.gz', gz.subarray(0, gz.length - 25));
    const warnings: string[] = [];
    const { records } = await readAll(path, { warn: (message) => warnings.push(message) });
    expect(records.length).toBeGreaterThan(10);
    expect(records.length).toBeLessThan(30);
    expect(records.map((r) => r.promptTokens)).toEqual(Array.from({ length: records.length }, (_, i) => i + 1));
    const lastLine = records[records.length - 1].line;
    expect(warnings).toEqual([
      `${path}: gzip stream ends without its trailer (capture still being written?); kept ${lastLine} complete line(s), dropped the partial line ${lastLine + 1}`,
    ]);
  });

  it('keeps uint64 block hashes exact, as numbers or strings, with any spacing', async () => {
    const line = `{"prompt_tokens": 32, "output_tokens": 1, "ttft_ms": 1, "block_hashes": [ ${U64_MAX} ,${TWO_POW_53_PLUS_1},"12345678901234567890", 0 ,9007199254740992]}`;
    const path = write('hashes.jsonl', `${line}\n`);
    const { records } = await readAll(path);
    expect(Array.from(records[0].blockHashes!)).toEqual([
      18446744073709551615n,
      9007199254740993n,
      12345678901234567890n,
      0n,
      9007199254740992n,
    ]);
  });

  it('takes the top-level block_hashes when a nested object has the same key', async () => {
    const before = `{"x": {"block_hashes": [1, 2]}, "prompt_tokens": 1, "output_tokens": 1, "ttft_ms": 1, "block_hashes": [${U64_MAX}]}`;
    const after = `{"prompt_tokens": 1, "output_tokens": 1, "ttft_ms": 1, "block_hashes": [${TWO_POW_53_PLUS_1}, 5], "y": {"block_hashes": [7]}}`;
    const decoy = `{"prompt_tokens": 1, "output_tokens": 1, "ttft_ms": 1, "note": "\\"block_hashes\\": [1]", "mm_hashes": ["block_hashes"], "block_hashes": [${U64_MAX}]}`;
    const { records } = await readAll(write('nested.jsonl', jsonLines([before, after, decoy])));
    expect(records.map((r) => Array.from(r.blockHashes!))).toEqual([[18446744073709551615n], [9007199254740993n, 5n], [18446744073709551615n]]);
  });

  it('rejects block hashes of 2^64 and above, read from the digits', async () => {
    const path = write('hash-overflow.jsonl', `{"prompt_tokens": 1, "output_tokens": 1, "ttft_ms": 1, "block_hashes": [1, 18446744073709551616]}\n`);
    const reader = await openEngineTrace(path);
    expect(await rejectionMessage(collect(reader.records))).toBe(
      `${path}:1: block_hashes[1] must be an integer in [0, 2^64) (got 18446744073709551616)`,
    );
  });

  it('throws from records iteration at the first bad line, after yielding the good ones', async () => {
    const path = write('bad.jsonl', jsonLines([meta, request(1), '', { ...request(2), ttft_ms: -3 }, request(3)]));
    const reader = await openEngineTrace(path);
    const seen: number[] = [];
    let thrown: unknown;
    try {
      for await (const record of reader.records) seen.push(record.line);
    } catch (error) {
      thrown = error;
    }
    expect(seen).toEqual([2]);
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).message).toBe(`${path}:4: ttft_ms must be a finite number >= 0 (got -3)`);
  });

  it('reports invalid JSON with the parser message', async () => {
    const broken = '{"prompt_tokens": 1,';
    const path = write('badjson.jsonl', jsonLines([request(1), broken]));
    const reader = await openEngineTrace(path);
    expect(await rejectionMessage(collect(reader.records))).toBe(`${path}:2: invalid JSON (${jsonParseMessage(broken)})`);
  });

  it('reports an overflowing number as not finite', async () => {
    const path = write('overflow.jsonl', '{"prompt_tokens": 1, "output_tokens": 1, "ttft_ms": 1e999}\n');
    const reader = await openEngineTrace(path);
    expect(await rejectionMessage(collect(reader.records))).toBe(`${path}:1: ttft_ms must be a finite number >= 0 (got Infinity)`);
  });

  it('rejects a meta key after the first non-blank line', async () => {
    const path = write('latemeta.jsonl', jsonLines([request(1), meta]));
    const reader = await openEngineTrace(path);
    expect(reader.meta).toEqual({ extra: {} });
    expect(await rejectionMessage(collect(reader.records))).toBe(
      `${path}:2: unexpected "meta" line (only the first non-blank line can be meta)`,
    );
  });

  it('rejects a bad meta line when opening', async () => {
    const path = write('badmeta.jsonl', jsonLines([{ meta: { tp: 'two' } }, request(1)]));
    expect(await rejectionMessage(openEngineTrace(path))).toBe(`${path}:1: meta.tp must be an integer >= 1 (got "two")`);
  });

  it('rejects a missing file when opening', async () => {
    const path = write('present.jsonl', '') + '.absent';
    expect(await rejectionMessage(openEngineTrace(path))).toMatch(/: cannot read file \(ENOENT/);
  });

  it('in lenient mode skips bad lines, logs them and keeps the good ones', async () => {
    const broken = '{"prompt_tokens":';
    const path = write(
      'lenient.jsonl',
      jsonLines([
        { meta: { tp: 0 } },
        request(1),
        broken,
        { ...request(2), itl_ms: [1, 2] },
        request(3),
        '[1]',
        { ...request(4), finish_reason: 'nope' },
        meta,
        { ...request(5), prompt_tokens: -1 },
        { ...request(6), output_token_ids: [1] },
        request(7),
      ]),
    );
    const lenient = new LenientLog(5);
    const { meta: got, records } = await readAll(path, { lenient });
    expect(got).toEqual({ extra: {} });
    expect(records.map((r) => r.promptTokens)).toEqual([1, 3, 7]);
    expect(lenient.skipped).toBe(8);
    expect(lenient.firstReasons).toEqual([
      `${path}:1: meta.tp must be an integer >= 1 (got 0)`,
      `${path}:3: invalid JSON (${jsonParseMessage(broken)})`,
      `${path}:4: itl_ms has 2 entries (expected 1, one per token after the first)`,
      `${path}:6: expected a JSON object (got an array)`,
      `${path}:7: finish_reason must be one of "stop", "length", "abort", "error", "repetition" (got "nope")`,
    ]);
  });

  it('reads every line of a chunk holding non-ASCII text as JSON.parse would, and counts the lines read', async () => {
    // The mm_hashes line makes its read chunk non-ASCII; the other lines there still take the byte scanner.
    const lines = [meta, request(1), { ...request(2), mm_hashes: ['ünïcode ✓'] }, '\u00a0\u2003', request(3)];
    const path = write('non-ascii.jsonl', jsonLines(lines));
    const reader = await openEngineTrace(path);
    const records = await collect(reader.records);
    expect(records.map((r) => [r.line, r.promptTokens])).toEqual([
      [2, 1],
      [3, 2],
      [5, 3],
    ]);
    expect(records[1].mmHashes).toEqual(['ünïcode ✓']);
    expect(records).toEqual(lines.slice(1).filter((_, i) => i !== 2).map((value, i) => parseTraceRecord(path, [2, 3, 5][i], value)));
    expect(reader.linesRead()).toBe(5);
  });

  it('reads a request line longer than a read chunk', async () => {
    const gaps = 300_000;
    const long = { prompt_tokens: 4, output_tokens: gaps + 1, ttft_ms: 1, itl_ms: Array.from({ length: gaps }, (_, i) => (i % 13) / 8), arrival_ms: 0 };
    const path = write('long-line.jsonl', jsonLines([request(1), long, request(2)]));
    expect(Buffer.byteLength(JSON.stringify(long))).toBeGreaterThan(1 << 20);
    const { records } = await readAll(path);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(records[1]).toEqual(parseTraceRecord(path, 2, long));
  });

  it('stops reading when the consumer stops early', async () => {
    const path = write('early.jsonl.gz', gzipSync(jsonLines(Array.from({ length: 5000 }, (_, i) => request(i + 1)))));
    const reader = await openEngineTrace(path);
    const first = await reader.records.next();
    expect(first.done).toBe(false);
    expect((first.value as TraceRecord).promptTokens).toBe(1);
    await reader.records.return(undefined);
    expect((await reader.records.next()).done).toBe(true);
  });
});
