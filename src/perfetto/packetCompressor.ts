/**
 * `--compress`: Perfetto's own packet compression. Each chunk of encoded
 * TracePackets becomes one TracePacket whose `compressed_packets` field holds
 * the chunk deflated (zlib format, as the Perfetto tracing service writes it);
 * trace_processor and the UI inflate it and read the packets in place, so the
 * trace's content is unchanged. Deflate runs in libuv's thread pool: one
 * chunk compresses while the next is encoded, and chunks are written in order.
 */
import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';
import type { ByteOutput } from './byteOutput.js';
import { MAX_VARINT_BYTES, putVarint } from './wire.js';

const deflateAsync = promisify(deflate);
/** The fastest level: on these packets it already gives ~8x (docs/benchmarks.md), at a third of level 6's CPU. */
const LEVEL = 1;
/** zlib's output buffer: one per chunk's whole deflated output, so a chunk is one thread-pool job rather than one per 16 KB. */
const OUTPUT_CHUNK = 1 << 20;

export class PacketCompressor {
  /** The previous chunk's compression and write. */
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly output: ByteOutput,
    /** TracePacket keys: Trace.packet and TracePacket.compressed_packets. */
    private readonly packetKey: number,
    private readonly compressedKey: number,
    /**
     * Deflate on the calling thread: for a window worker, which is itself one
     * of the threads sharing the cores (handing deflate to libuv's pool would
     * only add threads competing for them).
     */
    private readonly sync = false,
  ) {}

  /**
   * Starts compressing `chunk`; resolves once the chunk before it is written.
   * `consumed` is called as soon as the chunk's bytes are no longer read (its
   * memory may then be reused), before any write.
   */
  async push(chunk: Uint8Array, consumed: () => void = () => undefined): Promise<void> {
    if (this.sync) {
      const deflated = deflateSync(chunk, { level: LEVEL, chunkSize: OUTPUT_CHUNK });
      consumed();
      await this.writeFramed(deflated);
      return;
    }
    const compressed = deflateAsync(chunk, { level: LEVEL, chunkSize: OUTPUT_CHUNK });
    const previous = this.inFlight;
    this.inFlight = compressed.then(async (deflated) => {
      consumed();
      await previous;
      await this.writeFramed(deflated);
    });
    // Rejections surface through the awaits below and in drain(); this only keeps an early one from going unobserved.
    this.inFlight.catch(() => undefined);
    await previous;
  }

  /** Resolves when every pushed chunk is written. */
  async drain(): Promise<void> {
    await this.inFlight;
  }

  /** Trace.packet { compressed_packets: deflated }: its keys and lengths, then the deflated bytes as they are (not copied behind them). */
  private async writeFramed(deflated: Uint8Array): Promise<void> {
    const head = new Uint8Array(4 * MAX_VARINT_BYTES);
    let p = putVarint(head, 0, this.packetKey);
    const body = deflated.length + varintLength(this.compressedKey) + varintLength(deflated.length);
    p = putVarint(head, p, body);
    p = putVarint(head, p, this.compressedKey);
    p = putVarint(head, p, deflated.length);
    await this.output.write(head.subarray(0, p));
    await this.output.write(deflated);
  }
}

function varintLength(value: number): number {
  let length = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}
