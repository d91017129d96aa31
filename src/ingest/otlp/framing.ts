/**
 * The collector file exporter's length-prefixed framing (file_writer.go,
 * exportMessageAsBuffer), used for `format: proto` and for per-message zstd
 * compression: each message is preceded by its length in bytes as a 4-byte
 * big-endian unsigned integer. Frames are read one at a time from a chunked
 * byte source (a file, or a decompressed zstd stream), never the whole file.
 */
import { InputError } from '../errors.js';
import { isTruncatedGzip, openFileBytes } from '../lines.js';

const LENGTH_BYTES = 4;
const MB = 1024 * 1024;
/** No trace export request comes near this; a larger length means the bytes are not this framing. */
export const MAX_FRAME_BYTES = 256 * MB;

/** One framed message; `line` is its 1-based index, in the place of a line number. */
export interface Frame {
  line: number;
  frame: Buffer;
}

/** Where the input ended inside a frame (a capture still being written). */
export interface FrameCut {
  index: number;
  got: number;
  expected: number;
  /** The input ended inside the 4-byte length itself. */
  inLength: boolean;
}

export function describeCut(cut: FrameCut): string {
  return cut.inLength
    ? `frame ${cut.index} ends after ${cut.got} of the ${LENGTH_BYTES} bytes of its length`
    : `frame ${cut.index} ends after ${cut.got} of ${cut.expected} bytes`;
}

/**
 * A file's bytes in chunks, gunzipped when `gzip` (a file compressed by the
 * user). A gzip stream without its trailer (still being written) simply
 * ends: a message it cuts off is then reported by the framing, like any cut.
 */
export async function* fileChunks(path: string, gzip: boolean): AsyncGenerator<Buffer> {
  const file = openFileBytes(path, gzip);
  try {
    yield* file.chunks;
  } catch (error) {
    if (!(gzip && isTruncatedGzip(error))) throw error;
  } finally {
    file.close();
  }
}

/** Exact-size reads from a chunked source; `end` is what the source returned once it is exhausted. */
export class ChunkReader<End = void> {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  end: End | undefined;

  constructor(private readonly source: AsyncIterator<Buffer, End>) {}

  /** The next `n` bytes, or fewer when the input ends first. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.take(Math.min(n, this.pendingBytes));
  }

  /** The next `n` bytes (fewer at the end of input), left unread. */
  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    const joined = this.take(this.pendingBytes);
    this.pending = joined.length > 0 ? [joined] : [];
    this.pendingBytes = joined.length;
    return joined.subarray(0, n);
  }

  /** Whatever is buffered, else the next chunk; undefined at the end of input. */
  async readChunk(): Promise<Buffer | undefined> {
    await this.fill(1);
    return this.pendingBytes === 0 ? undefined : this.take(this.pendingBytes);
  }

  /** Stops the source early (closing its file). */
  async close(): Promise<void> {
    if (!this.ended) await this.source.return?.();
  }

  private async fill(n: number): Promise<void> {
    while (this.pendingBytes < n && !this.ended) {
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        this.end = next.value;
      } else if (next.value.length > 0) {
        this.pending.push(next.value);
        this.pendingBytes += next.value.length;
      }
    }
  }

  private take(n: number): Buffer {
    const joined = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const rest = joined.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return joined.subarray(0, n);
  }
}

/** How a run of frames ended: how many were complete, and where the input ended inside one, if it did. */
export interface FramesEnd {
  frames: number;
  cut?: FrameCut;
}

/**
 * Yields each complete frame, then returns how the input ended. A length
 * beyond MAX_FRAME_BYTES is an error: nothing after it can be found again.
 */
export async function* readFrames(reader: ChunkReader<unknown>, path: string): AsyncGenerator<Frame, FramesEnd> {
  for (let index = 1; ; index++) {
    const frames = index - 1;
    const prefix = await reader.read(LENGTH_BYTES);
    if (prefix.length === 0) return { frames };
    if (prefix.length < LENGTH_BYTES) return { frames, cut: { index, got: prefix.length, expected: LENGTH_BYTES, inLength: true } };
    const length = prefix.readUInt32BE(0);
    if (length > MAX_FRAME_BYTES) {
      throw new InputError(
        path,
        index,
        `frame ${index} claims ${length} bytes, more than the ${MAX_FRAME_BYTES / MB} MB limit ` +
          "(expected a 4-byte big-endian length before each message, as the collector's file exporter writes them)",
      );
    }
    const frame = await reader.read(length);
    if (frame.length < length) return { frames, cut: { index, got: frame.length, expected: length, inLength: false } };
    yield { line: index, frame };
  }
}
