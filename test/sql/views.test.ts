import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type VcrDatabase } from '../../src/sql/database.js';
import { loadFiles } from '../../src/sql/load.js';
import { VIEWS } from '../../src/sql/views.js';
import { useTempDir, writeCaptureFixture, type CaptureFixture, type RawJourney } from './fixtures.js';
import { expectedSteps } from './expected.js';

const tempDir = useTempDir();
let db: VcrDatabase;
let fixture: CaptureFixture;

beforeAll(async () => {
  fixture = writeCaptureFixture(tempDir(), { seed: 41, requests: 50, journeys: 60 });
  db = await openDatabase(':memory:');
  await loadFiles(db, [fixture.trace, fixture.stepStats, fixture.otlp]);
});
afterAll(() => db.close());

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

const between = (from: bigint, to: bigint) => Number(to - from) / 1e6;

function byRequest<T extends { request_id?: unknown }>(list: T[]): Map<string, T> {
  return new Map(list.map((row) => [row.request_id as string, row]));
}

describe('views', () => {
  it('declare the columns and types DuckDB reports', async () => {
    for (const view of VIEWS) {
      const described = await rows(`DESCRIBE ${view.name}`);
      expect(described.map((row) => [row.column_name, row.column_type])).toEqual(view.columns.map((column) => [column.name, column.type]));
    }
  });

  it('request_stages: stage durations from the journey events', async () => {
    const stages = byRequest(await rows('SELECT * FROM request_stages'));
    expect(stages.size).toBe(fixture.raw.journeys.length);
    for (const j of fixture.raw.journeys) {
      const row = stages.get(j.requestId)!;
      const preempted = j.preemptions.reduce((total, [from, to]) => total + between(from, to), 0);
      expect(row.queue_ms).toBeCloseTo(between(j.queuedNs, j.scheduledNs), 6);
      expect(row.prefill_ms).toBeCloseTo(between(j.scheduledNs, j.firstTokenNs), 6);
      expect(row.decode_ms).toBeCloseTo(between(j.firstTokenNs, j.finishedNs), 6);
      expect(row.api_in_ms).toBeCloseTo(between(j.arrivedNs, j.handoffNs), 6);
      expect(row.api_out_ms).toBeCloseTo(between(j.finishedNs, j.departedNs), 6);
      expect(row.api_e2e_ms).toBeCloseTo(between(j.arrivedNs, j.departedNs), 6);
      expect(row.core_e2e_ms).toBeCloseTo(between(j.queuedNs, j.finishedNs), 6);
      expect(row.preempted_ms).toBeCloseTo(preempted, 6);
      expect(row.preemptions).toBe(BigInt(j.preemptions.length));
      expect(row).toMatchObject({ finish_status: 'stopped', aborted: false, prompt_tokens: j.promptTokens, completion_tokens: j.completionTokens });
    }
    expect(fixture.raw.journeys.some((j) => j.preemptions.length > 0)).toBe(true);
  });

  it('alpha_samples: queue wait AS OF the latest step summary that started before QUEUED', async () => {
    const samples = byRequest(await rows('SELECT * FROM alpha_samples'));
    expect(samples.size).toBe(fixture.raw.journeys.length);
    const steps = fixture.raw.steps;
    let joined = 0;
    for (const j of fixture.raw.journeys as RawJourney[]) {
      const row = samples.get(j.requestId)!;
      const before = steps.filter((s) => s.startNs < j.queuedNs).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
      const latest = before[before.length - 1];
      expect(row.queue_ms).toBeCloseTo(between(j.queuedNs, j.scheduledNs), 6);
      expect(row.prompt_tokens).toBe(j.promptTokens);
      expect(row.output_tokens).toBe(j.completionTokens);
      expect(row.max_tokens).toBe(256);
      if (!latest) {
        expect(row.step_id).toBeNull();
        continue;
      }
      joined++;
      expect(row).toMatchObject({ step_id: latest.stepId, waiting_depth: latest.waiting, running_depth: latest.running });
      expect(row.kv_usage).toBeCloseTo(latest.kvUsage, 12);
      expect(row.summary_age_ms).toBeCloseTo(between(latest.startNs, j.queuedNs), 6);
    }
    expect(joined).toBeGreaterThan(fixture.raw.journeys.length / 2);
  });

  it('beta_samples: every step with its duration and batch composition', async () => {
    const samples = await rows('SELECT * FROM beta_samples ORDER BY step_id');
    const { steps } = expectedSteps(fixture.raw.sidecar);
    expect(samples).toHaveLength(steps.length);
    samples.forEach((row, i) => {
      expect(row.dur_ms).toBeCloseTo(steps[i].end - steps[i].start, 9);
      expect(row).toMatchObject({
        wall_known: true,
        kind: steps[i].kind,
        prefill_tokens: steps[i].prefillTokens,
        decode_tokens: steps[i].decodeTokens,
        running: steps[i].running,
      });
    });
  });

  it('step_summaries keep the sampled OTLP steps beside the sidecar steps', async () => {
    const summaries = await rows('SELECT step_id, ts_start_ns, start_ms FROM step_summaries ORDER BY step_id');
    expect(summaries.map((row) => row.step_id)).toEqual(fixture.raw.steps.map((s) => s.stepId));
    const [epoch] = await rows('SELECT otlp_epoch_ns FROM captures');
    fixture.raw.steps.forEach((step, i) => {
      expect(summaries[i].start_ms).toBeCloseTo(between(epoch.otlp_epoch_ns as bigint, step.startNs), 6);
    });
  });
});
