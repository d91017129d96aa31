import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { StepStatsRecord } from '../../src/capture/records.js';
import { InputError, LenientLog } from '../../src/ingest/errors.js';
import { parseStepStatsRecord, readStepStats } from '../../src/ingest/stepStats.js';
import { collect, errorMessage, jsonLines, jsonParseMessage, rejectionMessage, useTempDir } from './helpers.js';

const write = useTempDir();

const SCHEDULER = { num_running_reqs: 3, num_waiting_reqs: 1, kv_cache_usage: 0.25 };
const step = (tsMs: number, scheduler: Record<string, unknown> = {}) => ({ ts_ms: tsMs, scheduler: { ...SCHEDULER, ...scheduler } });

function parse(value: unknown): StepStatsRecord {
  return parseStepStatsRecord('steps.jsonl', 4, value);
}

describe('parseStepStatsRecord', () => {
  it('reads a full vLLM SchedulerStats line', () => {
    const record = parse({
      ts_ms: 1234.5,
      scheduler: {
        step_counter: 17,
        current_wave: 0,
        num_running_reqs: 8,
        num_waiting_reqs: 2,
        kv_cache_usage: 0.5,
        prefix_cache_stats: { reset: false, requests: 2, queries: 640, hits: 512, preempted_requests: 1, preempted_queries: 64, preempted_hits: 32 },
        connector_prefix_cache_stats: null,
        spec_decoding_stats: {
          num_spec_tokens: 3,
          num_drafts: 8,
          num_draft_tokens: 24,
          num_accepted_tokens: 15,
          num_accepted_tokens_per_pos: [7, 5, 3],
        },
        kv_connector_stats: { bytes: 10 },
        num_corrupted_reqs: 0,
      },
      unrelated_top_level_key: 1,
    });
    expect(record).toEqual({
      line: 4,
      tsMs: 1234.5,
      numRunningReqs: 8,
      numWaitingReqs: 2,
      kvCacheUsage: 0.5,
      prefixCacheStats: { reset: false, requests: 2, queries: 640, hits: 512, preemptedRequests: 1, preemptedQueries: 64, preemptedHits: 32 },
      specDecodingStats: { numSpecTokens: 3, numDrafts: 8, numDraftTokens: 24, numAcceptedTokens: 15, numAcceptedTokensPerPos: [7, 5, 3] },
      extra: { step_counter: 17, current_wave: 0, connector_prefix_cache_stats: null, kv_connector_stats: { bytes: 10 }, num_corrupted_reqs: 0 },
    });
  });

  it('leaves absent or null optional stats unset', () => {
    const record = parse(step(1, { spec_decoding_stats: null, prefix_cache_stats: null }));
    expect(record).toEqual({ line: 4, tsMs: 1, numRunningReqs: 3, numWaitingReqs: 1, kvCacheUsage: 0.25, extra: {} });
    expect(Object.keys(record)).not.toContain('specDecodingStats');
    expect(Object.keys(record)).not.toContain('prefixCacheStats');
  });

  it('reads minimal prefix-cache and spec-decode stats', () => {
    const record = parse(step(1, { prefix_cache_stats: { requests: 0, queries: 0, hits: 0 }, spec_decoding_stats: { num_drafts: 0, num_draft_tokens: 0, num_accepted_tokens: 0 } }));
    expect(record.prefixCacheStats).toEqual({ requests: 0, queries: 0, hits: 0 });
    expect(record.specDecodingStats).toEqual({ numDrafts: 0, numDraftTokens: 0, numAcceptedTokens: 0 });
  });

  it('accepts the older gpu_cache_usage spelling and keeps it out of extra', () => {
    const record = parse({ ts_ms: 1, scheduler: { num_running_reqs: 1, num_waiting_reqs: 0, gpu_cache_usage: 0.75 } });
    expect(record.kvCacheUsage).toBe(0.75);
    expect(record.extra).toEqual({});
  });

  it('accepts the kv_cache_usage bounds 0 and 1', () => {
    expect(parse(step(1, { kv_cache_usage: 0 })).kvCacheUsage).toBe(0);
    expect(parse(step(1, { kv_cache_usage: 1 })).kvCacheUsage).toBe(1);
  });

  const cases: [string, unknown, string][] = [
    ['not an object', 'x', 'expected a JSON object (got "x")'],
    ['a late meta line', { meta: {} }, 'unexpected "meta" line (only the first non-blank line can be meta)'],
    ['missing ts_ms', { scheduler: SCHEDULER }, 'missing required key ts_ms (expected a finite number)'],
    ['string ts_ms', { ts_ms: '1', scheduler: SCHEDULER }, 'ts_ms must be a finite number (got "1")'],
    ['infinite ts_ms', { ts_ms: Infinity, scheduler: SCHEDULER }, 'ts_ms must be a finite number (got Infinity)'],
    ['missing scheduler', { ts_ms: 1 }, 'missing required key scheduler (expected an object)'],
    ['scheduler array', { ts_ms: 1, scheduler: [] }, 'scheduler must be an object (got an array)'],
    ['missing num_running_reqs', { ts_ms: 1, scheduler: { num_waiting_reqs: 0, kv_cache_usage: 0 } }, 'missing required key scheduler.num_running_reqs (expected an integer >= 0)'],
    ['negative num_waiting_reqs', step(1, { num_waiting_reqs: -1 }), 'scheduler.num_waiting_reqs must be an integer >= 0 (got -1)'],
    ['fractional num_running_reqs', step(1, { num_running_reqs: 2.5 }), 'scheduler.num_running_reqs must be an integer >= 0 (got 2.5)'],
    ['missing kv_cache_usage', { ts_ms: 1, scheduler: { num_running_reqs: 1, num_waiting_reqs: 0 } }, 'missing required key scheduler.kv_cache_usage (expected a number in [0, 1])'],
    ['kv_cache_usage above 1', step(1, { kv_cache_usage: 1.5 }), 'scheduler.kv_cache_usage must be a number in [0, 1] (got 1.5)'],
    ['negative kv_cache_usage', step(1, { kv_cache_usage: -0.1 }), 'scheduler.kv_cache_usage must be a number in [0, 1] (got -0.1)'],
    ['null kv_cache_usage', step(1, { kv_cache_usage: null }), 'scheduler.kv_cache_usage must be a number in [0, 1] (got null)'],
    [
      'gpu_cache_usage out of range',
      { ts_ms: 1, scheduler: { num_running_reqs: 1, num_waiting_reqs: 0, gpu_cache_usage: 2 } },
      'scheduler.gpu_cache_usage must be a number in [0, 1] (got 2)',
    ],
    ['prefix_cache_stats not an object', step(1, { prefix_cache_stats: 5 }), 'scheduler.prefix_cache_stats must be an object (got 5)'],
    [
      'prefix_cache_stats without hits',
      step(1, { prefix_cache_stats: { requests: 1, queries: 4 } }),
      'missing required key scheduler.prefix_cache_stats.hits (expected an integer >= 0)',
    ],
    [
      'prefix_cache_stats hits above queries',
      step(1, { prefix_cache_stats: { requests: 1, queries: 4, hits: 5 } }),
      'scheduler.prefix_cache_stats.hits is 5 (expected at most queries = 4)',
    ],
    [
      'prefix_cache_stats reset not boolean',
      step(1, { prefix_cache_stats: { requests: 1, queries: 4, hits: 0, reset: 0 } }),
      'scheduler.prefix_cache_stats.reset must be true or false (got 0)',
    ],
    [
      'prefix_cache_stats negative preempted_hits',
      step(1, { prefix_cache_stats: { requests: 1, queries: 4, hits: 0, preempted_hits: -1 } }),
      'scheduler.prefix_cache_stats.preempted_hits must be an integer >= 0 (got -1)',
    ],
    ['spec_decoding_stats not an object', step(1, { spec_decoding_stats: 'x' }), 'scheduler.spec_decoding_stats must be an object (got "x")'],
    [
      'spec_decoding_stats without num_drafts',
      step(1, { spec_decoding_stats: { num_draft_tokens: 1, num_accepted_tokens: 1 } }),
      'missing required key scheduler.spec_decoding_stats.num_drafts (expected an integer >= 0)',
    ],
    [
      'more accepted than drafted tokens',
      step(1, { spec_decoding_stats: { num_drafts: 1, num_draft_tokens: 3, num_accepted_tokens: 4 } }),
      'scheduler.spec_decoding_stats.num_accepted_tokens is 4 (expected at most num_draft_tokens = 3)',
    ],
    [
      'bad per-position acceptance',
      step(1, { spec_decoding_stats: { num_drafts: 1, num_draft_tokens: 3, num_accepted_tokens: 1, num_accepted_tokens_per_pos: [1, 0.5, 0] } }),
      'scheduler.spec_decoding_stats.num_accepted_tokens_per_pos[1] must be an integer >= 0 (got 0.5)',
    ],
  ];

  it.each(cases)('rejects %s', (_name, value, reason) => {
    expect(errorMessage(() => parse(value))).toBe(`steps.jsonl:4: ${reason}`);
  });
});

