import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/util/atomicWrite.js';

describe('writeAtomically', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vcr-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the file appear only once the body succeeds, with no temp file left', async () => {
    const path = join(dir, 'out.bin');
    await writeAtomically(path, async (file) => {
      await file.write('abc');
      expect(existsSync(path)).toBe(false);
      await file.write(new Uint8Array([100, 101]));
    });
    expect(readFileSync(path, 'utf8')).toBe('abcde');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('leaves neither the file nor a temp file when the body throws', async () => {
    const path = join(dir, 'out.bin');
    await expect(
      writeAtomically(path, async (file) => {
        await file.write('partial');
        throw new Error('bad input');
      }),
    ).rejects.toThrow('bad input');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes a special file (a FIFO, like /dev/null) in place instead of renaming a file over it', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const received: Buffer[] = [];
    const reader = new Promise<void>((resolve, reject) => {
      createReadStream(fifo).on('data', (chunk) => received.push(chunk as Buffer)).on('end', resolve).on('error', reject);
    });
    await writeAtomically(fifo, async (file) => {
      await file.write('through the pipe');
    });
    await reader;
    expect(Buffer.concat(received).toString()).toBe('through the pipe');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });
});
