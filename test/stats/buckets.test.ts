import { describe, expect, it } from 'vitest';
import { POW2_BUCKETS, bucketOf, groupByBucket, parseBucketScheme } from '../../src/stats/buckets.js';

describe('power-of-two buckets (queries/latency_percentiles.sql)', () => {
  it('puts concurrency in (2^(k-1), 2^k], with ≤ 1 in bucket "1"', () => {
    const cases: [number, string, number][] = [
      [0, '1', 1],
      [1, '1', 1],
      [2, '2', 2],
      [3, '3-4', 4],
      [4, '3-4', 4],
      [5, '5-8', 8],
      [8, '5-8', 8],
      [9, '9-16', 16],
      [64, '33-64', 64],
      [65, '65-128', 128],
    ];
    for (const [concurrency, label, max] of cases) expect(bucketOf(concurrency, POW2_BUCKETS)).toEqual({ label, max });
  });
});

describe('custom bucket edges', () => {
  const scheme = parseBucketScheme('1, 4,16');

  it('holds (previous edge, edge] and an open last bucket', () => {
    expect(bucketOf(1, scheme)).toEqual({ label: '1', max: 1 });
    expect(bucketOf(2, scheme)).toEqual({ label: '2-4', max: 4 });
    expect(bucketOf(16, scheme)).toEqual({ label: '5-16', max: 16 });
    expect(bucketOf(17, scheme)).toEqual({ label: '>16', max: Infinity });
    expect(bucketOf(3, parseBucketScheme('4,5'))).toEqual({ label: '≤4', max: 4 });
    expect(bucketOf(5, parseBucketScheme('4,5'))).toEqual({ label: '5', max: 5 });
  });

  it('parses "pow2" and rejects bad edges with the reason', () => {
    expect(parseBucketScheme('pow2')).toEqual(POW2_BUCKETS);
    expect(() => parseBucketScheme('4,2')).toThrow('bucket edges must ascend (4 then 2)');
    expect(() => parseBucketScheme('1,x')).toThrow('bucket edges must be positive integers (got "x")');
    expect(() => parseBucketScheme('0')).toThrow('positive integers');
  });
});

describe('groupByBucket', () => {
  it('groups rows by bucket, buckets ascending, rows in order', () => {
    const groups = groupByBucket(Int32Array.from([8, 1, 3, 2, 7, 1]), POW2_BUCKETS);
    expect(groups.map((g) => [g.bucket.label, g.rows])).toEqual([
      ['1', [1, 5]],
      ['2', [3]],
      ['3-4', [2]],
      ['5-8', [0, 4]],
    ]);
  });
});