describe('readStepStats', () => {
  it('streams records with line numbers, skipping blank lines', async () => {
    const path = write('steps.jsonl', `${JSON.stringify(step(0))}\n\n${JSON.stringify(step(4.5, { num_running_reqs: 9 }))}\n`);
    const records = await collect(readStepStats(path));
    expect(records.map((r) => [r.line, r.tsMs, r.numRunningReqs])).toEqual([
      [1, 0, 3],
      [3, 4.5, 9],
    ]);
  });

  it('skips an optional meta first line', async () => {
    const path = write('meta.jsonl', jsonLines([{ meta: { source: 'tap' } }, step(1), step(2)]));
    expect((await collect(readStepStats(path))).map((r) => r.line)).toEqual([2, 3]);
  });

  it('rejects a meta first line whose meta is not an object', async () => {
    const path = write('badmeta.jsonl', jsonLines([{ meta: 'x' }, step(1)]));
    expect(await rejectionMessage(collect(readStepStats(path)))).toBe(`${path}:1: meta must be an object (got "x")`);
  });

  it('rejects a meta line after the first line', async () => {
    const path = write('latemeta.jsonl', jsonLines([step(1), { meta: {} }]));
    expect(await rejectionMessage(collect(readStepStats(path)))).toBe(
      `${path}:2: unexpected "meta" line (only the first non-blank line can be meta)`,
    );
  });

  it('accepts equal timestamps but not a step that goes back in time', async () => {
    const path = write('order.jsonl', jsonLines([step(10), step(10), '', step(9.5)]));
    const seen: number[] = [];
    let thrown: unknown;
    try {
      for await (const record of readStepStats(path)) seen.push(record.line);
    } catch (error) {
      thrown = error;
    }
    expect(seen).toEqual([1, 2]);
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as Error).message).toBe(`${path}:4: ts_ms is 9.5, earlier than 10 on line 2 (expected non-decreasing step times)`);
  });

  it('reads gzip with several members and CRLF endings', async () => {
    const first = jsonLines([step(1), step(2)], '\r\n');
    const second = jsonLines([step(3)], '\r\n');
    const path = write('steps.jsonl.gz', Buffer.concat([gzipSync(first), gzipSync(second)]));
    expect((await collect(readStepStats(path))).map((r) => [r.line, r.tsMs])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('keeps complete steps of a truncated gzip sidecar and warns once', async () => {
    const gz = gzipSync(jsonLines(Array.from({ length: 40 }, (_, i) => step(i, { step_counter: i }))));
    const path = write('cut.jsonl.gz', gz.subarray(0, gz.length - 20));
    const warnings: string[] = [];
    const records = await collect(readStepStats(path, { warn: (message) => warnings.push(message) }));
    expect(records.length).toBeGreaterThan(10);
    expect(records.length).toBeLessThan(40);
    expect(records.map((r) => r.extra.step_counter)).toEqual(Array.from({ length: records.length }, (_, i) => i));
    const last = records.length;
    expect(warnings).toEqual([
      `${path}: gzip stream ends without its trailer (capture still being written?); kept ${last} complete line(s), dropped the partial line ${last + 1}`,
    ]);
  });

  it('in lenient mode skips bad lines, out-of-order steps included; the clock keeps the last good step', async () => {
    const broken = '{"ts_ms": 3,';
    const path = write('lenient.jsonl', jsonLines([step(1), broken, step(5), step(4), step(6, { kv_cache_usage: 7 }), step(5.5), step(7)]));
    const lenient = new LenientLog();
    const records = await collect(readStepStats(path, { lenient }));
    // 5.5 follows the skipped step at 6, so it is checked against 5, the last good step.
    expect(records.map((r) => r.tsMs)).toEqual([1, 5, 5.5, 7]);
    expect(lenient.skipped).toBe(3);
    expect(lenient.firstReasons).toEqual([
      `${path}:2: invalid JSON (${jsonParseMessage(broken)})`,
      `${path}:4: ts_ms is 4, earlier than 5 on line 3 (expected non-decreasing step times)`,
      `${path}:5: scheduler.kv_cache_usage must be a number in [0, 1] (got 7)`,
    ]);
  });
});
