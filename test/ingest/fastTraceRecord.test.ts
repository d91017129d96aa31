import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../src/capture/records.js';
import { generateCapture } from '../../src/gen/index.js';
import { Rng } from '../../src/gen/rng.js';
import { restoreExactBlockHashes } from '../../src/ingest/blockHashes.js';
import { openEngineTrace } from '../../src/ingest/engineTrace.js';
import { fastTraceRecord } from '../../src/ingest/fastTraceRecord.js';
import { isJsonObject, parseJsonLine } from '../../src/ingest/jsonLines.js';
import { parseTraceRecord } from '../../src/ingest/traceRecord.js';
import { collect, useTempDir } from './helpers.js';

const write = useTempDir();

const U64_MAX = '18446744073709551615';

/** The reader's general path: JSON.parse, exact hash digits, validation. */
function slowTraceRecord(line: number, text: string, path = 'trace.jsonl'): TraceRecord {
  const value = parseJsonLine(path, line, text);
  if (text.includes('"block_hashes"') && isJsonObject(value)) restoreExactBlockHashes(text, value);
  return parseTraceRecord(path, line, value);
}

/** The slow path's outcome: its record, or the message it throws. */
function slowOutcome(line: number, text: string, path?: string): { record?: TraceRecord; error?: string } {
  try {
    return { record: slowTraceRecord(line, text, path) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Field-by-field identity: the same keys in the same order, doubles by
 * Object.is (so -0 and 0 differ), typed arrays of the same class with the
 * same bytes.
 */
function expectIdentical(actual: unknown, expected: unknown, at = 'record'): void {
  if (ArrayBuffer.isView(expected)) {
    expect(ArrayBuffer.isView(actual), at).toBe(true);
    expect((actual as object).constructor, at).toBe(expected.constructor);
    expect(Buffer.compare(bytesOf(actual as ArrayBufferView), bytesOf(expected)), at).toBe(0);
  } else if (typeof expected === 'object' && expected !== null) {
    expect(typeof actual, at).toBe('object');
    expect(Object.keys(actual as object), at).toEqual(Object.keys(expected));
    for (const key of Object.keys(expected)) {
      expectIdentical((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${at}.${key}`);
    }
  } else {
    expect(Object.is(actual, expected), `${at}: ${String(actual)} vs ${String(expected)}`).toBe(true);
  }
}

/** fastTraceRecord reads `text` and agrees with the general path exactly. */
function expectFastMatches(text: string, line = 7): TraceRecord {
  const fast = fastTraceRecord(line, text);
  expect(fast, text.slice(0, 200)).toBeDefined();
  expectIdentical(fast, slowTraceRecord(line, text));
  return fast!;
}

/** A line from `[key, JSON text]` pairs, so numbers can be spelled exactly as wanted. */
function lineOf(members: [string, string][], separator = ','): string {
  return `{${members.map(([key, value]) => `"${key}":${value}`).join(separator)}}`;
}

const BASE: [string, string][] = [
  ['prompt_tokens', '10'],
  ['output_tokens', '3'],
  ['ttft_ms', '5'],
  ['itl_ms', '[1,2]'],
];

/** BASE with `key` set to `value` (replaced in place, or appended). */
function withKey(key: string, value: string, members = BASE): string {
  const out = members.filter(([k]) => k !== key);
  const at = members.findIndex(([k]) => k === key);
  out.splice(at < 0 ? out.length : at, 0, [key, value]);
  return lineOf(out);
}

/** BASE with several keys set, later ones winning. */
function withMembers(...members: [string, string][]): [string, string][] {
  let out = BASE;
  for (const [key, value] of members) {
    const at = out.findIndex(([k]) => k === key);
    out = at < 0 ? [...out, [key, value]] : out.map((m, i) => (i === at ? [key, value] : m));
  }
  return out;
}

describe('fastTraceRecord: same record as the JSON.parse path', () => {
  it('reads generated captures (plain, spec-decode, aborts) line for line', async () => {
    const configs = [
      { requests: 120, seed: 3 },
      { requests: 80, seed: 5, specK: 3, abortRate: 0.2 },
      { requests: 60, seed: 8, blockSize: 4 },
    ];
    for (const config of configs) {
      const dir = mkdtempSync(join(tmpdir(), 'vcr-fast-trace-'));
      let lines: string[];
      try {
        await generateCapture({ outDir: dir, ...config });
        lines = readFileSync(join(dir, 'trace.jsonl'), 'utf8').split('\n').slice(1, -1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(lines.length).toBe(config.requests);
      // All records first, compared afterwards: later lines must not disturb earlier records.
      const records = lines.map((text, i) => fastTraceRecord(i + 2, text));
      records.forEach((record, i) => {
        expect(record).toBeDefined();
        expectIdentical(record, slowTraceRecord(i + 2, lines[i]));
      });
      if (config.specK) expect(records.some((r) => r!.itlTokens !== undefined)).toBe(true);
    }
  });

  it('reads every optional key present and absent, with defaults', () => {
    const full = expectFastMatches(
      lineOf([
        ['prompt_tokens', '100'],
        ['cached_tokens', '32'],
        ['output_tokens', '5'],
        ['ttft_ms', '12.5'],
        ['itl_ms', '[1.25,2,0,3.5]'],
        ['concurrency', '4'],
        ['arrival_ms', '1000.5'],
        ['itl_ctx', '{"num_running":[4,4,3,2],"prefill_tokens":[0,128,0,0]}'],
        ['block_hashes', `[1,0,${U64_MAX}]`],
        ['mm_hashes', '["img-a","img-b"]'],
        ['output_token_ids', '[11,12,13,14,2147483647]'],
        ['finish_reason', '"length"'],
      ]),
    );
    expect(Array.from(full.blockHashes!)).toEqual([1n, 0n, 18446744073709551615n]);
    const bare = expectFastMatches('{"prompt_tokens":4,"output_tokens":1,"ttft_ms":0}');
    expect(bare).toEqual({ line: 7, promptTokens: 4, cachedTokens: 0, outputTokens: 1, ttftMs: 0, concurrency: 1 });
  });

  it('reads spec-decode gaps, summaries and zero- or one-token outputs', () => {
    expectFastMatches('{"prompt_tokens":64,"output_tokens":15,"ttft_ms":50,"itl_ms":[20,18,22,19],"itl_tokens":[3,4,2,3]}');
    expectFastMatches('{"prompt_tokens":500,"output_tokens":100,"ttft_ms":200,"itl_summary":{"mean_ms":5.5,"count":99}}');
    expectFastMatches('{"prompt_tokens":500,"output_tokens":10,"ttft_ms":2,"itl_summary":{"count":4,"mean_ms":2}}');
    expectFastMatches('{"prompt_tokens":5,"output_tokens":3,"ttft_ms":2,"itl_ms":[1,1],"itl_summary":{"mean_ms":1,"count":2}}');
    expectFastMatches('{"prompt_tokens":5,"output_tokens":1,"ttft_ms":10,"output_token_ids":[42],"itl_ms":[]}');
    expectFastMatches('{"prompt_tokens":5,"output_tokens":0,"ttft_ms":10,"finish_reason":"abort","output_token_ids":[]}');
    expectFastMatches('{"prompt_tokens":5,"output_tokens":1,"ttft_ms":1,"itl_summary":{"mean_ms":0,"count":0}}');
    expectFastMatches('{"prompt_tokens":5,"output_tokens":2,"ttft_ms":1,"itl_tokens":[],"itl_summary":{"mean_ms":0,"count":1}}');
    for (const reason of ['stop', 'length', 'abort', 'error', 'repetition']) expectFastMatches(withKey('finish_reason', `"${reason}"`));
  });

  it('keeps block hashes exact around 2^53 and 2^64', () => {
    const hashes = ['0', '1', '9007199254740991', '9007199254740992', '9007199254740993', '99999999999999999', '4294967295', '4294967296', U64_MAX, '18446744073709551614', '10000000000000000000'];
    const record = expectFastMatches(withKey('block_hashes', `[${hashes.join(',')}]`));
    expect(Array.from(record.blockHashes!)).toEqual(hashes.map(BigInt));
    expectFastMatches(withKey('block_hashes', '[]'));
  });

  it('reads numbers exactly as JSON.parse does', () => {
    const spellings = [
      '0', '-0', '0.1', '0.2', '0.30000000000000004', '1e-7', '1E3', '1e+3', '1.5e-3', '2.5E+2', '123456789.123456789',
      '123456789012345', '1234567890123456', '12345678901234567890', '0.000000000000001', '0.0000000000000001', '9007199254740993',
      '5e-324', '2.2250738585072014e-308', '1.7976931348623157e308', '0.1000', '100.000', '6.675', '1e0', '-0.0', '3.14159265358979',
      '1.00000000000000011102230246251565404236316680908203125',
    ];
    for (const n of spellings) {
      const record = expectFastMatches(withKey('itl_ms', `[1,${n}]`, withMembers(['arrival_ms', n], ['ttft_ms', n])));
      expect(Object.is(record.itlMs![1], JSON.parse(n)), n).toBe(true);
      const negated = n.startsWith('-') ? n.slice(1) : `-${n}`;
      expectFastMatches(withKey('itl_summary', `{"mean_ms":${n},"count":2}`, withMembers(['arrival_ms', negated])));
    }
  });

  it('accepts JSON whitespace anywhere between tokens', () => {
    expectFastMatches(
      ' \t{ "prompt_tokens" : 10 ,\r"output_tokens":3, "ttft_ms" :5,"itl_ms": [ 1 , 2.5 ] ,' +
        ' "itl_ctx" : { "num_running" : [ 1 ,2 ] , "prefill_tokens":[0 , 0] } , "block_hashes" : [ 1 , 2 ] ,' +
        ' "itl_summary" : { "mean_ms" : 1 , "count" : 2 } , "mm_hashes" : [ "a" , "b" ] , "output_token_ids" : [ 7 , 8 , 9 ] , "finish_reason" : "stop" } \t',
    );
    expectFastMatches('{"prompt_tokens":10,"output_tokens":1,"ttft_ms":5,"itl_ms":[ ],"mm_hashes":[]}');
    expectFastMatches('{\n"prompt_tokens":10,\n"output_tokens":1,\n"ttft_ms":5\n}');
  });

  it('reads lines longer than its buffers, growing them inside each kind of array', () => {
    const gaps = 30_000;
    const hashes = Array.from({ length: 25_000 }, (_, i) => (BigInt(i) * 0x9e3779b97f4a7c15n) % (1n << 64n));
    const long = lineOf([
      ['prompt_tokens', '400000'],
      ['output_tokens', String(gaps + 1)],
      ['ttft_ms', '5'],
      ['block_hashes', `[${hashes.join(',')}]`],
      ['itl_ms', `[${Array.from({ length: gaps }, (_, i) => (i % 997) / 8).join(',')}]`],
      ['itl_tokens', `[${Array.from({ length: gaps }, () => 1).join(',')}]`],
      ['output_token_ids', `[${Array.from({ length: gaps + 1 }, (_, i) => i * 7919).join(',')}]`],
    ]);
    expect(Array.from(expectFastMatches(long).blockHashes!)).toEqual(hashes);
    // Short lines after the long one still read right.
    expectFastMatches(lineOf(BASE));
    expectFastMatches(withKey('block_hashes', `[${U64_MAX}]`));
  });
});

describe('fastTraceRecord: falls back on anything unusual', () => {
  /** Lines the general path rejects; the fast path must leave every one to it. */
  const rejected: [string, string][] = [
    ['an array', '[1,2]'],
    ['a number', '5'],
    ['null', 'null'],
    ['an empty object', '{}'],
    ['a late meta line', '{"meta":{"model":"m"}}'],
    ['truncated JSON', '{"prompt_tokens":10,"output_tokens":3,"ttft_ms":5,"itl_ms":[1,'],
    ['a missing closing brace', lineOf(BASE).slice(0, -1)],
    ['trailing garbage', `${lineOf(BASE)} x`],
    ['a second object', `${lineOf(BASE)}{}`],
    ['a trailing comma', `${lineOf(BASE).slice(0, -1)},}`],
    ['a missing colon', lineOf(BASE).replace('"prompt_tokens":', '"prompt_tokens" ')],
    ['a comma for a colon', lineOf(BASE).replace('"ttft_ms":', '"ttft_ms",')],
    ['a trailing comma in an array', withKey('itl_ms', '[1,2,]')],
    ['a leading zero', withKey('prompt_tokens', '010')],
    ['a leading zero in an array', withKey('output_token_ids', '[1,02,3]')],
    ['a leading zero in a gap', withKey('itl_ms', '[1,02.5]')],
    ['a leading zero in a hash', withKey('block_hashes', '[012]')],
    ['a bare fraction', withKey('itl_ms', '[1,.5]')],
    ['a trailing dot', withKey('itl_ms', '[1,5.]')],
    ['an empty exponent', withKey('ttft_ms', '1e')],
    ['a plus sign', withKey('ttft_ms', '+1')],
    ['a NaN literal', withKey('ttft_ms', 'NaN')],
    ['non-JSON whitespace', `{\u00a0"prompt_tokens":10,"output_tokens":3,"ttft_ms":5,"itl_ms":[1,2]}`],
    ['a raw control character in a string', withKey('mm_hashes', '["a\u0001b"]')],
    ['a raw tab in a string', withKey('mm_hashes', '["a\tb"]')],
    ['a NUL after the object', `${lineOf(BASE)}\u0000`],
    ['missing prompt_tokens', lineOf(BASE.slice(1))],
    ['fractional prompt_tokens', withKey('prompt_tokens', '1.5')],
    ['string prompt_tokens', withKey('prompt_tokens', '"10"')],
    ['prompt_tokens above 2^53', withKey('prompt_tokens', '9007199254740993')],
    ['negative cached_tokens', withKey('cached_tokens', '-1')],
    ['cached_tokens above prompt_tokens', withKey('cached_tokens', '11')],
    ['missing output_tokens', lineOf([BASE[0], BASE[2]])],
    ['boolean output_tokens', withKey('output_tokens', 'true')],
    ['missing ttft_ms', lineOf([BASE[0], ['output_tokens', '1']])],
    ['negative ttft_ms', withKey('ttft_ms', '-3')],
    ['infinite ttft_ms', withKey('ttft_ms', '1e400')],
    ['null ttft_ms', withKey('ttft_ms', 'null')],
    ['zero concurrency', withKey('concurrency', '0')],
    ['string arrival_ms', withKey('arrival_ms', '"5"')],
    ['infinite arrival_ms', withKey('arrival_ms', '-1e999')],
    ['itl_ms not an array', withKey('itl_ms', '{"a":1}')],
    ['a negative gap', withKey('itl_ms', '[1,-2]')],
    ['a null gap', withKey('itl_ms', '[null,1]')],
    ['too many gaps', withKey('itl_ms', '[1,2,3]')],
    ['too few gaps', withKey('itl_ms', '[1]')],
    ['no gap data for several tokens', lineOf(BASE.slice(0, 3))],
    ['itl_tokens length', withKey('itl_tokens', '[1,2,3]', withMembers(['output_tokens', '10']))],
    ['itl_tokens without itl_ms', withKey('itl_tokens', '[1]', [BASE[0], ['output_tokens', '1'], BASE[2]])],
    ['a zero itl_tokens entry', withKey('itl_tokens', '[2,0]', withMembers(['output_tokens', '10']))],
    ['a fractional itl_tokens entry', withKey('itl_tokens', '[1.5,1]', withMembers(['output_tokens', '10']))],
    ['an itl_tokens entry beyond int32', withKey('itl_tokens', '[2147483648,1]', withMembers(['output_tokens', '10']))],
    ['itl_tokens summing to output_tokens', withKey('itl_tokens', '[2,3]', withMembers(['output_tokens', '5']))],
    ['itl_summary not an object', withKey('itl_summary', '[5,2]')],
    ['an empty itl_summary', withKey('itl_summary', '{}')],
    ['a negative itl_summary mean', withKey('itl_summary', '{"mean_ms":-1,"count":2}')],
    ['itl_summary without count', withKey('itl_summary', '{"mean_ms":1}')],
    ['itl_summary count too large', withKey('itl_summary', '{"mean_ms":1,"count":3}')],
    ['itl_summary count zero for several tokens', withKey('itl_summary', '{"mean_ms":1,"count":0}')],
    ['itl_ctx not an object', withKey('itl_ctx', '3')],
    ['itl_ctx.num_running length', withKey('itl_ctx', '{"num_running":[1],"prefill_tokens":[0,0]}')],
    ['itl_ctx.prefill_tokens length', withKey('itl_ctx', '{"num_running":[1,1],"prefill_tokens":[0]}')],
    ['itl_ctx.prefill_tokens missing', withKey('itl_ctx', '{"num_running":[1,1]}')],
    ['a negative itl_ctx.num_running', withKey('itl_ctx', '{"num_running":[1,-1],"prefill_tokens":[0,0]}')],
    ['block_hashes not an array', withKey('block_hashes', '"12"')],
    ['a negative block hash', withKey('block_hashes', '[1,-1]')],
    ['a fractional block hash', withKey('block_hashes', '[1.5]')],
    ['a block hash of 2^64', withKey('block_hashes', '[18446744073709551616]')],
    ['a 21-digit block hash', withKey('block_hashes', '[100000000000000000000]')],
    ['a block hash string of 2^64', withKey('block_hashes', '["18446744073709551616"]')],
    ['a non-string mm_hashes entry', withKey('mm_hashes', '["a",1]')],
    ['output_token_ids length', withKey('output_token_ids', '[1,2]')],
    ['a negative token id', withKey('output_token_ids', '[1,-2,3]')],
    ['a token id beyond int32', withKey('output_token_ids', '[1,2147483648,3]')],
    ['an unknown finish_reason', withKey('finish_reason', '"done"')],
    ['a numeric finish_reason', withKey('finish_reason', '1')],
  ];

  /** Lines the general path accepts but the fast path does not try to read. */
  const accepted: [string, string][] = [
    ['an unknown key', withKey('some_future_key', '{"ignored":[1,2]}')],
    ['a duplicate key (the last one wins)', `${lineOf(BASE).slice(0, -1)},"ttft_ms":7}`],
    ['a duplicate itl_ctx key', withKey('itl_ctx', '{"num_running":[9,9],"prefill_tokens":[0,0],"num_running":[1,1]}')],
    ['an unknown itl_ctx key', withKey('itl_ctx', '{"num_running":[1,1],"prefill_tokens":[0,0],"extra":1}')],
    ['an unknown itl_summary key', withKey('itl_summary', '{"mean_ms":1,"count":2,"p50":1}')],
    ['a duplicate itl_summary key', withKey('itl_summary', '{"mean_ms":1,"count":2,"count":1}')],
    ['null optional keys', withKey('cached_tokens', 'null', withMembers(['concurrency', 'null'], ['finish_reason', 'null'], ['block_hashes', 'null']))],
    ['an escaped finish_reason', withKey('finish_reason', '"st\\u006fp"')],
    ['an escaped mm_hashes entry', withKey('mm_hashes', '["a\\"b","c\\\\d"]')],
    ['an escaped key', `${lineOf(BASE).slice(0, -1)},"arrival\\u005fms":3}`],
    ['non-ASCII text', withKey('mm_hashes', '["bild-é","画像"]')],
    ['non-ASCII text before trailing spaces', `${withKey('mm_hashes', '["é"]')}  `],
    ['an int written with a fraction', withKey('prompt_tokens', '10.0')],
    ['an int written with an exponent', withKey('output_token_ids', '[1,2e1,3]')],
    ['a negative zero int', withKey('prompt_tokens', '-0')],
    ['a negative zero in an int32 array', withKey('itl_ctx', '{"num_running":[-0,1],"prefill_tokens":[0,0]}')],
    ['concurrency written with a fraction', withKey('concurrency', '2.0')],
    ['a block hash written as a string', withKey('block_hashes', `["123","${U64_MAX}"]`)],
    ['a block hash written with a fraction', withKey('block_hashes', '[1.0,2]')],
  ];

  /** The reader on a two-line file whose second line is `text`. */
  async function readerOutcome(name: string, text: string): Promise<{ path: string; record?: TraceRecord; error?: string }> {
    const path = write(`${name.replace(/[^a-z0-9]+/gi, '-')}.jsonl`, `${lineOf(BASE)}\n${text}\n`);
    try {
      const reader = await openEngineTrace(path);
      const records = await collect(reader.records);
      return { path, record: records[1] };
    } catch (error) {
      return { path, error: (error as Error).message };
    }
  }

  it.each(rejected)('leaves %s to the general path, which words the error', async (name, text) => {
    expect(fastTraceRecord(2, text)).toBeUndefined();
    const got = await readerOutcome(name, text);
    const want = slowOutcome(2, text, got.path);
    expect(want.error).toBeDefined();
    expect(got.error).toBe(want.error);
    expect(got.error!.startsWith(`${got.path}:2: `)).toBe(true);
  });

  it.each(accepted)('leaves %s to the general path, which reads it', async (name, text) => {
    expect(fastTraceRecord(2, text)).toBeUndefined();
    const got = await readerOutcome(name, text);
    const want = slowOutcome(2, text, got.path);
    expect(got.error).toBeUndefined();
    expect(want.error).toBeUndefined();
    expectIdentical(got.record, want.record);
  });

  it('keeps the exact messages of the general path', async () => {
    const cached = await readerOutcome('cached-message', withKey('cached_tokens', '11'));
    expect(cached.error).toBe(`${cached.path}:2: cached_tokens is 11 (expected at most prompt_tokens = 10; cached tokens are prompt tokens)`);
    const gap = await readerOutcome('gap-message', withKey('itl_ms', '[1,-2]'));
    expect(gap.error).toBe(`${gap.path}:2: itl_ms[1] must be a finite number >= 0 (got -2)`);
    const meta = await readerOutcome('meta-message', '{"meta":{}}');
    expect(meta.error).toBe(`${meta.path}:2: unexpected "meta" line (only the first non-blank line can be meta)`);
  });
});

describe('fastTraceRecord: random valid records', () => {
  const rng = new Rng(20240611, 'fast-trace-record-test');
  const pick = <T>(items: readonly T[]): T => items[rng.below(items.length)];

  /** A non-negative double in one of several spellings JSON.stringify and writers produce. */
  function duration(): string {
    switch (rng.below(6)) {
      case 0:
        return String(rng.below(1_000_000) / 1000);
      case 1:
        return JSON.stringify(rng.float() * 10 ** (rng.below(40) - 20));
      case 2:
        return (rng.float() * 1000).toFixed(rng.below(12));
      case 3:
        return String(rng.below(100));
      case 4:
        return `${rng.below(1000)}.${String(rng.below(1_000_000_000)).padStart(9, '0')}${rng.below(1000)}`;
      default:
        return `${rng.below(100)}e${rng.below(20) - 10}`;
    }
  }

  function uint64(): string {
    switch (rng.below(4)) {
      case 0:
        return String(rng.below(2 ** 20));
      case 1:
        return pick([U64_MAX, '9007199254740993', '9007199254740992', '0', '18446744069414584320']);
      default:
        return ((BigInt(rng.nextUint32()) << 32n) | BigInt(rng.nextUint32())).toString();
    }
  }

  function ints(count: number, min: number, max: number): string {
    return `[${Array.from({ length: count }, () => min + rng.below(max - min + 1)).join(',')}]`;
  }

  function randomLine(): string {
    const outputTokens = rng.chance(0.1) ? rng.below(2) : 1 + rng.below(60);
    const promptTokens = rng.below(5000);
    const members: [string, string][] = [
      ['prompt_tokens', String(promptTokens)],
      ['output_tokens', String(outputTokens)],
      ['ttft_ms', duration()],
    ];
    if (rng.chance(0.6)) members.push(['cached_tokens', String(rng.below(promptTokens + 1))]);
    if (rng.chance(0.6)) members.push(['concurrency', String(1 + rng.below(300))]);
    if (rng.chance(0.6)) members.push(['arrival_ms', (rng.chance(0.3) ? '-' : '') + duration()]);
    const maxGaps = Math.max(0, outputTokens - 1);
    const withGaps = outputTokens > 1 ? rng.chance(0.8) : rng.chance(0.5);
    const withSummary = !withGaps || rng.chance(0.2);
    let gaps = 0;
    if (withGaps) {
      if (rng.chance(0.3) && outputTokens > 0) {
        // Spec decode: chunks of 1..4 tokens after the first.
        const chunks: number[] = [];
        for (let left = outputTokens - 1; left > 0; ) {
          const size = 1 + rng.below(Math.min(4, left));
          chunks.push(size);
          left -= size;
        }
        members.push(['itl_tokens', `[${chunks.join(',')}]`]);
        gaps = chunks.length;
      } else {
        gaps = maxGaps;
      }
      members.push(['itl_ms', `[${Array.from({ length: gaps }, duration).join(',')}]`]);
      if (rng.chance(0.5)) members.push(['itl_ctx', `{"num_running":${ints(gaps, 0, 512)},"prefill_tokens":${ints(gaps, 0, 8192)}}`]);
    }
    if (withSummary) {
      const count = maxGaps === 0 ? 0 : 1 + rng.below(maxGaps);
      members.push(['itl_summary', rng.chance(0.5) ? `{"mean_ms":${duration()},"count":${count}}` : `{"count":${count},"mean_ms":${duration()}}`]);
    }
    if (rng.chance(0.6)) members.push(['block_hashes', `[${Array.from({ length: rng.below(12) }, uint64).join(',')}]`]);
    if (rng.chance(0.2)) members.push(['mm_hashes', JSON.stringify(Array.from({ length: rng.below(3) }, () => `mm-${rng.nextUint32().toString(16)}`))]);
    if (rng.chance(0.5)) members.push(['output_token_ids', ints(outputTokens, 0, 2 ** 31 - 1)]);
    if (rng.chance(0.7)) members.push(['finish_reason', JSON.stringify(pick(['stop', 'length', 'abort', 'error', 'repetition']))]);
    // Any key order, sometimes with spaces.
    for (let i = members.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [members[i], members[j]] = [members[j], members[i]];
    }
    return lineOf(members, rng.chance(0.2) ? ' , ' : ',');
  }

  it('agrees with the general path on 3000 seeded random lines', () => {
    for (let i = 0; i < 3000; i++) expectFastMatches(randomLine(), i + 1);
  });

  it('agrees on random records written by JSON.stringify', () => {
    for (let i = 0; i < 1000; i++) {
      const outputTokens = 1 + rng.below(30);
      const value = {
        prompt_tokens: rng.below(4000),
        output_tokens: outputTokens,
        ttft_ms: rng.float() * 10 ** (rng.below(12) - 4),
        itl_ms: Array.from({ length: outputTokens - 1 }, () => rng.float() * 10 ** (rng.below(30) - 15)),
        arrival_ms: (rng.float() - 0.5) * 10 ** rng.below(15),
        output_token_ids: Array.from({ length: outputTokens }, () => rng.below(2 ** 31)),
        finish_reason: pick(['stop', 'length', 'abort', 'error', 'repetition']),
      };
      expectFastMatches(JSON.stringify(value), i + 1);
    }
  });
});
