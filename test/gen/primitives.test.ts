import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteText, ascii } from '../../src/gen/byteText.js';
import { LineSink } from '../../src/gen/lineSink.js';
import { emptyChain, extendChain, hashToBigInt } from '../../src/gen/blockHash.js';
import { Deque } from '../../src/gen/deque.js';
import { KvCache, type BlockHolder } from '../../src/gen/kvCache.js';
import { Rng } from '../../src/gen/rng.js';
import { integerText, msText } from '../../src/gen/timeText.js';
import { epochNs } from '../../src/gen/otlpJson.js';

describe('Rng', () => {
  it('repeats for a seed and stream, differs across seeds and streams', () => {
    const draw = (seed: number, stream: string) => Array.from({ length: 8 }, ((rng) => () => rng.nextUint32())(new Rng(seed, stream)));
    expect(draw(1, 'a')).toEqual(draw(1, 'a'));
    expect(draw(1, 'a')).not.toEqual(draw(2, 'a'));
    expect(draw(1, 'a')).not.toEqual(draw(1, 'b'));
    expect(draw(2 ** 40, 'a')).not.toEqual(draw(0, 'a'));
  });

  it('draws from the documented distributions', () => {
    const rng = new Rng(3, 'stats');
    const n = 40000;
    const mean = (f: () => number) => Array.from({ length: n }, f).reduce((a, b) => a + b, 0) / n;
    expect(mean(() => rng.float())).toBeCloseTo(0.5, 1);
    expect(mean(() => rng.normal())).toBeCloseTo(0, 1);
    expect(mean(() => rng.normal() ** 2)).toBeCloseTo(1, 1);
    expect(mean(() => rng.exponential(5)) / 5).toBeCloseTo(1, 1);
    const logs = Array.from({ length: n }, () => Math.log(rng.lognormal(100, 0.5)));
    expect(logs.reduce((a, b) => a + b, 0) / n).toBeCloseTo(Math.log(100), 1);
    const below = Array.from({ length: n }, () => rng.below(3));
    expect(new Set(below)).toEqual(new Set([0, 1, 2]));
  });
});

describe('block hashes', () => {
  it('chain: equal prefixes give equal hashes, a changed token changes that block and every later one', () => {
    const tokens = Array.from({ length: 64 }, (_, i) => i * 7);
    const a = emptyChain();
    extendChain(a, tokens, 16);
    expect(a.hi).toHaveLength(4);
    const b = emptyChain();
    extendChain(b, [...tokens.slice(0, 40), 999, ...tokens.slice(41)], 16);
    expect(b.hi.slice(0, 2)).toEqual(a.hi.slice(0, 2));
    for (let i = 2; i < 4; i++) expect(hashToBigInt(b.hi[i], b.lo[i])).not.toBe(hashToBigInt(a.hi[i], a.lo[i]));
    // Extending later (as blocks fill) gives the same chain as hashing at once.
    const c = emptyChain();
    extendChain(c, tokens, 16, 20);
    expect(c.hi).toHaveLength(1);
    extendChain(c, tokens, 16);
    expect(c).toEqual(a);
  });

  it('prints exact unsigned 64-bit decimals', () => {
    const rng = new Rng(5, 'uint64');
    const cases: [number, number][] = [[0, 0], [0, 9999], [0, 10000], [0, 0xffffffff], [1, 0], [0xffffffff, 0xffffffff], [0x00200000, 1]];
    for (let i = 0; i < 2000; i++) cases.push([rng.nextUint32(), rng.nextUint32()]);
    const out = new ByteText(16);
    for (const [hi, lo] of cases) {
      out.clear();
      out.uint64(hi, lo);
      expect(Buffer.from(out.view()).toString()).toBe(hashToBigInt(hi, lo).toString());
    }
  });
});

