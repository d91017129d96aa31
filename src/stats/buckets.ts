/**
 * Concurrency buckets for per-bucket statistics. The default is the scheme
 * of queries/latency_percentiles.sql, so a report's bucket rows equal the
 * SQL's: power-of-two ranges (2^(k−1), 2^k], concurrency ≤ 1 in bucket "1";
 * labels "1", "2", "3-4", "5-8", "9-16", ... A sweep at 1, 2, 4, 8, ... puts
 * each level in its own bucket.
 *
 * Custom schemes (`--buckets 1,4,16`) give ascending upper edges: bucket k
 * holds (edge[k−1], edge[k]] (the first bucket everything ≤ edge[0]) and a
 * last bucket "> edge[n−1]" holds the rest.
 */

export type BucketScheme = { kind: 'pow2' } | { kind: 'edges'; edges: readonly number[] };

export const POW2_BUCKETS: BucketScheme = { kind: 'pow2' };

export interface Bucket {
  label: string;
  /** Upper end of the range (inclusive); Infinity for the overflow bucket. Sorts the buckets. */
  max: number;
}

function rangeLabel(lowExclusive: number, high: number): string {
  return lowExclusive + 1 >= high ? String(high) : `${lowExclusive + 1}-${high}`;
}

function pow2Bucket(concurrency: number): Bucket {
  let max = 1;
  while (max < concurrency) max *= 2;
  return { label: max <= 2 ? String(max) : rangeLabel(max / 2, max), max };
}

function edgeBucket(concurrency: number, edges: readonly number[]): Bucket {
  for (let k = 0; k < edges.length; k++) {
    if (concurrency > edges[k]) continue;
    if (k === 0) return { label: edges[0] <= 1 ? String(edges[0]) : `≤${edges[0]}`, max: edges[0] };
    return { label: rangeLabel(edges[k - 1], edges[k]), max: edges[k] };
  }
  const last = edges[edges.length - 1];
  return { label: `>${last}`, max: Infinity };
}

export function bucketOf(concurrency: number, scheme: BucketScheme): Bucket {
  return scheme.kind === 'pow2' ? pow2Bucket(concurrency) : edgeBucket(concurrency, scheme.edges);
}

/** Parses `--buckets`: "pow2", or comma-separated ascending positive integers. Throws RangeError with the reason. */
export function parseBucketScheme(text: string): BucketScheme {
  if (text.trim() === 'pow2') return POW2_BUCKETS;
  const edges = text.split(',').map((part) => Number(part.trim()));
  edges.forEach((edge, i) => {
    if (!Number.isSafeInteger(edge) || edge < 1) throw new RangeError(`bucket edges must be positive integers (got ${JSON.stringify(text.split(',')[i].trim())})`);
    if (i > 0 && edge <= edges[i - 1]) throw new RangeError(`bucket edges must ascend (${edges[i - 1]} then ${edge})`);
  });
  return { kind: 'edges', edges };
}

/**
 * Groups row indices by the bucket of their concurrency, buckets ascending.
 * Rows are kept in their original order within each bucket.
 */
export function groupByBucket(concurrency: ArrayLike<number>, scheme: BucketScheme): { bucket: Bucket; rows: number[] }[] {
  const groups = new Map<string, { bucket: Bucket; rows: number[] }>();
  for (let i = 0; i < concurrency.length; i++) {
    const bucket = bucketOf(concurrency[i], scheme);
    let group = groups.get(bucket.label);
    if (!group) groups.set(bucket.label, (group = { bucket, rows: [] }));
    group.rows.push(i);
  }
  return [...groups.values()].sort((a, b) => a.bucket.max - b.bucket.max);
}
