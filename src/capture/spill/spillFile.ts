/**
 * A temporary file for spilled rows. It is unlinked as soon as it is open
 * (where the OS allows: POSIX keeps an unlinked file's data until its last
 * descriptor closes), so no exit path — success, error, Ctrl-C, a kill —
 * leaves it behind; where unlinking an open file fails (Windows) it is
 * removed on close.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Appends to an open spill file by its descriptor. Descriptors belong to the
 * process, so a worker thread given one appends to the file its creator
 * reads (capture/spill/splitTrace.ts).
 */
export class SpillWriter {
  /** Bytes appended so far. */
  size = 0;

  constructor(readonly fd: number) {}

  append(bytes: Uint8Array, length = bytes.length): void {
    let done = 0;
    while (done < length) done += writeSync(this.fd, bytes, done, length - done, this.size + done);
    this.size += length;
  }
}

/** Creates rows.bin in a fresh temp directory under `parent` and unlinks both where the OS allows; `dir` is set when that was not possible. */
function openUnlinked(parent: string): { fd: number; dir: string | undefined } {
  const dir = mkdtempSync(join(parent, 'vcr-spill-'));
  let fd: number;
  try {
    fd = openSync(join(dir, 'rows.bin'), 'w+');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  try {
    rmSync(dir, { recursive: true });
    return { fd, dir: undefined };
  } catch {
    // Open files cannot be unlinked here; close() removes it.
    return { fd, dir };
  }
}

/** Fills `into` with the bytes of the file `fd` at `position`. */
export function readSpillAt(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error(`spill file ends at ${position + done}, expected ${into.length - done} more bytes`);
    done += n;
  }
}

export class SpillFile extends SpillWriter {
  /** The temp directory, while it still exists. */
  private dir: string | undefined;
  private closed = false;

  /** `parent`: where to create the temp directory (default: the OS temp dir, i.e. $TMPDIR). */
  constructor(parent = tmpdir()) {
    const { fd, dir } = openUnlinked(parent);
    super(fd);
    this.dir = dir;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
