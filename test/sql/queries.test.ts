/**
 * The canned queries and plain aggregates against the same quantities
 * computed in TypeScript from the raw fixture records.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type VcrDatabase } from '../../src/sql/database.js';
import { loadFiles } from '../../src/sql/load.js';
import { runQuery, type Cell } from '../../src/sql/query.js';
import { nearestRank } from '../../src/stats/percentile.js';
import { useTempDir, writeCaptureFixture, type CaptureFixture } from './fixtures.js';
import { bucketLabel, bucketMax, expectedRequest, expectedSteps, peakActive, sortedSample, sum, type ExpectedRequest } from './expected.js';

const tempDir = useTempDir();
let db: VcrDatabase;
let fixtures: CaptureFixture[];

beforeAll(async () => {
  fixtures = [writeCaptureFixture(tempDir(), { seed: 31, requests: 400 }), writeCaptureFixture(tempDir(), { seed: 32, requests: 250, sidecarLines: 90 })];
  db = await openDatabase(':memory:');
  await loadFiles(db, fixtures.flatMap((f) => [f.trace, f.stepStats, f.otlp]));
});
afterAll(() => db.close());

function cannedQuery(name: string): string {
  return readFileSync(new URL(`../../queries/${name}`, import.meta.url), 'utf8');
}

async function rowObjects(sql: string): Promise<Record<string, Cell>[]> {
  const result = await runQuery(db, sql);
  return Array.from({ length: result.rowCount }, (_, row) =>
    Object.fromEntries(result.columns.map((column, c) => [column.name, result.values[c][row]])),
  );
}

const requestsOf = (fixture: CaptureFixture): ExpectedRequest[] => fixture.raw.requests.map(expectedRequest);

/** Relative closeness for sums whose addition order differs between DuckDB and JS. */
function expectClose(actual: Cell, expected: number): void {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

describe('sums from SQL equal the raw input', () => {
  it('per capture: ttft, decode, e2e, gap and token totals', async () => {
    const rows = await rowObjects(
      `SELECT capture_id, sum(ttft_ms) AS ttft, sum(decode_ms) AS decode, sum(e2e_ms) AS e2e,
              sum(output_tokens) AS output_tokens, count(tpot_ms) AS with_tpot,
              (SELECT sum(dur_ms) FROM gaps g WHERE g.capture_id = r.capture_id) AS gap_ms,
              (SELECT sum(tokens) FROM gaps g WHERE g.capture_id = r.capture_id) AS gap_tokens
       FROM requests r GROUP BY capture_id ORDER BY capture_id`,
    );
    fixtures.forEach((fixture, i) => {
      const expected = requestsOf(fixture);
      const raw = fixture.raw.requests;
      expect(rows[i].capture_id).toBe(i + 1);
      expectClose(rows[i].ttft, sum(expected.map((r) => r.ttft)));
      expectClose(rows[i].decode, sum(expected.map((r) => r.decode)));
      expectClose(rows[i].e2e, sum(expected.map((r) => r.e2e)));
      expectClose(rows[i].gap_ms, sum(expected.flatMap((r) => r.gaps)));
      expect(rows[i].output_tokens).toBe(BigInt(sum(raw.map((r) => r.output_tokens))));
      expect(rows[i].with_tpot).toBe(BigInt(expected.filter((r) => r.tpot !== undefined).length));
      expect(rows[i].gap_tokens).toBe(BigInt(sum(raw.flatMap((r) => r.itl_tokens ?? r.itl_ms?.map(() => 1) ?? []))));
    });
  });

  it('gap start times continue from arrival + ttft, one gap after another', async () => {
    const fixture = fixtures[0];
    const rows = await rowObjects(
      `SELECT r.source_line, g.gap_index, g.start_ms FROM gaps g JOIN requests r USING (capture_id, request_id)
       WHERE capture_id = 1 AND g.start_ms IS NOT NULL ORDER BY r.source_line, g.gap_index`,
    );
    const expected: number[] = [];
    for (const raw of fixture.raw.requests) {
      if (raw.arrival_ms === undefined || !raw.itl_ms) continue;
      let start = raw.arrival_ms + raw.ttft_ms;
      for (const gap of raw.itl_ms) {
        expected.push(start);
        start += gap;
      }
    }
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => expectClose(row.start_ms, expected[i]));
  });
});

describe('queries/latency_percentiles.sql', () => {
  const METRICS = ['ttft', 'itl', 'tpot', 'e2e'] as const;
  const PERCENTILES = [
    ['p50_ms', 0.5],
    ['p90_ms', 0.9],
    ['p95_ms', 0.95],
    ['p99_ms', 0.99],
    ['p99_9_ms', 0.999],
  ] as const;

  function samples(requests: ExpectedRequest[], metric: (typeof METRICS)[number]): { bucket: number; value: number }[] {
    return requests.flatMap((r) => {
      const bucket = bucketMax(r.concurrency);
      switch (metric) {
        case 'ttft':
          return [{ bucket, value: r.ttft }];
        case 'e2e':
          return [{ bucket, value: r.e2e }];
        case 'tpot':
          return r.tpot === undefined ? [] : [{ bucket, value: r.tpot }];
        case 'itl':
          return r.gaps.map((value) => ({ bucket, value }));
      }
    });
  }

  it('matches nearest-rank percentiles computed from the raw records, overall and per bucket', async () => {
    const rows = await rowObjects(cannedQuery('latency_percentiles.sql'));
    let checked = 0;
    fixtures.forEach((fixture, i) => {
      const requests = requestsOf(fixture);
      for (const metric of METRICS) {
        const all = samples(requests, metric);
        const buckets = [0, ...new Set(all.map((s) => s.bucket))].sort((a, b) => a - b);
        const got = rows.filter((row) => row.capture_id === i + 1 && row.metric === metric);
        expect(got.map((row) => row.bucket)).toEqual(buckets.map(bucketLabel));
        for (const row of got) {
          const values = all.filter((s) => row.bucket_max === 0n || BigInt(s.bucket) === row.bucket_max).map((s) => s.value);
          const sorted = sortedSample(values);
          expect(row.count).toBe(BigInt(values.length));
          expectClose(row.mean_ms, sum(values) / values.length);
          expectClose(row.max_ms, sorted[sorted.length - 1]);
          for (const [column, p] of PERCENTILES) {
            // Raw gaps and ttft are observed values; derived e2e/tpot agree to rounding of the same arithmetic.
            if (metric === 'itl' || metric === 'ttft') expect(row[column]).toBe(nearestRank(sorted, p));
            else expectClose(row[column], nearestRank(sorted, p));
            checked++;
          }
        }
      }
    });
    expect(checked).toBeGreaterThan(100);
  });
});

