/**
 * The fit's pure-TypeScript sample extraction and the SQL views
 * `alpha_samples` / `beta_samples` (src/sql/views.ts) must describe the same
 * rows: one definition of "queue state AS OF QUEUED" and of "a step's wall
 * time", whichever way a user reaches it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import { extractAlphaSamples } from '../../src/fit/alphaSamples.js';
import { buildStepRows } from '../../src/fit/stepRows.js';
import { IN_MEMORY, loadFiles, openDatabase, runQuery, type VcrDatabase } from '../../src/sql/index.js';
import { generated } from './genCapture.js';

let db: VcrDatabase;
let otlpPath: string;

beforeAll(async () => {
  otlpPath = join((await generated({ scenario: 'sweep', seed: 3, requests: 150, phaseDurationS: 5 })).dir, 'otlp.jsonl');
  db = await openDatabase(IN_MEMORY);
  await loadFiles(db, [otlpPath]);
});

afterAll(() => db?.close());

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const result = await runQuery(db, sql);
  return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.values[i][r]])));
}

describe('fit samples = SQL views on the same capture', () => {
  it('alpha samples equal alpha_samples rows that found a step summary', async () => {
    const capture = await loadCapture({ otlp: otlpPath });
    const mine = extractAlphaSamples(capture.otlp!, { warmupSteps: 0 }).samples.sort((a, b) => a.journey - b.journey);
    const theirs = await rows(
      'SELECT journey_id, queue_ms, prompt_tokens, step_id, waiting_depth, running_depth, kv_usage, summary_age_ms FROM alpha_samples WHERE step_id IS NOT NULL ORDER BY journey_id',
    );
    expect(mine.length).toBeGreaterThan(100);
    expect(theirs.length).toBe(mine.length);
    mine.forEach((sample, i) => {
      const row = theirs[i];
      expect(row.journey_id).toBe(sample.journey);
      expect((row.queue_ms as number) * 1000).toBeCloseTo(sample.queueWaitUs, 3);
      expect(row.prompt_tokens).toBe(sample.promptTokens);
      expect(row.step_id).toBe(sample.summaryStepId);
      expect(row.waiting_depth).toBe(sample.waiting);
      expect(row.running_depth).toBe(sample.running);
      expect(row.kv_usage).toBe(sample.kvUsage);
      expect(row.summary_age_ms as number).toBeCloseTo(sample.summaryAgeMs, 6);
    });
  });

  it('beta step rows with a wall time equal beta_samples rows with wall_known', async () => {
    const capture = await loadCapture({ otlp: otlpPath });
    const mine = buildStepRows(capture).rows.filter((r) => !Number.isNaN(r.wallUs));
    const theirs = await rows('SELECT step_id, dur_ms, prefill_tokens, decode_tokens, running, kv_usage FROM beta_samples WHERE wall_known ORDER BY step_id');
    expect(mine.length).toBeGreaterThan(1000);
    expect(theirs.length).toBe(mine.length);
    mine.forEach((step, i) => {
      const row = theirs[i];
      expect(row.step_id).toBe(step.stepId);
      expect((row.dur_ms as number) * 1000).toBeCloseTo(step.wallUs, 3);
      expect(row.prefill_tokens).toBe(step.prefillTokens);
      expect(row.decode_tokens).toBe(step.decodeTokens);
      expect(row.running).toBe(step.running);
      expect(row.kv_usage).toBe(step.kvUsage);
    });
  });
});
