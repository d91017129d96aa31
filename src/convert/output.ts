/**
 * Where the converted trace goes: a file written atomically (temp file +
 * rename: bad input or a failed write leaves nothing behind), gzip-compressed
 * when its name ends in `.gz`, or stdout for `-` (perfetto/byteOutput.ts).
 */
import { gzipSync } from 'node:zlib';
import { withByteOutput } from '../perfetto/byteOutput.js';

export async function writeTraceText(path: string, text: string): Promise<void> {
  // A benchmark result fits in memory (it was one JSON document), so its trace is compressed in one go.
  const bytes = path.endsWith('.gz') ? gzipSync(text) : Buffer.from(text);
  await withByteOutput(path, async (output) => output.write(bytes));
}
