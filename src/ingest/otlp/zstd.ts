/**
 * zstd decompression (RFC 8878) for the collector file exporter's
 * `compression: zstd`. Node 20's zlib has no zstd, so this uses fzstd (pure
 * JavaScript, decompression only).
 */
import { Decompress, ZstdErrorCode, decompress, type ZstdError } from 'fzstd';

/** Every zstd frame starts with the magic number 0xFD2FB528, stored little-endian. */
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export function hasZstdMagic(bytes: Uint8Array, offset = 0): boolean {
  return ZSTD_MAGIC.every((byte, i) => bytes[offset + i] === byte);
}

/** Corrupt zstd data (not merely cut short); the message is fzstd's. */
export class ZstdDataError extends Error {}

/** How a zstd stream ended: after a complete frame, or inside one (a file still being written). */
export type ZstdEnd = 'complete' | 'truncated';

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decompresses whole frames held in memory (the exporter's per-message compression); throws ZstdDataError. */
export function decompressZstd(bytes: Uint8Array): Buffer {
  try {
    return asBuffer(decompress(bytes));
  } catch (error) {
    throw new ZstdDataError((error as Error).message);
  }
}

/**
 * Streams the decompressed bytes of a zstd stream of one or more frames
 * (the exporter's native compression finalizes a frame at each flush).
 * Input that ends inside a frame is not an error: every block decoded so
 * far has been yielded, and the generator returns 'truncated'.
 */
export async function* decompressZstdStream(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer, ZstdEnd> {
  let decoded: Buffer[] = [];
  const stream = new Decompress((data) => {
    if (data.length > 0) decoded.push(asBuffer(data));
  });
  const take = (): Buffer[] => {
    const out = decoded;
    decoded = [];
    return out;
  };
  try {
    for await (const chunk of chunks) {
      stream.push(chunk);
      yield* take();
    }
    stream.push(new Uint8Array(0), true);
  } catch (error) {
    if ((error as ZstdError).code === ZstdErrorCode.UnexpectedEOF) {
      yield* take();
      return 'truncated';
    }
    if (typeof (error as ZstdError).code === 'number') throw new ZstdDataError((error as Error).message);
    throw error;
  }
  yield* take();
  return 'complete';
}
