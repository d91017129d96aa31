import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { perfettoSchema } from '../../src/perfetto/protoSchema.js';
import { runVcr } from '../helpers/cli.js';

const TRACE = [
  '{"meta":{"model":"m-7b","source":"tap"}}',
  '{"prompt_tokens":10,"output_tokens":3,"ttft_ms":20,"itl_ms":[5,7],"arrival_ms":0}',
  '{"prompt_tokens":10,"output_tokens":2,"ttft_ms":40,"itl_ms":[9],"arrival_ms":10}',
].join('\n');

function setup(): { dir: string; trace: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vcr-proto-'));
  const trace = join(dir, 'trace.jsonl');
  writeFileSync(trace, `${TRACE}\n`);
  return { dir, trace };
}

/** The top-level packets of a .pftrace, as protobufjs decodes them (compressed_packets left as bytes; fields set = own keys). */
function outerPackets(path: string): Record<string, unknown>[] {
  const { Trace } = perfettoSchema();
  return (Trace.decode(readFileSync(path)) as unknown as { packet: Record<string, unknown>[] }).packet;
}

describe('vcr proto compression', () => {
  it('writes compressed_packets by default, and the same bytes with --compress', async () => {
    const { dir, trace } = setup();
    const byDefault = await runVcr(['proto', trace, '-o', join(dir, 'default.pftrace')]);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stderr).toContain('(proto, ');
    const packets = outerPackets(join(dir, 'default.pftrace'));
    expect(packets.length).toBeGreaterThan(0);
    for (const packet of packets) expect(Object.keys(packet)).toEqual(['compressed_packets']);

    const explicit = await runVcr(['proto', trace, '-o', join(dir, 'explicit.pftrace'), '--compress']);
    expect(explicit.code).toBe(0);
    expect(readFileSync(join(dir, 'explicit.pftrace')).equals(readFileSync(join(dir, 'default.pftrace')))).toBe(true);
  });

  it('writes plain packets with --no-compress', async () => {
    const { dir, trace } = setup();
    const result = await runVcr(['proto', trace, '-o', join(dir, 'plain.pftrace'), '--no-compress']);
    expect(result.code).toBe(0);
    const packets = outerPackets(join(dir, 'plain.pftrace'));
    expect(packets.length).toBeGreaterThan(1);
    expect(packets.some((packet) => Object.keys(packet).includes('compressed_packets'))).toBe(false);
    expect(packets.some((packet) => Object.keys(packet).includes('track_event'))).toBe(true);
  });

  it('writes Chrome JSON with --format json and no compression flag', async () => {
    const { trace } = setup();
    for (const extra of [[], ['--no-compress']]) {
      const result = await runVcr(['proto', trace, '-o', '-', '--format', 'json', ...extra]);
      expect(result.code, extra.join(' ')).toBe(0);
      expect(JSON.parse(result.stdout).traceEvents.length).toBeGreaterThan(0);
    }
  });

  it('rejects --compress with --format json (exit 2)', async () => {
    const { dir, trace } = setup();
    const result = await runVcr(['proto', trace, '-o', join(dir, 'x.json'), '--format', 'json', '--compress']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('vcr: --compress applies to --format proto only\n');
    expect(result.stdout).toBe('');
  });

  it('documents both spellings in --help', async () => {
    const result = await runVcr(['proto', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--compress\s+proto: compress the packets \(the default/);
    expect(result.stdout).toMatch(/--no-compress\s+proto: write plain packets/);
  });
});
