import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { perfettoSchema } from '../../src/perfetto/protoSchema.js';
import { writePerfettoTrace } from '../../src/perfetto/writeTrace.js';
import { decodePerfetto } from '../helpers/decodePerfetto.js';
import { generatedCapture, useTempDir, type GeneratedCapture } from './fixtures.js';

describe('--compress (compressed_packets)', () => {
  const dir = useTempDir();
  let generated: GeneratedCapture;
  beforeAll(async () => {
    // Enough events for several 1 MB compressed chunks.
    generated = await generatedCapture(dir, { requests: 150, seed: 3 });
  });

  it('by default wraps exactly the uncompressed packets, in order, in zlib compressed_packets', async () => {
    const plainPath = join(dir, 'plain.pftrace');
    const packedPath = join(dir, 'packed.pftrace');
    const plain = await writePerfettoTrace(generated.capture, plainPath, { format: 'proto', compress: false });
    const packed = await writePerfettoTrace(generated.capture, packedPath, { format: 'proto' });
    expect({ ...packed, bytes: 0, output: '' }).toEqual({ ...plain, bytes: 0, output: '' });
    expect(packed.bytes).toBeLessThan(plain.bytes / 4);

    const { Trace } = perfettoSchema();
    const outer = Trace.decode(readFileSync(packedPath)) as unknown as { packet: { compressed_packets?: Uint8Array }[] };
    expect(outer.packet.length).toBeGreaterThan(1);
    const inflated = Buffer.concat(
      outer.packet.map((packet) => {
        expect(Object.keys(packet)).toEqual(['compressed_packets']);
        return inflateSync(packet.compressed_packets as Uint8Array);
      }),
    );
    const plainBytes = readFileSync(plainPath);
    expect(inflated.equals(plainBytes)).toBe(true);
    expect(decodePerfetto(inflated).problems).toEqual([]);
  });
});
