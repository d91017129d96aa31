/**
 * Reading an engine trace in parts on worker threads gives the capture one
 * thread gives: the same columns (source lines included), rows, meta and
 * stats, and the same first error with the same line number. The workers
 * load dist/ (test/globalSetup.ts builds it), so the parallel side runs the
 * built reader; a tiny minimum part size makes small files split.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureView } from '../../src/capture/model.js';
import { spillCapture } from '../../src/capture/spill/spilledCapture.js';
import { planTraceSplit } from '../../src/capture/spill/splitTrace.js';
import { generateCapture } from '../../src/gen/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vcr-split-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Spill = typeof spillCapture;
let builtSpill: Spill;
beforeAll(async () => {
  builtSpill = ((await import(new URL('../../dist/src/capture/spill/spilledCapture.js', import.meta.url).href)) as { spillCapture: Spill }).spillCapture;
});

function write(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The generated trace's lines, with the kinds of line a reader must number but not read: blank, whitespace, CRLF ends. */
async function messyTrace(): Promise<string[]> {
  const out = join(dir, 'gen');
  await generateCapture({ outDir: out, requests: 120, seed: 11, specK: 2 });
  const lines = readFileSync(join(out, 'trace.jsonl'), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const messy: string[] = [];
  lines.forEach((line, i) => {
    messy.push(i % 5 === 3 ? `${line}\r` : line);
    if (i % 7 === 2) messy.push('');
    if (i % 11 === 4) messy.push('  \t');
  });
  return messy;
}

async function readBoth(path: string, threads: number): Promise<{ one: CaptureView & { close(): void }; split: CaptureView & { close(): void } }> {
  const one = await spillCapture({ trace: path }, { tempDir: dir });
  const split = await builtSpill({ trace: path }, { tempDir: dir, readThreads: threads, minReadPartBytes: 1 });
  return { one, split };
}

function expectSameCapture(split: CaptureView, one: CaptureView): void {
  expect(split.meta).toEqual(one.meta);
  expect(split.requests).toEqual(one.requests);
  expect(split.stats).toEqual(one.stats);
  expect(split.gapsHaveContext).toBe(one.gapsHaveContext);
  for (let r = 0; r < one.requests.count; r++) expect({ ...split.rows.rows(r) }, `request ${r}`).toEqual({ ...one.rows.rows(r) });
}

describe('planTraceSplit', () => {
  it('cuts a file into whole lines that cover it exactly', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `{"n":${'7'.repeat(i % 9)}}`);
    const path = write('plan.jsonl', `${lines.join('\n')}\n`);
    const bytes = readFileSync(path);
    const ranges = await planTraceSplit(path, 4, 1);
    expect(ranges).toHaveLength(4);
    expect(ranges?.[0].start).toBe(0);
    expect(ranges?.[3].end).toBe(bytes.length);
    for (let k = 1; k < 4; k++) {
      expect(ranges?.[k].start).toBe(ranges?.[k - 1].end);
      expect(bytes[(ranges?.[k].start ?? 0) - 1]).toBe(0x0a);
    }
  });

  it('leaves small, gzip and blank-headed files to one thread', async () => {
    const path = write('small.jsonl', '{"a":1}\n{"a":2}\n');
    expect(await planTraceSplit(path, 2)).toBeUndefined();
    expect(await planTraceSplit(path, 1, 1)).toBeUndefined();
    expect(await planTraceSplit(write('small.jsonl.gz', gzipSync(readFileSync(path))), 2, 1)).toBeUndefined();
    expect(await planTraceSplit(write('blank-head.jsonl', `${'\n'.repeat(100)}{"a":1}\n{"a":2}\n`), 2, 1)).toBeUndefined();
    // One long line: no line end after the middle, so no second part.
    expect(await planTraceSplit(write('one-line.jsonl', `{"a":"${'x'.repeat(1000)}"}`), 2, 1)).toBeUndefined();
  });
});

describe('a trace read in parts on worker threads', () => {
  it('gives the capture one thread gives (meta line, blank and CRLF lines, spec decode)', async () => {
    const path = write('messy.jsonl', `${(await messyTrace()).join('\n')}\n`);
    for (const threads of [2, 3]) {
      const { one, split } = await readBoth(path, threads);
      try {
        expect(one.meta.model).toBeDefined();
        expectSameCapture(split, one);
      } finally {
        one.close();
        split.close();
      }
    }
  });

  it('reads a last line without a line end', async () => {
    const path = write('no-final-newline.jsonl', (await messyTrace()).join('\n'));
    const { one, split } = await readBoth(path, 3);
    try {
      expectSameCapture(split, one);
    } finally {
      one.close();
      split.close();
    }
  });

  it("reports a later part's bad line with its line number in the whole file", async () => {
    const lines = await messyTrace();
    const bad = lines.length - 10;
    lines[bad] = '{"prompt_tokens": 3, "output_tokens": 2}';
    const path = write('bad-late.jsonl', `${lines.join('\n')}\n`);
    const sequential = await spillCapture({ trace: path }, { tempDir: dir }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(sequential).toMatch(new RegExp(`bad-late\\.jsonl:${bad + 1}: `));
    await expect(builtSpill({ trace: path }, { tempDir: dir, readThreads: 3, minReadPartBytes: 1 })).rejects.toThrow(sequential);
  });

  it('reports the earliest bad line when several parts have one, and leaves no spill file behind', async () => {
    const lines = await messyTrace();
    lines[4] = '{"prompt_tokens": 3';
    lines[lines.length - 3] = 'not json';
    const path = write('bad-twice.jsonl', `${lines.join('\n')}\n`);
    const temp = mkdtempSync(join(dir, 'temp-'));
    await expect(builtSpill({ trace: path }, { tempDir: temp, readThreads: 3, minReadPartBytes: 1 })).rejects.toThrow(/bad-twice\.jsonl:5: invalid JSON/);
    expect(readdirSync(temp)).toEqual([]);
  });
});
