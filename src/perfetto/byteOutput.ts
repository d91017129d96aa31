/**
 * Where a trace's bytes go: a file written atomically (temp file + rename, so
 * a failure leaves no partial trace) or stdout (`-o -`). Writes honour
 * back-pressure and are counted for the summary.
 */
import { writeAtomically } from '../util/atomicWrite.js';

export interface ByteOutput {
  /** Resolves when the destination can take more (undefined when it already can). */
  write(chunk: Uint8Array): Promise<void> | undefined;
  readonly bytes: number;
}

export const STDOUT = '-';

class CountingOutput implements ByteOutput {
  bytes = 0;
  constructor(private readonly sink: (chunk: Uint8Array) => Promise<void> | undefined) {}

  write(chunk: Uint8Array): Promise<void> | undefined {
    this.bytes += chunk.length;
    return this.sink(chunk);
  }
}

function writeStdout(chunk: Uint8Array): Promise<void> | undefined {
  if (process.stdout.write(chunk)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

/** Runs `body` against the output named by `path` ('-' = stdout); a file appears only if `body` succeeds. */
export async function withByteOutput<T>(path: string, body: (output: ByteOutput) => Promise<T>): Promise<T> {
  if (path === STDOUT) return body(new CountingOutput(writeStdout));
  return writeAtomically(path, (file) => body(new CountingOutput((chunk) => file.write(chunk))));
}
