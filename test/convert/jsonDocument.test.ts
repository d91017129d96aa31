import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readJsonDocument } from '../../src/convert/jsonDocument.js';
import { findJsonSyntaxError } from '../../src/convert/jsonSyntax.js';
import { errorMessage, rejectionMessage, useTempDir } from '../ingest/helpers.js';

const write = useTempDir();

/** The position JSON.parse names in its message, when it names one. */
function v8Position(text: string): number | undefined {
  const match = /at position (\d+)/.exec(errorMessage(() => JSON.parse(text)));
  return match === null ? undefined : Number(match[1]);
}

describe('findJsonSyntaxError', () => {
  it('finds the offset JSON.parse names for an error between tokens', () => {
    const broken = ['{"a":1,}', '{"a":\n1\n', '[1,2', '{} {}', '{"a" 1}', '[1 2]', '01', '{"a":1', '{,}', '{"a":1}}', '{"a":[1,{"b":2]}', '{1:2}'];
    for (const text of broken) {
      expect(v8Position(text), text).toBeDefined();
      expect(findJsonSyntaxError(text)?.offset, text).toBe(v8Position(text));
    }
  });

  it('places an error inside a string at the string', () => {
    expect(findJsonSyntaxError('{"a": "\\x"}')).toEqual({ offset: 6, found: '"\\""', expected: 'an escape JSON knows (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)' });
    expect(findJsonSyntaxError('["abc')).toEqual({ offset: 1, found: '"\\""', expected: 'a string closed by \'"\' on its line' });
  });

  it('places the errors JSON.parse gives no position for', () => {
    expect(findJsonSyntaxError('[1,\n2,\n x]')).toEqual({ offset: 8, found: '"x"', expected: 'a JSON value' });
    expect(findJsonSyntaxError('{"ttft": NaN}')).toEqual({ offset: 9, found: '"N"', expected: 'a JSON value' });
    expect(findJsonSyntaxError('[1,]')).toEqual({ offset: 3, found: '"]"', expected: 'a JSON value' });
    expect(findJsonSyntaxError('{"a":1, "b"}')).toEqual({ offset: 11, found: '"}"', expected: "':' after the key" });
    expect(findJsonSyntaxError('  ')).toEqual({ offset: 2, found: 'end of input', expected: 'a JSON value' });
    expect(findJsonSyntaxError('{"a": /* c */ 1}')).toEqual({ offset: 6, found: '"/"', expected: 'a JSON value (JSON has no comments)' });
  });

  it('finds nothing in what JSON.parse accepts, nor where nesting is too deep to follow', () => {
    const valid = ['{"a":[1,2.5e-3,{"b":null}],"c":"\\u00e9\\n\\"","d":true,"e":false}', ' [ ] ', '"x"', '-0.0E+10', '{"":""}', '"\u2028"'];
    for (const text of valid) expect(findJsonSyntaxError(text), text).toBeUndefined();
    expect(findJsonSyntaxError(`${'['.repeat(100_000)}x`)).toBeUndefined();
  });
});

describe('readJsonDocument', () => {
  it('names the line and column of a syntax error', async () => {
    const path = write('nan.json', '{\n  "ttfts": [0.1,\n    NaN]\n}\n');
    expect(await rejectionMessage(readJsonDocument(path))).toBe(`${path}:3: invalid JSON at column 5: found "N" (expected a JSON value)`);
  });

  it('reports a truncated document at its end', async () => {
    const path = write('cut.json', '{"itls": [[0.01, 0.02], [0.0');
    expect(await rejectionMessage(readJsonDocument(path))).toBe(`${path}:1: invalid JSON at column 29: found end of input (expected ']' to close the array)`);
  });

  it('reports a second document after the first (vllm --append-result writes one per line)', async () => {
    const path = write('appended.json', '{"a": 1}\n{"a": 2}\n');
    expect(await rejectionMessage(readJsonDocument(path))).toBe(`${path}:2: invalid JSON at column 1: found "{" (expected the end of the document)`);
  });

  it('reports an empty file', async () => {
    const path = write('empty.json', '');
    expect(await rejectionMessage(readJsonDocument(path))).toBe(`${path}:1: invalid JSON at column 1: found end of input (expected a JSON value)`);
  });

  it('reads gzip, CRLF line ends and a byte-order mark', async () => {
    const text = '\ufeff{\r\n  "a": [1, 2],\r\n  "b": "x"\r\n}\r\n';
    expect(await readJsonDocument(write('crlf.json', text))).toEqual({ a: [1, 2], b: 'x' });
    expect(await readJsonDocument(write('doc.json.gz', gzipSync(text)))).toEqual({ a: [1, 2], b: 'x' });
  });

  it('warns about a gzip stream without its trailer, then fails on the cut JSON', async () => {
    // Numbers that do not repeat, so the compressed stream is long enough to cut inside line 2.
    const numbers = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 10007).join(', ');
    const gz = gzipSync(`{\n  "a": [${numbers}]\n}\n`);
    const path = write('cut.json.gz', gz.subarray(0, gz.length - 200));
    const warnings: string[] = [];
    const message = await rejectionMessage(readJsonDocument(path, { warn: (warning) => warnings.push(warning) }));
    expect(warnings).toEqual([`${path}: gzip stream ends without its trailer (capture still being written?); kept 1 complete line(s), dropped the partial line 2`]);
    expect(message).toBe(`${path}:1: invalid JSON at column 2: found end of input (expected '}' to close the object)`);
  });

  it('reports a missing file', async () => {
    expect(await rejectionMessage(readJsonDocument('/nonexistent/result.json'))).toMatch(/^\/nonexistent\/result\.json: cannot read file \(ENOENT/);
  });
});
