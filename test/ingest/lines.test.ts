import { existsSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/ingest/errors.js';
import { lineText, readByteLineBatches, readLineBatches, readNonBlankLines } from '../../src/ingest/lines.js';
import { collect, rejectionMessage, useTempDir } from './helpers.js';

const write = useTempDir();

async function allLines(path: string, warnings: string[] = []): Promise<string[]> {
  const batches = await collect(readLineBatches(path, { warn: (message) => warnings.push(message) }));
  return batches.flatMap((batch) => batch.lines);
}

describe('readLineBatches', () => {
  it('reads a plain file with consecutive line numbers across batches', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i + 1} ${'x'.repeat(i % 50)}`);
    const path = write('big.txt', lines.join('\n') + '\n');
    const batches = await collect(readLineBatches(path));
    expect(batches.length).toBeGreaterThan(1);
    let expectedFirst = 1;
    for (const batch of batches) {
      expect(batch.firstLine).toBe(expectedFirst);
      expectedFirst += batch.lines.length;
    }
    expect(batches.flatMap((batch) => batch.lines)).toEqual(lines);
  });

  it('keeps a last line without a newline', async () => {
    expect(await allLines(write('tail.txt', 'a\nb'))).toEqual(['a', 'b']);
  });

  it('strips \\r from CRLF endings, including the last line', async () => {
    expect(await allLines(write('crlf.txt', 'a\r\nb\r\nc\r'))).toEqual(['a', 'b', 'c']);
  });

  it('drops a UTF-8 byte-order mark before the first line only', async () => {
    expect(await allLines(write('bom.txt', '\ufeff{"a":1}\n\ufeffb\n'))).toEqual(['{"a":1}', '\ufeffb']);
  });

  it('yields nothing for an empty file', async () => {
    expect(await allLines(write('empty.txt', ''))).toEqual([]);
  });

  it('detects gzip by magic bytes, not by extension', async () => {
    const path = write('no-extension', gzipSync('one\ntwo\n'));
    expect(await allLines(path)).toEqual(['one', 'two']);
  });

  it('reads concatenated gzip members as one stream, even when a line spans the boundary', async () => {
    const path = write('multi.gz', Buffer.concat([gzipSync('first\nsec'), gzipSync('ond\nthird\n')]));
    expect(await allLines(path)).toEqual(['first', 'second', 'third']);
  });

  it('treats a gzip stream cut inside a line as a clean end: complete lines kept, one warning', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `{"n":${i},"pad":"${'abcdefgh'.repeat(i % 5)}"}`);
    const gz = gzipSync(lines.join('\n') + '\n');
    const path = write('cut.gz', gz.subarray(0, gz.length - 30));
    const warnings: string[] = [];
    const got = await allLines(path, warnings);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(lines.length);
    expect(got).toEqual(lines.slice(0, got.length));
    expect(warnings).toEqual([
      `${path}: gzip stream ends without its trailer (capture still being written?); kept ${got.length} complete line(s), dropped the partial line ${got.length + 1}`,
    ]);
  });

  it('does not claim a dropped line when only the gzip trailer is missing', async () => {
    const gz = gzipSync('a\nb\n');
    const path = write('no-trailer.gz', gz.subarray(0, gz.length - 8));
    const warnings: string[] = [];
    expect(await allLines(path, warnings)).toEqual(['a', 'b']);
    expect(warnings).toEqual([`${path}: gzip stream ends without its trailer (capture still being written?); kept 2 complete line(s)`]);
  });

  it('reports a missing file as an InputError without a line number', async () => {
    const path = write('exists.txt', '') + '.missing';
    const message = await rejectionMessage(collect(readLineBatches(path)));
    expect(message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read file \\(ENOENT`));
    await expect(collect(readLineBatches(path))).rejects.toBeInstanceOf(InputError);
  });
});

