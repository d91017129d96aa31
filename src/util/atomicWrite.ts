import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A file that appears under its final name only when complete: bytes go to
 * a hidden temp file beside it (same filesystem, so rename is atomic) and
 * `commit()` renames it; `abort()` removes it. Bad input therefore never
 * leaves a half-written output behind.
 *
 * A path that exists and is not a regular file (`/dev/null`, a FIFO, a
 * terminal) is written in place: renaming a temp file over it would replace
 * the device with a file.
 */
export class AtomicFile {
  /** The file being written: a temp file beside `path`, or `path` itself when it is not a regular file. */
  readonly tempPath: string;
  readonly stream: WriteStream;
  private readonly inPlace: boolean;
  private done = false;

  constructor(readonly path: string) {
    this.inPlace = isSpecialFile(path);
    this.tempPath = this.inPlace ? path : join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    this.stream = createWriteStream(this.tempPath, { highWaterMark: 1 << 20 });
  }

  /** Write with back-pressure: resolves immediately unless the stream buffer is full. */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    if (this.stream.write(chunk)) return undefined;
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        this.stream.off('drain', onDrain);
        reject(error);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }

  private close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }

  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.close();
    if (!this.inPlace) await rename(this.tempPath, this.path);
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.stream.destroy();
    if (!this.inPlace) await rm(this.tempPath, { force: true });
  }
}

function isSpecialFile(path: string): boolean {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats !== undefined && !stats.isFile() && !stats.isDirectory();
}

/** Runs `body` against an AtomicFile, committing on success and removing the temp file on any error. */
export async function writeAtomically<T>(path: string, body: (file: AtomicFile) => Promise<T>): Promise<T> {
  const file = new AtomicFile(path);
  try {
    const result = await body(file);
    await file.commit();
    return result;
  } catch (error) {
    await file.abort();
    throw error;
  }
}
