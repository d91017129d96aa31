import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type VcrDatabase } from '../../src/sql/database.js';
import { loadFiles } from '../../src/sql/load.js';
import { InputError } from '../../src/ingest/errors.js';
import { useTempDir, writeCaptureFixture } from './fixtures.js';
import { expectedSteps, sum } from './expected.js';

const tempDir = useTempDir();
const open: VcrDatabase[] = [];
afterEach(() => open.splice(0).forEach((db) => db.close()));

async function database(path = ':memory:'): Promise<VcrDatabase> {
  const db = await openDatabase(path);
  open.push(db);
  return db;
}

async function rows(db: VcrDatabase, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function scalar(db: VcrDatabase, sql: string): Promise<unknown> {
  return (await db.connection.runAndReadAll(sql)).getRowsJS()[0][0];
}

/** Row counts of every table, per capture. */
async function counts(db: VcrDatabase): Promise<Record<string, unknown>[]> {
  return rows(
    db,
    `SELECT c.capture_id,
       (SELECT count(*) FROM requests r WHERE r.capture_id = c.capture_id) AS requests,
       (SELECT count(*) FROM gaps g WHERE g.capture_id = c.capture_id) AS gaps,
       (SELECT count(*) FROM steps s WHERE s.capture_id = c.capture_id) AS steps,
       (SELECT count(*) FROM journey j WHERE j.capture_id = c.capture_id) AS journey,
       (SELECT count(*) FROM snapshots s WHERE s.capture_id = c.capture_id) AS snapshots,
       (SELECT count(*) FROM step_summaries s WHERE s.capture_id = c.capture_id) AS step_summaries
     FROM captures c ORDER BY c.capture_id`,
  );
}

describe('vcr load: row counts equal the input', () => {
  it('loads a trace + sidecar + OTLP capture with one row per input record', async () => {
    const fixture = writeCaptureFixture(tempDir(), { seed: 7 });
    const db = await database();
    const [loaded] = await loadFiles(db, [fixture.otlp, fixture.trace, fixture.stepStats]);
    expect(loaded.status).toBe('loaded');
    expect(loaded.sources).toEqual({ trace: fixture.trace, stepStats: fixture.stepStats, otlp: fixture.otlp });

    const { raw } = fixture;
    const gapLengths = raw.requests.map((r) => r.itl_ms?.length ?? 0);
    const { idle } = expectedSteps(raw.sidecar);
    expect(idle).toBeGreaterThan(0);
    const expected = {
      capture_id: 1,
      requests: BigInt(raw.requests.length),
      gaps: BigInt(sum(gapLengths)),
      // sidecar lines − 1 (the first line only seeds the clock) − lines that closed an idle interval
      steps: BigInt(raw.sidecar.length - 1 - idle),
      journey: BigInt(raw.journeyEvents),
      snapshots: BigInt(raw.snapshots),
      step_summaries: BigInt(raw.steps.length),
    };
    expect(await counts(db)).toEqual([expected]);
    expect(loaded.rows).toEqual({
      captures: 1,
      requests: raw.requests.length,
      gaps: sum(gapLengths),
      steps: raw.sidecar.length - 1 - idle,
      step_summaries: raw.steps.length,
      journey: raw.journeyEvents,
      snapshots: raw.snapshots,
    });

    const [capture] = await rows(db, 'SELECT * FROM captures');
    expect(capture).toMatchObject({
      capture_id: 1,
      model: 'test-model',
      gpu: 'H100',
      tp: 2,
      source: 'synthetic',
      meta_json: '{"sim":{"seed":7}}',
      step_source: 'sidecar',
      requests: expected.requests,
      gaps: expected.gaps,
      steps: expected.steps,
      idle_intervals: BigInt(idle),
      journey_requests: BigInt(raw.journeys.length),
      journey_events: expected.journey,
      snapshots: expected.snapshots,
      step_summaries: expected.step_summaries,
      requests_without_arrival: BigInt(raw.requests.filter((r) => r.arrival_ms === undefined).length),
    });
    expect(capture.content_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('maps missing values to NULL and keeps per-request gap counts', async () => {
    const fixture = writeCaptureFixture(tempDir(), { seed: 8 });
    const db = await database();
    await loadFiles(db, [fixture.trace]);
    const { requests } = fixture.raw;
    const nulls = await rows(
      db,
      `SELECT count(*) FILTER (WHERE arrival_ms IS NULL) AS no_arrival,
              count(*) FILTER (WHERE lane IS NULL) AS no_lane,
              count(*) FILTER (WHERE finish_reason IS NULL) AS no_finish,
              count(*) FILTER (WHERE summary_gap_count IS NOT NULL) AS summarised,
              sum(gap_count) AS gaps
       FROM requests`,
    );
    expect(nulls[0]).toEqual({
      no_arrival: BigInt(requests.filter((r) => r.arrival_ms === undefined).length),
      no_lane: BigInt(requests.filter((r) => r.arrival_ms === undefined).length),
      no_finish: BigInt(requests.filter((r) => r.finish_reason === undefined).length),
      summarised: BigInt(requests.filter((r) => r.itl_summary !== undefined).length),
      gaps: BigInt(sum(requests.map((r) => r.itl_ms?.length ?? 0))),
    });
    const withoutContext = sum(requests.map((r) => (r.itl_ms && !r.itl_ctx ? r.itl_ms.length : 0)));
    expect(await scalar(db, 'SELECT count(*) FROM gaps WHERE num_running IS NULL AND prefill_tokens IS NULL')).toBe(BigInt(withoutContext));
    const withoutArrivalGaps = sum(requests.map((r) => (r.arrival_ms === undefined ? (r.itl_ms?.length ?? 0) : 0)));
    expect(await scalar(db, 'SELECT count(*) FROM gaps WHERE start_ms IS NULL')).toBe(BigInt(withoutArrivalGaps));
    // The step table is empty without a sidecar or OTLP file, and says so.
    expect(await rows(db, 'SELECT step_source, steps FROM captures')).toEqual([{ step_source: 'none', steps: 0n }]);
  });

  it('keeps uint64 block hashes exact above 2^53', async () => {
    const fixture = writeCaptureFixture(tempDir(), { seed: 9 });
    const db = await database();
    await loadFiles(db, [fixture.trace]);
    const expected = fixture.raw.requests.flatMap((r) => r.block_hashes ?? []);
    expect(expected.some((hash) => BigInt(hash) > 2n ** 53n)).toBe(true);
    const stored = await rows(
      db,
      'SELECT hash FROM (SELECT source_line, generate_subscripts(block_hashes, 1) AS i, unnest(block_hashes)::VARCHAR AS hash FROM requests) ORDER BY source_line, i',
    );
    expect(stored.map((row) => row.hash)).toEqual(expected);
    // Also exact as numbers, not just as text.
    const max = expected.map(BigInt).reduce((a, b) => (a > b ? a : b));
    expect(await scalar(db, 'SELECT max(h) FROM (SELECT unnest(block_hashes) AS h FROM requests)')).toBe(max);
    expect(await scalar(db, "SELECT typeof(block_hashes) FROM requests LIMIT 1")).toBe('UBIGINT[]');
  });
});

describe('vcr load: capture identity', () => {
  it('does not duplicate a capture loaded twice, even from another path', async () => {
    const dir = tempDir();
    const fixture = writeCaptureFixture(dir, { seed: 3 });
    const db = await database();
    await loadFiles(db, [fixture.trace, fixture.stepStats]);
    const before = await counts(db);
    const copyDir = tempDir();
    const copy = join(copyDir, 'trace.jsonl');
    const copySidecar = join(copyDir, 'trace-step-stats.jsonl');
    copyFileSync(fixture.trace, copy);
    copyFileSync(fixture.stepStats, copySidecar);
    const again = await loadFiles(db, [copy, copySidecar]);
    expect(again).toMatchObject([{ status: 'duplicate', captureId: 1, rows: { requests: 0, gaps: 0 } }]);
    expect(await counts(db)).toEqual(before);
    // The same trace with a different companion is a different capture.
    const traceOnly = await loadFiles(db, [fixture.trace]);
    expect(traceOnly).toMatchObject([{ status: 'loaded', captureId: 2 }]);
  });

  it('--replace reloads under the same id, by content or by trace path', async () => {
    const dir = tempDir();
    const fixture = writeCaptureFixture(dir, { seed: 4 });
    const db = await database();
    await loadFiles(db, [fixture.trace]);
    const replaced = await loadFiles(db, [fixture.trace], { replace: true });
    expect(replaced).toMatchObject([{ status: 'replaced', captureId: 1 }]);
    expect((await counts(db)).map((row) => row.requests)).toEqual([BigInt(fixture.raw.requests.length)]);

    // A re-recorded trace at the same path replaces the old capture too.
    const rerecorded = writeCaptureFixture(dir, { seed: 5, requests: 50 });
    const result = await loadFiles(db, [rerecorded.trace], { replace: true });
    expect(result).toMatchObject([{ status: 'replaced', captureId: 1 }]);
    expect(await counts(db)).toMatchObject([{ capture_id: 1, requests: 50n }]);
  });

  it('keeps captures side by side, each query filtered by capture_id', async () => {
    const a = writeCaptureFixture(tempDir(), { seed: 11, requests: 120, model: 'model-a' });
    const b = writeCaptureFixture(tempDir(), { seed: 12, requests: 80, model: 'model-b' });
    const db = await database();
    const loaded = await loadFiles(db, [a.trace, a.stepStats, a.otlp, b.trace, b.stepStats]);
    expect(loaded.map((capture) => [capture.captureId, capture.sources.trace])).toEqual([
      [1, a.trace],
      [2, b.trace],
    ]);
    const models = await rows(db, 'SELECT capture_id, model FROM captures ORDER BY capture_id');
    expect(models).toEqual([
      { capture_id: 1, model: 'model-a' },
      { capture_id: 2, model: 'model-b' },
    ]);
    for (const [id, fixture] of [
      [1, a],
      [2, b],
    ] as const) {
      const gapSum = await scalar(db, `SELECT sum(dur_ms) FROM gaps WHERE capture_id = ${id}`);
      expect(gapSum).toBeCloseTo(sum(fixture.raw.requests.flatMap((r) => r.itl_ms ?? [])), 6);
      expect(await scalar(db, `SELECT count(*) FROM requests WHERE capture_id = ${id}`)).toBe(BigInt(fixture.raw.requests.length));
    }
    expect(await scalar(db, 'SELECT count(*) FROM journey WHERE capture_id = 2')).toBe(0n);
    // Every gap belongs to a request of its own capture.
    expect(await scalar(db, 'SELECT count(*) FROM gaps g ANTI JOIN requests r USING (capture_id, request_id)')).toBe(0n);
  });
});

describe('vcr load: all or nothing', () => {
  it('leaves the database unchanged when one input file is bad', async () => {
    const good = writeCaptureFixture(tempDir(), { seed: 21, requests: 60 });
    const dbPath = join(tempDir(), 'vcr.duckdb');
    const db = await database(dbPath);
    await loadFiles(db, [good.trace]);
    const before = await counts(db);

    const second = writeCaptureFixture(tempDir(), { seed: 22, requests: 60 });
    const badDir = tempDir();
    const bad = join(badDir, 'trace.jsonl');
    writeFileSync(bad, '{"prompt_tokens": 5, "output_tokens": 1, "ttft_ms": 3}\n{"prompt_tokens": 5, "output_tokens": 1, "ttft_ms": -3}\n');
    const error = await loadFiles(db, [second.trace, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(new RegExp(`^${bad.replaceAll('/', '\\/')}:2: `));
    expect(await counts(db)).toEqual(before);
    db.close();
    open.pop();

    // Nothing of the failed load reached the file either.
    const reopened = await database(dbPath);
    expect(await counts(reopened)).toEqual(before);
    expect(existsSync(`${dbPath}.wal`)).toBe(false);
  });
});
