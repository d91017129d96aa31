import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/ingest/errors.js';
import { detectInputKind } from '../../src/ingest/detect.js';
import { jsonLines, rejectionMessage, useTempDir } from './helpers.js';

const write = useTempDir();

const REQUEST = { prompt_tokens: 1, output_tokens: 1, ttft_ms: 1 };
const STEP = { ts_ms: 0, scheduler: { num_running_reqs: 0, num_waiting_reqs: 0, kv_cache_usage: 0 } };
const OTLP = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [] }] };
const EXPECTED = 'expected an engine trace, a step-stats sidecar or an OTLP export';

describe('detectInputKind', () => {
  it.each([
    ['a trace with meta', [{ meta: { model: 'm' } }, REQUEST], 'trace'],
    ['a trace without meta', [REQUEST], 'trace'],
    ['a meta-only (empty) trace', [{ meta: {} }], 'trace'],
    ['a step-stats sidecar', [STEP, STEP], 'step-stats'],
    ['a step-stats sidecar with a meta line', [{ meta: { source: 'tap' } }, STEP], 'step-stats'],
    ['an OTLP export', [OTLP], 'otlp'],
  ])('recognizes %s', async (_name, lines, kind) => {
    expect(await detectInputKind(write(`${kind}-${lines.length}-${JSON.stringify(lines).length}.jsonl`, jsonLines(lines)))).toBe(kind);
  });

  it('recognizes a trace line by any one of its required keys', async () => {
    expect(await detectInputKind(write('partial.jsonl', jsonLines([{ ttft_ms: 3 }])))).toBe('trace');
  });

  it('looks past blank lines and a few bad lines', async () => {
    const path = write('late.jsonl', `\n\n{not json\n[1]\n{"other": 1}\n${JSON.stringify(STEP)}\n`);
    expect(await detectInputKind(path)).toBe('step-stats');
  });

  it('reads gzip, including a truncated stream, without warning', async () => {
    const gz = gzipSync(jsonLines([OTLP, OTLP, OTLP]));
    expect(await detectInputKind(write('otlp.jsonl.gz', gz))).toBe('otlp');
    expect(await detectInputKind(write('otlp-cut.jsonl.gz', gz.subarray(0, gz.length - 8)))).toBe('otlp');
  });

  it('names the first unrecognized line when nothing matches', async () => {
    const path = write('other.jsonl', jsonLines([{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, { x: 1 }]));
    expect(await rejectionMessage(detectInputKind(path))).toBe(`${path}:1: ${EXPECTED} (found an object with keys a, b, c, d, e, ...)`);
  });

  it.each([
    ['not JSON', 'time,value\n1,2\n', 'a line that is not JSON'],
    ['a JSON array', '[1, 2]\n', 'a JSON line that is not an object'],
    ['an empty object', '\n{}\n', 'an empty object'],
  ])('rejects a file whose first line is %s', async (_name, content, found) => {
    const path = write(`reject-${found.length}.txt`, content);
    const lineNo = content.startsWith('\n') ? 2 : 1;
    expect(await rejectionMessage(detectInputKind(path))).toBe(`${path}:${lineNo}: ${EXPECTED} (found ${found})`);
  });

  it('gives up after five non-blank lines', async () => {
    const path = write('five.jsonl', jsonLines([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }, { a: 5 }, REQUEST]));
    expect(await rejectionMessage(detectInputKind(path))).toBe(`${path}:1: ${EXPECTED} (found an object with keys a)`);
  });

  it('rejects an empty file as an InputError without a line', async () => {
    const path = write('empty.jsonl', '\n\n');
    await expect(detectInputKind(path)).rejects.toBeInstanceOf(InputError);
    expect(await rejectionMessage(detectInputKind(path))).toBe(`${path}: file is empty (${EXPECTED})`);
  });
});
