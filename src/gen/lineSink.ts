/**
 * A buffered, optionally gzipped JSON-lines output that appears under its
 * final name only when complete (AtomicFile: temp file + rename).
 *
 * Writers append straight into its byte buffer (ByteText). A full chunk
 * (~64 KiB) goes to the stream and a spare buffer takes its place (a long
 * line spills over chunks); `endLine` returns a promise only when the
 * stream asks the producer to wait (back-pressure; a stream 'error' rejects
 * it), so a fast producer costs no promise per line.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { AtomicFile } from '../util/atomicWrite.js';
import { ByteText } from './byteText.js';

const CHUNK_BYTES = 1 << 16;
const NEWLINE = 10;

export class LineSink extends ByteText {
  private readonly file: AtomicFile;
  private readonly gzip: Gzip | undefined;
  /** Where chunks go: the gzip stream, or the file's own stream. */
  private readonly out: Writable;
  /**
   * Chunk buffers the stream has finished with, for reuse: allocating a fresh
   * 64 KiB buffer per chunk piles up external memory the garbage collector
   * frees only lazily (hundreds of MB on a long run).
   */
  private readonly spare: Buffer[] = [];

  constructor(
    readonly path: string,
    gzip: boolean,
  ) {
    super(CHUNK_BYTES);
    this.file = new AtomicFile(path);
    if (gzip) {
      this.gzip = createGzip();
      // end: false — the AtomicFile closes its own stream on commit, after the gzip trailer is through.
      this.gzip.pipe(this.file.stream, { end: false });
    }
    this.out = this.gzip ?? this.file.stream;
  }

  /** Ends the current line; under back-pressure, returns a promise to await before writing more. */
  endLine(): Promise<void> | undefined {
    this.reserve(1);
    this.buffer[this.pos++] = NEWLINE;
    if (this.pos >= CHUNK_BYTES) this.spill();
    // Chunks also spill mid-line when the buffer fills, so ask the stream at every line end.
    return this.out.writableNeedDrain ? once(this.out, 'drain').then(() => undefined) : undefined;
  }

  /** Appends bytes; a large block goes in chunk-sized slices so no oversized buffer is allocated. */
  override bytes(value: Uint8Array): void {
    if (value.length <= CHUNK_BYTES) return super.bytes(value);
    for (let from = 0; from < value.length; from += CHUNK_BYTES) super.bytes(value.subarray(from, from + CHUNK_BYTES));
  }

  /** Appends one whole line (without its newline). */
  add(line: string): Promise<void> | undefined {
    this.text(line);
    return this.endLine();
  }

  /** Writes what is buffered and renames the file into place. */
  async commit(): Promise<void> {
    this.spill();
    if (this.gzip !== undefined) {
      const ended = once(this.gzip, 'end');
      this.gzip.end();
      await ended;
    }
    await this.file.commit();
  }

  /** Removes the temp file (after an error). */
  async abort(): Promise<void> {
    this.gzip?.destroy();
    await this.file.abort();
  }

  /** Makes room by spilling the filled part when the chunk is full (mid-line is fine: it is a byte stream). */
  protected override reserve(extra: number): void {
    if (this.pos + extra <= this.buffer.length) return;
    this.spill();
    if (extra > this.buffer.length) this.buffer = Buffer.allocUnsafe(extra);
  }

  /** Hands the filled part to the stream (which keeps it until written) and starts a fresh buffer. */
  private spill(): void {
    if (this.pos === 0) return;
    const full = this.buffer;
    const chunk = full.subarray(0, this.pos);
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    // The write callback runs once the stream is done with the bytes (written, or consumed by gzip).
    this.out.write(chunk, () => {
      if (full.length === CHUNK_BYTES) this.spare.push(full);
    });
  }
}
