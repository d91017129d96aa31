/**
 * Where the converted trace goes: a file written atomically (temp file +
 * rename: bad input or a failed write leaves nothing behind), gzip-compressed
 * when its name ends in `.gz`, or stdout for `-`.
 */
import { gzipSync } from 'node:zlib';
import { writeAtomically } from '../util/atomicWrite.js';

export const STDOUT = '-';

export async function writeTraceText(path: string, text: string): Promise<void> {
  if (path === STDOUT) {
    process.stdout.write(text);
    return;
  }
  // A benchmark result fits in memory (it was one JSON document), so its trace is compressed in one go.
  const bytes = path.endsWith('.gz') ? gzipSync(text) : Buffer.from(text);
  await writeAtomically(path, async (file) => file.write(bytes));
}