describe('KvCache', () => {
  const holder = (): BlockHolder => ({ blocks: [] });
  const chain = (seed: number, blocks: number) => {
    const c = emptyChain();
    extendChain(c, Array.from({ length: blocks * 4 }, (_, i) => seed * 1000 + i), 4);
    return c;
  };

  it('hits registered blocks after release, until allocation evicts them (LRU)', () => {
    const kv = new KvCache(8);
    const a = holder();
    const ca = chain(1, 3);
    expect(kv.lookup(ca.hi, ca.lo, 3)).toBe(0);
    expect(kv.admit(a, 0, 3)).toBe(true);
    expect(kv.freeBlocks).toBe(5);
    for (let i = 0; i < 3; i++) kv.register(a, i, ca.hi[i], ca.lo[i]);
    kv.release(a);
    expect(kv.usage()).toBe(0);
    expect(kv.lookup(ca.hi, ca.lo, 3)).toBe(3);
    // A second holder takes the cached blocks back without new allocation.
    const b = holder();
    expect(kv.admit(b, 3, 4)).toBe(true);
    expect(kv.freeBlocks).toBe(4);
    kv.release(b);
    // Fill the pool: the least recently freed blocks go first; the prompt's tail is evicted before its head.
    const c = holder();
    expect(kv.grow(c, 6)).toBe(true);
    expect(kv.lookup(ca.hi, ca.lo, 3)).toBe(2);
    expect(kv.grow(c, 8)).toBe(true);
    expect(kv.lookup(ca.hi, ca.lo, 3)).toBe(0);
    expect(kv.grow(c, 9)).toBe(false);
    expect(c.blocks).toHaveLength(8);
  });

  it('admits atomically: no partial allocation when the pool is short', () => {
    const kv = new KvCache(4);
    const a = holder();
    expect(kv.admit(a, 0, 3)).toBe(true);
    const b = holder();
    expect(kv.admit(b, 0, 2)).toBe(false);
    expect(b.blocks).toEqual([]);
    expect(kv.freeBlocks).toBe(1);
  });

  it('keeps lookups right through many registrations and evictions (hash table vs a reference map)', () => {
    const kv = new KvCache(64);
    const rng = new Rng(9, 'kv-test');
    const reference = new Map<string, number>();
    const holders: { h: BlockHolder; c: ReturnType<typeof chain> }[] = [];
    for (let round = 0; round < 400; round++) {
      if (holders.length > 0 && (rng.chance(0.5) || kv.freeBlocks < 8)) {
        const { h } = holders.splice(rng.below(holders.length), 1)[0];
        kv.release(h);
        continue;
      }
      const c = chain(rng.below(40), 1 + rng.below(6));
      const hits = kv.lookup(c.hi, c.lo, c.hi.length);
      // A hit means the first `hits` blocks were registered and never evicted since.
      for (let i = 0; i < hits; i++) expect(reference.has(`${c.hi[i]}:${c.lo[i]}`)).toBe(true);
      const h = holder();
      if (!kv.admit(h, hits, c.hi.length)) continue;
      for (let i = 0; i < c.hi.length; i++) {
        kv.register(h, i, c.hi[i], c.lo[i]);
        reference.set(`${c.hi[i]}:${c.lo[i]}`, round);
      }
      holders.push({ h, c });
      // Everything held is findable.
      for (const held of holders) expect(kv.lookup(held.c.hi, held.c.lo, held.c.hi.length)).toBe(held.c.hi.length);
    }
  });
});

describe('containers', () => {
  it('Deque pushes at the tail and returns preempted requests to the head', () => {
    const q = new Deque<number>();
    for (let i = 0; i < 40; i++) q.push(i);
    q.unshift(-1);
    expect(q.shift()).toBe(-1);
    expect(q.peek()).toBe(0);
    const out: number[] = [];
    while (q.length > 0) out.push(q.shift());
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});

describe('number text', () => {
  it('formats µs as ms exactly like JavaScript does', () => {
    for (const us of [0, 1, 10, 100, 999, 1000, 1001, 12345, 12300, 12000, 987654321, 2 ** 40 + 7]) expect(msText(us)).toBe(String(us / 1000));
  });

  it('formats large integers and epoch ns exactly', () => {
    for (const v of [0, 999999999, 1e9, 1771377149000000, 2 ** 53 - 1]) expect(integerText(v)).toBe(String(v));
    expect(epochNs(0)).toBe('1771377149000000000');
    expect(epochNs(1234567)).toBe(String(1771377149000000000n + 1234567000n));
  });
});

describe('LineSink', () => {
  it('writes digits, ms and bytes exactly as JavaScript prints them, spilling long lines across chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vcr-sink-'));
    try {
      const values = [0, 7, 10, 99, 100, 12345, 2 ** 31, 1771377149000000, 2 ** 53 - 1];
      const micros = [0, 1, 10, 100, 999, 1000, 1001, 12345, 12300, 12000, 987654321];
      const long = 'x'.repeat(200_000);
      for (const gzip of [false, true]) {
        const path = join(dir, gzip ? 'out.jsonl.gz' : 'out.jsonl');
        const sink = new LineSink(path, gzip);
        sink.ints(values);
        await sink.endLine();
        for (const us of micros) {
          sink.ms(us);
          sink.bytes(ascii(';'));
        }
        await sink.endLine();
        await sink.add(long);
        await sink.add('é ok');
        await sink.commit();
        const raw = readFileSync(path);
        const text = (gzip ? gunzipSync(raw) : raw).toString('utf8');
        expect(text).toBe(`${values.join(',')}\n${micros.map((us) => `${us / 1000};`).join('')}\n${long}\né ok\n`);
      }
      expect(readdirSync(dir).sort()).toEqual(['out.jsonl', 'out.jsonl.gz']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks the producer to wait under back-pressure and loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vcr-sink-'));
    try {
      const path = join(dir, 'big.jsonl');
      const sink = new LineSink(path, false);
      let waits = 0;
      const line = 'y'.repeat(999);
      for (let i = 0; i < 8000; i++) {
        sink.text(line);
        const wait = sink.endLine();
        if (wait !== undefined) {
          waits++;
          await wait;
        }
      }
      await sink.commit();
      expect(waits).toBeGreaterThan(0);
      expect(readFileSync(path, 'utf8')).toBe(`${line}\n`.repeat(8000));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves nothing behind on abort', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vcr-sink-'));
    try {
      const sink = new LineSink(join(dir, 'out.jsonl'), false);
      await sink.add('partial');
      await sink.abort();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
