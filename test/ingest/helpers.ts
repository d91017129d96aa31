/** Temp-file fixtures for the ingest tests: every test writes the input it reads. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temp dir, removed after the calling test file. */
export function useTempDir(): (name: string, content: string | Buffer) => string {
  const dir = mkdtempSync(join(tmpdir(), 'vcr-ingest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
}

/** JSON lines, each value serialized with JSON.stringify unless it is already a string. */
export function jsonLines(values: unknown[], eol = '\n'): string {
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(eol) + eol;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The message of the error `run` throws (fails the test when it does not throw). */
export function errorMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error, none was thrown');
}

export async function rejectionMessage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection, none happened');
}

/** The exact message JSON.parse gives for `text` on this Node version. */
export function jsonParseMessage(text: string): string {
  return errorMessage(() => JSON.parse(text));
}