describe('queries/itl_per_token_vs_request.sql', () => {
  it('contrasts pooled gaps with per-request means', async () => {
    const rows = await rowObjects(cannedQuery('itl_per_token_vs_request.sql'));
    fixtures.forEach((fixture, i) => {
      const requests = requestsOf(fixture);
      const overall = rows.find((row) => row.capture_id === i + 1 && row.bucket === 'all')!;
      const pooled = sortedSample(requests.flatMap((r) => r.gaps));
      const perRequest = sortedSample(requests.filter((r) => r.meanItl !== undefined).map((r) => r.meanItl!));
      expect(overall.gaps).toBe(BigInt(pooled.length));
      expect(overall.requests).toBe(BigInt(perRequest.length));
      expectClose(overall.pooled_mean_ms, sum([...pooled]) / pooled.length);
      expect(overall.pooled_p50_ms).toBe(nearestRank(pooled, 0.5));
      expect(overall.pooled_p99_ms).toBe(nearestRank(pooled, 0.99));
      expectClose(overall.per_request_mean_ms, sum([...perRequest]) / perRequest.length);
      expectClose(overall.per_request_p99_ms, nearestRank(perRequest, 0.99));
      expectClose(overall.p99_ratio, nearestRank(pooled, 0.99) / nearestRank(perRequest, 0.99));
    });
  });
});

describe('queries/peak_concurrency.sql', () => {
  it('finds the sweep peak (ends before arrivals at ties) and the engine batch maxima', async () => {
    const rows = await rowObjects(cannedQuery('peak_concurrency.sql'));
    const captures = await rowObjects('SELECT capture_id, peak_concurrency, lanes FROM captures ORDER BY capture_id');
    fixtures.forEach((fixture, i) => {
      const raw = fixture.raw.requests;
      const peak = peakActive(requestsOf(fixture));
      expect(rows[i]).toMatchObject({
        capture_id: i + 1,
        peak_active_requests: BigInt(peak),
        max_client_concurrency: Math.max(...raw.map((r) => r.concurrency ?? 1)),
        max_gap_num_running: Math.max(...raw.flatMap((r) => r.itl_ctx?.num_running ?? [])),
        max_step_running: Math.max(...expectedSteps(fixture.raw.sidecar).steps.map((s) => s.running)),
      });
      // The SQL sweep agrees with the capture model's own.
      expect(captures[i].peak_concurrency).toBe(peak);
    });
  });

  it('does not count a request arriving exactly when another ends', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    const path = `${dir}/trace.jsonl`;
    writeFileSync(
      path,
      [
        { prompt_tokens: 1, output_tokens: 1, ttft_ms: 10, arrival_ms: 0 },
        { prompt_tokens: 1, output_tokens: 1, ttft_ms: 10, arrival_ms: 10 },
        { prompt_tokens: 1, output_tokens: 1, ttft_ms: 5, arrival_ms: 12 },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const local = await openDatabase(':memory:');
    try {
      await loadFiles(local, [path]);
      const result = await runQuery(local, cannedQuery('peak_concurrency.sql'));
      expect(result.values[1][0]).toBe(2n);
      expect(result.values[2][0]).toBe(12);
    } finally {
      local.close();
    }
  });
});

describe('queries/step_kind_mix.sql', () => {
  it('counts steps and wall time per kind like the formats.md classification', async () => {
    const rows = await rowObjects(cannedQuery('step_kind_mix.sql'));
    fixtures.forEach((fixture, i) => {
      const { steps } = expectedSteps(fixture.raw.sidecar);
      const totalTime = sum(steps.map((s) => s.end - s.start));
      const kinds = [...new Set(steps.map((s) => s.kind))].sort();
      const got = rows.filter((row) => row.capture_id === i + 1);
      expect(got.map((row) => row.kind)).toEqual(kinds);
      for (const row of got) {
        const ofKind = steps.filter((s) => s.kind === row.kind);
        const time = sum(ofKind.map((s) => s.end - s.start));
        expect(row.steps).toBe(BigInt(ofKind.length));
        expectClose(row.step_share, ofKind.length / steps.length);
        expectClose(row.time_ms, time);
        expectClose(row.time_share, time / totalTime);
        expectClose(row.mean_prefill_tokens, sum(ofKind.map((s) => s.prefillTokens)) / ofKind.length);
        expectClose(row.mean_decode_tokens, sum(ofKind.map((s) => s.decodeTokens)) / ofKind.length);
      }
    });
  });
});
