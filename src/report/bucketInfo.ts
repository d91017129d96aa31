/**
 * How a report states its concurrency buckets (the `buckets` object of the
 * latency and calibrate JSON): the scheme, its edges, and the rule in words.
 */
import type { BucketScheme } from '../stats/buckets.js';

export interface BucketInfo {
  scheme: 'pow2' | 'edges';
  /** The --buckets upper edges (requests); null for pow2. */
  edges: number[] | null;
  definition: string;
}

export function bucketInfo(scheme: BucketScheme): BucketInfo {
  if (scheme.kind === 'pow2') {
    return {
      scheme: 'pow2',
      edges: null,
      definition:
        'Buckets by the client-side concurrency each request ran under (trace `concurrency`): power-of-two ranges (2^(k−1), 2^k], concurrency ≤ 1 in bucket "1" — the buckets of queries/latency_percentiles.sql. A gap takes its request\'s bucket.',
    };
  }
  const last = scheme.edges[scheme.edges.length - 1];
  return {
    scheme: 'edges',
    edges: [...scheme.edges],
    definition: `Buckets by the client-side concurrency each request ran under (trace \`concurrency\`), upper edges ${scheme.edges.join(', ')}: each bucket holds (previous edge, edge], the last ">${last}" everything above. A gap takes its request's bucket.`,
  };
}