describe('readNonBlankLines', () => {
  it('skips blank and whitespace-only lines but keeps the original line numbers', async () => {
    const path = write('blanks.txt', '\n  \nfirst\n\n\t\nsecond\r\n\r\n');
    expect(await collect(readNonBlankLines(path))).toEqual([
      { line: 3, text: 'first' },
      { line: 6, text: 'second' },
    ]);
  });

  it('numbers lines the same way through gzip', async () => {
    const path = write('blanks.gz', gzipSync('\nx\n\ny\n'));
    expect(await collect(readNonBlankLines(path))).toEqual([
      { line: 2, text: 'x' },
      { line: 4, text: 'y' },
    ]);
  });

  it.runIf(existsSync('/proc/self/fd'))('closes the file when a gzip read is abandoned early', async () => {
    const body = Array.from({ length: 100_000 }, (_, i) => `row ${i}`).join('\n');
    const path = write('early.gz', gzipSync(body));
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    const firsts: string[] = [];
    for (let round = 0; round < 5; round++) {
      for await (const { text } of readNonBlankLines(path)) {
        firsts.push(text);
        break;
      }
    }
    expect(firsts).toEqual(Array(5).fill('row 0'));
    // Closing is asynchronous: give the streams a moment, then count descriptors again.
    for (let wait = 0; wait < 50 && openFiles() > before; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(openFiles()).toBe(before);
  });
});

describe('readByteLineBatches', () => {
  /** Every line of every batch as [number, bytes]. */
  async function byteLines(path: string, range?: { start: number; end: number }): Promise<[number, Buffer][]> {
    const out: [number, Buffer][] = [];
    for await (const batch of readByteLineBatches(path, { range })) {
      batch.starts.forEach((start, i) => out.push([batch.firstLine + i, Buffer.from(batch.bytes.subarray(start, batch.ends[i]))]));
    }
    return out;
  }

  it('keeps lines that span 1 MB read chunks whole, and numbers every line', async () => {
    // Lines of 0.6, 2.5 (spanning three chunks) and 1 MB, between short ones; one CRLF end among them.
    const lines = ['a', 'x'.repeat(600_000), 'b', 'y'.repeat(2_500_000), 'z'.repeat(1 << 20), 'c\r', 'd'];
    const path = write('long-lines.txt', lines.join('\n'));
    const got = await byteLines(path);
    expect(got.map(([line]) => line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(got.map(([, bytes]) => bytes.toString('latin1'))).toEqual(lines.map((line) => line.replace(/\r$/, '')));
  });

  it('marks batches with non-ASCII bytes, and decodes their lines as UTF-8', async () => {
    const path = write('utf8.txt', 'plain\nnaïve ✓\n');
    const batches = await collect(readByteLineBatches(path));
    expect(batches.map((batch) => batch.ascii)).toEqual([false]);
    expect([0, 1].map((i) => lineText(batches[0], i))).toEqual(['plain', 'naïve ✓']);
    const ascii = await collect(readByteLineBatches(write('ascii.txt', 'a\nb\n')));
    expect(ascii.map((batch) => batch.ascii)).toEqual([true]);
  });

  it('reads a byte range as lines numbered from 1, leaving a byte-order mark there alone', async () => {
    const text = '\ufeffa\nbb\n\ufeffccc\ndddd\n';
    const path = write('range.txt', text);
    const cut = Buffer.byteLength('\ufeffa\nbb\n');
    expect((await byteLines(path, { start: 0, end: cut })).map(([line, bytes]) => [line, bytes.toString()])).toEqual([
      [1, 'a'],
      [2, 'bb'],
    ]);
    expect((await byteLines(path, { start: cut, end: Buffer.byteLength(text) })).map(([line, bytes]) => [line, bytes.toString()])).toEqual([
      [1, '\ufeffccc'],
      [2, 'dddd'],
    ]);
  });

  it('refuses a byte range of a gzip file', async () => {
    const path = write('range.txt.gz', gzipSync('a\nb\n'));
    await expect(collect(readByteLineBatches(path, { range: { start: 0, end: 2 } }))).rejects.toThrow('a byte range of a gzip file cannot be read on its own');
  });
});
