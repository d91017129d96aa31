import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '../../src/capture/model.js';
import { ProtoTraceSink } from '../../src/perfetto/protoSink.js';
import { TraceEventSink } from '../../src/perfetto/sink.js';
import { writePerfettoTrace, type PerfettoOptions } from '../../src/perfetto/writeTrace.js';
import { decodePerfetto } from '../helpers/decodePerfetto.js';
import { generatedCapture, handCapture, useTempDir } from './fixtures.js';

/**
 * The proto sink writes decode slices directly (ProtoTraceSink.decodeGap); the
 * generic path (beginSlice + endSlice with the gap's args and counters)
 * defines what it must write. Same capture both ways: same bytes.
 */
describe('direct decode-slice encoding', () => {
  const dir = useTempDir();
  let spec: Capture;
  let plain: Capture;
  let partial: Capture;
  beforeAll(async () => {
    spec = (await generatedCapture(join(dir), { requests: 80, seed: 5, specK: 3 })).capture;
    plain = await handCapture(dir, {
      requests: [
        { prompt_tokens: 4, output_tokens: 4, ttft_ms: 2, itl_ms: [1, 0, 2.5], arrival_ms: 0 },
        { prompt_tokens: 2, output_tokens: 3, ttft_ms: 1, itl_ms: [70000.125, 3], arrival_ms: 0.5, output_token_ids: [5, 130000, 2147483647] },
      ],
    });
    partial = await handCapture(dir, {
      requests: [
        {
          prompt_tokens: 4,
          output_tokens: 5,
          ttft_ms: 2,
          itl_ms: [1, 2],
          itl_tokens: [2, 2],
          itl_ctx: { num_running: [3, 300], prefill_tokens: [0, 4096] },
          arrival_ms: 0,
          output_token_ids: [1, 2, 3, 4, 5],
        },
        { prompt_tokens: 1, output_tokens: 2, ttft_ms: 1, itl_ms: [1], arrival_ms: 1 },
      ],
    });
  });

  let counter = 0;
  async function bothWays(capture: Capture, options: Omit<PerfettoOptions, 'format'>): Promise<[Buffer, Buffer]> {
    const direct = join(dir, `direct-${counter}.pftrace`);
    const generic = join(dir, `generic-${counter++}.pftrace`);
    await writePerfettoTrace(capture, direct, { format: 'proto', ...options });
    const own = Object.getOwnPropertyDescriptor(ProtoTraceSink.prototype, 'decodeGap') as PropertyDescriptor;
    Object.defineProperty(ProtoTraceSink.prototype, 'decodeGap', { value: TraceEventSink.prototype.decodeGap, configurable: true, writable: true });
    try {
      await writePerfettoTrace(capture, generic, { format: 'proto', ...options });
    } finally {
      Object.defineProperty(ProtoTraceSink.prototype, 'decodeGap', own);
    }
    return [readFileSync(direct), readFileSync(generic)];
  }

  const cases: [string, () => Capture, Omit<PerfettoOptions, 'format'>][] = [
    ['generated, spec decode, every stream, lanes', () => spec, {}],
    ['generated, one track per request', () => spec, { trackPerRequest: true }],
    ['no itl_ctx (no per-gap counters), token ids on one request only', () => plain, {}],
    ['itl_ctx and chunks on one request, none on another', () => partial, { trackPerRequest: true }],
  ];
  for (const [name, capture, options] of cases) {
    it(`writes the generic bytes: ${name}`, async () => {
      const [direct, generic] = await bothWays(capture(), { ...options, compress: false });
      expect(decodePerfetto(direct).slices.filter((s) => s.name.startsWith('decode')).length).toBeGreaterThan(1);
      expect(direct.equals(generic)).toBe(true);
    });
  }
});
