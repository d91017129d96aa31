import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, constants as zlib } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { LifecycleReport } from '../../src/report/lifecycle.js';
import { watchLifecycle } from '../../src/report/lifecycleWatch.js';
import { journeyLines, type JourneySpec } from './lifecycleFixture.js';
import { framed, protoOf } from '../helpers/otlpEncodings.js';

const journey = (id: number): JourneySpec => ({
  id,
  arrived: id * 10,
  handoff: id * 10 + 1,
  queued: id * 10 + 1,
  scheduled: id * 10 + 3,
  firstToken: id * 10 + 5,
  finished: id * 10 + 9,
  departed: id * 10 + 10,
});

/** Polls `predicate` every 10 ms; fails after `timeoutMs` instead of hanging the suite. */
async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function startWatching(path: string) {
  const controller = new AbortController();
  const updates: LifecycleReport[] = [];
  const done = watchLifecycle(path, { intervalMs: 15, signal: controller.signal, onUpdate: (report) => void updates.push(report) });
  const latest = () => updates[updates.length - 1];
  const complete = () => latest()?.withE2e ?? -1;
  return { controller, updates, done, latest, complete };
}

describe('vcr report lifecycle --watch', () => {
  it('waits for the file, then redraws as complete lines are appended (a partial line is held back)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vcr-watch-')), 'otlp.jsonl');
    const watch = startWatching(path);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(watch.updates).toHaveLength(0);

    writeFileSync(path, `${[...journeyLines(journey(0)), ...journeyLines(journey(1))].join('\n')}\n`);
    await waitFor(() => watch.complete() === 2, 'two requests');

    // The collector is mid-write: half of request 2's API span line, no newline yet.
    const [core2, api2] = journeyLines(journey(2));
    appendFileSync(path, `${core2}\n${api2.slice(0, 40)}`);
    await waitFor(() => watch.latest().requests === 3, 'the core span of request 2');
    // Its API span is not in yet, so its E2E falls back to the engine side; nothing was misread.
    expect(watch.latest().apiSideE2e).toBe(2);

    appendFileSync(path, `${api2.slice(40)}\n${journeyLines(journey(3)).join('\n')}\n`);
    await waitFor(() => watch.latest().apiSideE2e === 4, 'requests 2 and 3 complete');

    watch.controller.abort();
    const last = await watch.done;
    expect(last?.requests).toBe(4);
    expect(last?.stages.find((s) => s.key === 'queue')).toMatchObject({ n: 4, avgMs: 2 });
    // Monotone: every redraw saw at least as many journeys as the one before.
    const counts = watch.updates.map((u) => u.requests);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  it('follows a gzip file still being written (no trailer yet), re-reading it as it grows', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vcr-watch-gz-')), 'otlp.jsonl.gz');
    const gzip = createGzip();
    gzip.on('data', (chunk: Buffer) => appendFileSync(path, chunk));
    const flush = () => new Promise<void>((resolve) => gzip.flush(zlib.Z_SYNC_FLUSH, () => setImmediate(resolve)));
    writeFileSync(path, '');

    const watch = startWatching(path);
    gzip.write(`${journeyLines(journey(0)).join('\n')}\n`);
    await flush();
    await waitFor(() => watch.complete() === 1, 'one request from the gzip stream');

    gzip.write(`${[...journeyLines(journey(1)), ...journeyLines(journey(2))].join('\n')}\n`);
    await flush();
    await waitFor(() => watch.complete() === 3, 'three requests');

    await new Promise<void>((resolve) => gzip.end(resolve));
    watch.controller.abort();
    const last = await watch.done;
    expect(last?.requests).toBe(3);
    expect(last?.verdict.kind).toBe('decode-bound');
  });

  it('reports an empty file at once, before its encoding can be told, then what is written to it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vcr-watch-')), 'otlp.pb');
    writeFileSync(path, '');
    const watch = startWatching(path);
    await waitFor(() => watch.updates.length === 1, 'the first report');
    expect(watch.latest().requests).toBe(0);
    appendFileSync(path, framed(journeyLines(journey(0)).map(protoOf)));
    await waitFor(() => watch.complete() === 1, 'the request written after');
    watch.controller.abort();
    await watch.done;
    expect(watch.updates.map((update) => update.requests)).toEqual([0, 1]);
  });

  it('follows a length-prefixed protobuf export as frames are appended (a partial frame is held back)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vcr-watch-')), 'otlp.pb');
    const frames = (ids: number[]) => framed(ids.flatMap((id) => journeyLines(journey(id))).map(protoOf));
    const watch = startWatching(path);
    writeFileSync(path, frames([0]));
    await waitFor(() => watch.complete() === 1, 'one request from the frames');

    // The collector is mid-write: request 1's frames, then the first bytes of request 2's.
    const next = frames([1, 2]);
    const firstOfRequest2 = frames([1]).length + 10;
    appendFileSync(path, next.subarray(0, firstOfRequest2));
    await waitFor(() => watch.complete() === 2, 'request 1');
    expect(watch.latest().requests).toBe(2);

    appendFileSync(path, next.subarray(firstOfRequest2));
    await waitFor(() => watch.complete() === 3, 'request 2, once its frames are whole');
    watch.controller.abort();
    const last = await watch.done;
    expect(last?.requests).toBe(3);
    expect(last?.stages.find((s) => s.key === 'queue')).toMatchObject({ n: 3, avgMs: 2 });
  });
});
