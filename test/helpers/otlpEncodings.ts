/**
 * The collector file exporter's other encodings of an OTLP/JSON line, for
 * tests (formats.md §3): protobuf, length-prefixed framing, and zstd frames.
 */
import { otlpTraceSchema } from '../../src/ingest/otlp/protoSchema.js';

const { TracesData } = otlpTraceSchema();

/** An OTLP/JSON line re-encoded as protobuf: protobufjs's fromObject takes bytes as base64, so hex ids are converted first. */
export function protoOf(line: string): Buffer {
  const value = JSON.parse(line) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  for (const resource of value.resourceSpans) {
    for (const scope of resource.scopeSpans) {
      for (const s of scope.spans) {
        for (const field of ['traceId', 'spanId', 'parentSpanId']) {
          if (typeof s[field] === 'string') s[field] = Buffer.from(s[field], 'hex').toString('base64');
        }
      }
    }
  }
  return Buffer.from(TracesData.encode(TracesData.fromObject(value)).finish());
}

/** The exporter's framing: each message after its length as a 4-byte big-endian integer. */
export function framed(messages: Buffer[]): Buffer {
  return Buffer.concat(
    messages.flatMap((message) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(message.length);
      return [length, message];
    }),
  );
}

const MAX_RAW_BLOCK = 128 * 1024;

/**
 * A valid zstd frame (RFC 8878 §3.1.1) holding `content` uncompressed:
 * magic, a frame header with Single_Segment_flag and an 8-byte
 * Frame_Content_Size, then Raw_Blocks of at most `blockBytes` (128 KB at
 * most). fzstd only decompresses and Node 20's zlib has no zstd, so the
 * tests build their zstd input by hand; raw blocks are enough to exercise
 * the reader's framing, streaming and truncation handling.
 */
export function rawZstd(content: Buffer, blockBytes = MAX_RAW_BLOCK): Buffer {
  const header = Buffer.alloc(4 + 1 + 8);
  header.writeUInt32LE(0xfd2fb528, 0);
  // Frame_Header_Descriptor: Frame_Content_Size_flag 3 (8 bytes), Single_Segment_flag; no checksum, no dictionary.
  header[4] = 0b1110_0000;
  header.writeBigUInt64LE(BigInt(content.length), 5);
  const blocks: Buffer[] = [];
  let offset = 0;
  do {
    const size = Math.min(blockBytes, content.length - offset);
    const last = offset + size === content.length ? 1 : 0;
    // Block_Header, 3 bytes little-endian: Last_Block (bit 0), Block_Type 0 = Raw (bits 1-2), Block_Size (bits 3-23).
    const blockHeader = Buffer.alloc(3);
    blockHeader.writeUIntLE((size << 3) | last, 0, 3);
    blocks.push(blockHeader, content.subarray(offset, offset + size));
    offset += size;
  } while (offset < content.length);
  return Buffer.concat([header, ...blocks]);
}

