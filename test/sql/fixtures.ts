/**
 * Hand-rolled capture fixtures for the SQL tests: a seeded writer of all
 * three input streams into a temp dir. Every expected quantity the tests
 * check is recomputed from the raw records written here (`raw`), never from
 * the Capture vcr builds, so the SQL is checked against an independent
 * reading of the input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import {
  SCOPE,
  SPAN_KIND,
  batchSummaryAttrs,
  coreAttrs,
  intAttr,
  scopeLine,
  snapshotAttrs,
  span,
  stringAttr,
  type EventSpec,
} from '../helpers/otlpBuilder.js';

/** A fresh temp dir removed after the calling test file. */
export function useTempDir(prefix = 'vcr-sql-'): () => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One engine-trace request as written (formats.md §1); block hashes kept as exact decimal strings. */
export interface RawRequest {
  prompt_tokens: number;
  cached_tokens?: number;
  output_tokens: number;
  ttft_ms: number;
  itl_ms?: number[];
  itl_tokens?: number[];
  itl_summary?: { mean_ms: number; count: number };
  concurrency?: number;
  arrival_ms?: number;
  itl_ctx?: { num_running: number[]; prefill_tokens: number[] };
  block_hashes?: string[];
  mm_hashes?: string[];
  output_token_ids?: number[];
  finish_reason?: string;
}

export interface RawSidecarLine {
  ts_ms: number;
  scheduler: {
    num_running_reqs: number;
    num_waiting_reqs: number;
    kv_cache_usage: number;
    prefix_cache_stats?: { requests: number; queries: number; hits: number };
    spec_decoding_stats?: { num_drafts: number; num_draft_tokens: number; num_accepted_tokens: number } | null;
  };
}

export interface RawJourney {
  requestId: string;
  promptTokens: number;
  completionTokens: number;
  arrivedNs: bigint;
  handoffNs: bigint;
  queuedNs: bigint;
  scheduledNs: bigint;
  /** [preempted, resumed] pairs after the first SCHEDULED. */
  preemptions: [bigint, bigint][];
  firstTokenNs: bigint;
  finishedNs: bigint;
  departedNs: bigint;
}

export interface RawStep {
  stepId: number;
  /** Epoch ns (the monotonic reading written is this minus MONOTONIC_OFFSET_NS). */
  startNs: bigint;
  endNs: bigint;
  running: number;
  waiting: number;
  kvUsage: number;
}

export interface CaptureFixture {
  dir: string;
  trace: string;
  stepStats: string;
  otlp: string;
  raw: {
    requests: RawRequest[];
    sidecar: RawSidecarLine[];
    journeys: RawJourney[];
    steps: RawStep[];
    /** Events written into journey spans (API + core). */
    journeyEvents: number;
    snapshots: number;
  };
}

/** Epoch = monotonic + this offset; the BATCH_SUMMARY event is stamped exactly at ts_end (offset estimate is exact). */
export const MONOTONIC_OFFSET_NS = 1_771_000_000_000_000_000n;
const OTLP_START_NS = 1_771_377_149_000_000_000n;

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

function randomUint64(random: () => number): bigint {
  const high = BigInt(Math.floor(random() * 2 ** 32));
  const low = BigInt(Math.floor(random() * 2 ** 32));
  return (high << 32n) | low;
}

function makeRequest(random: () => number, i: number): RawRequest {
  const request: RawRequest = {
    prompt_tokens: 16 + Math.floor(random() * 2000),
    output_tokens: 1,
    ttft_ms: round3(5 + random() * 400),
  };
  if (random() < 0.5) request.cached_tokens = Math.floor(random() * 16);
  if (random() > 0.06) request.arrival_ms = round3(i * 7.5 + random() * 40);
  request.concurrency = pick(random, [1, 2, 3, 4, 8, 16, 5]);
  const shape = random();
  if (shape < 0.08) {
    // Summarised gaps only.
    const count = 2 + Math.floor(random() * 20);
    request.itl_summary = { mean_ms: round3(5 + random() * 20), count };
    request.output_tokens = count + 1;
  } else if (shape < 0.14) {
    request.output_tokens = 1;
  } else {
    const gaps = 1 + Math.floor(random() * 40);
    request.itl_ms = Array.from({ length: gaps }, () => round3(2 + random() * 30 + (random() < 0.02 ? 200 : 0)));
    let tokens = gaps;
    if (random() < 0.2) {
      request.itl_tokens = Array.from({ length: gaps }, () => 1 + Math.floor(random() * 3));
      tokens = request.itl_tokens.reduce((a, b) => a + b, 0);
    }
    request.output_tokens = tokens + 1 + (request.itl_tokens && random() < 0.5 ? 1 : 0);
    if (random() < 0.8) {
      request.itl_ctx = {
        num_running: Array.from({ length: gaps }, () => 1 + Math.floor(random() * 32)),
        prefill_tokens: Array.from({ length: gaps }, () => (random() < 0.2 ? Math.floor(random() * 512) : 0)),
      };
    }
  }
  if (random() < 0.7) request.finish_reason = pick(random, ['stop', 'length', 'abort']);
  if (random() < 0.4) {
    // Half of them above 2^53, where a double would round.
    request.block_hashes = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
      (random() < 0.5 ? randomUint64(random) | (1n << 63n) : BigInt(Math.floor(random() * 1e6))).toString(),
    );
  }
  if (random() < 0.05) request.mm_hashes = [`mm-${i}-a`, `mm-${i}-b`];
  if (random() < 0.2) request.output_token_ids = Array.from({ length: request.output_tokens }, () => Math.floor(random() * 50000));
  return request;
}

/** JSON with block hashes as bare uint64 digits (JSON.stringify cannot write them). */
function requestLine(request: RawRequest): string {
  const { block_hashes, ...rest } = request;
  const json = JSON.stringify(rest);
  return block_hashes ? `${json.slice(0, -1)},"block_hashes":[${block_hashes.join(',')}]}` : json;
}

function makeSidecar(random: () => number, lines: number): RawSidecarLine[] {
  const out: RawSidecarLine[] = [];
  let ts = 0;
  for (let i = 0; i < lines; i++) {
    ts = round3(ts + 1 + random() * 30);
    // Every 25th line empties the batch, and the next line (no prefill) closes an idle interval.
    const idleAfter = i % 25 === 24;
    const closesIdle = i % 25 === 0 && i > 0;
    const prefill = !closesIdle && random() < 0.3;
    out.push({
      ts_ms: ts,
      scheduler: {
        num_running_reqs: idleAfter ? 0 : 1 + Math.floor(random() * 16),
        num_waiting_reqs: Math.floor(random() * 5),
        kv_cache_usage: round3(random()),
        prefix_cache_stats: prefill
          ? { requests: 1 + Math.floor(random() * 2), queries: 1 + Math.floor(random() * 900), hits: Math.floor(random() * 10) }
          : { requests: 0, queries: 0, hits: 0 },
        spec_decoding_stats: null,
      },
    });
  }
  return out;
}

function makeJourneys(random: () => number, count: number): RawJourney[] {
  const ms = (x: number) => BigInt(Math.round(x * 1e6));
  return Array.from({ length: count }, (_, i) => {
    const arrivedNs = OTLP_START_NS + ms(i * 20 + random() * 10);
    const handoffNs = arrivedNs + ms(0.2 + random());
    const queuedNs = handoffNs + ms(0.1);
    const scheduledNs = queuedNs + ms(random() * 50);
    const preemptions: [bigint, bigint][] = [];
    let t = scheduledNs + ms(1 + random() * 5);
    if (i % 5 === 2) {
      preemptions.push([t, t + ms(3 + random() * 10)]);
      t = preemptions[0][1] + ms(1);
    }
    const firstTokenNs = t + ms(5 + random() * 20);
    const finishedNs = firstTokenNs + ms(10 + random() * 200);
    return {
      requestId: `cmpl-${i}`,
      promptTokens: 10 + Math.floor(random() * 500),
      completionTokens: 1 + Math.floor(random() * 100),
      arrivedNs,
      handoffNs,
      queuedNs,
      scheduledNs,
      preemptions,
      firstTokenNs,
      finishedNs,
      departedNs: finishedNs + ms(0.5 + random()),
    };
  });
}

function makeSteps(random: () => number, journeys: RawJourney[]): RawStep[] {
  const first = journeys[0].arrivedNs;
  const last = journeys[journeys.length - 1].departedNs;
  const steps: RawStep[] = [];
  let start = first - 5_000_000n;
  let id = 100;
  while (start < last) {
    const end = start + BigInt(Math.round((2 + random() * 10) * 1e6));
    // Sample ~40% of steps, in runs, so some have a sampled successor (wall time known) and some not.
    if (random() < 0.4) steps.push({ stepId: id, startNs: start, endNs: end, running: 1 + Math.floor(random() * 30), waiting: Math.floor(random() * 8), kvUsage: round3(random()) });
    start = end + 100_000n;
    id++;
  }
  return steps;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function otlpLines(journeys: RawJourney[], steps: RawStep[]): { lines: string[]; journeyEvents: number; snapshots: number } {
  const lines: string[] = [];
  let journeyEvents = 0;
  journeys.forEach((j, i) => {
    const traceId = hex(i + 1, 32);
    const apiSpanId = hex(2 * i + 1, 16);
    const api: EventSpec[] = [
      { name: 'api.ARRIVED', timeNs: j.arrivedNs },
      { name: 'api.HANDOFF_TO_CORE', timeNs: j.handoffNs },
      { name: 'api.FIRST_RESPONSE_FROM_CORE', timeNs: j.firstTokenNs + 100_000n },
      { name: 'api.DEPARTED', timeNs: j.departedNs },
    ];
    const core: EventSpec[] = [
      { name: 'journey.QUEUED', timeNs: j.queuedNs, attributes: coreAttrs({ phase: 'WAITING', prefillTotal: j.promptTokens, decodeMax: 256, preemptions: 0 }) },
      { name: 'journey.SCHEDULED', timeNs: j.scheduledNs, attributes: coreAttrs({ step: 1, phase: 'PREFILL', scheduleKind: 'FIRST' }) },
    ];
    for (const [preempted, resumed] of j.preemptions) {
      core.push({ name: 'journey.PREEMPTED', timeNs: preempted, attributes: coreAttrs({ step: 2, phase: 'PREFILL', preemptions: 1 }) });
      core.push({ name: 'journey.SCHEDULED', timeNs: resumed, attributes: coreAttrs({ step: 3, phase: 'PREFILL', scheduleKind: 'RESUME' }) });
    }
    core.push({ name: 'journey.FIRST_TOKEN', timeNs: j.firstTokenNs, attributes: coreAttrs({ step: 4, phase: 'DECODE' }) });
    core.push({ name: 'journey.FINISHED', timeNs: j.finishedNs, attributes: coreAttrs({ step: 5, phase: 'DECODE', decodeDone: j.completionTokens, finishStatus: 'stopped' }) });
    journeyEvents += api.length + core.length;
    lines.push(
      scopeLine(
        SCOPE.api,
        span({
          traceId,
          spanId: apiSpanId,
          name: 'llm_request',
          kind: SPAN_KIND.server,
          startNs: j.arrivedNs,
          endNs: j.departedNs,
          attributes: [
            stringAttr('gen_ai.request.id', j.requestId),
            stringAttr('http.route', '/v1/chat/completions'),
            intAttr('gen_ai.usage.prompt_tokens', j.promptTokens),
            intAttr('gen_ai.usage.completion_tokens', j.completionTokens),
          ],
          events: api,
        }),
      ),
    );
    lines.push(
      scopeLine(
        SCOPE.core,
        span({
          traceId,
          spanId: hex(2 * i + 2, 16),
          parentSpanId: apiSpanId,
          name: 'llm_core',
          startNs: j.queuedNs,
          endNs: j.finishedNs,
          attributes: [stringAttr('gen_ai.request.id', `${j.requestId}-core`)],
          events: core,
        }),
      ),
    );
  });
  let snapshots = 0;
  const stepEvents: EventSpec[] = [];
  for (const step of steps) {
    stepEvents.push({
      name: 'step.BATCH_SUMMARY',
      timeNs: step.endNs,
      attributes: batchSummaryAttrs({
        stepId: step.stepId,
        tsStartNs: step.startNs - MONOTONIC_OFFSET_NS,
        tsEndNs: step.endNs - MONOTONIC_OFFSET_NS,
        running: step.running,
        waiting: step.waiting,
        kvUsage: step.kvUsage,
      }),
    });
    if (step.stepId % 3 === 0) {
      snapshots++;
      stepEvents.push({ name: 'step.REQUEST_SNAPSHOT', timeNs: step.endNs, attributes: snapshotAttrs({ stepId: step.stepId, requestId: `cmpl-${step.stepId}-core` }) });
    }
  }
  // The SDK keeps 128 events per span, so steps go out in windows of at most 100 events.
  for (let at = 0; at < stepEvents.length; at += 100) {
    const events = stepEvents.slice(at, at + 100);
    lines.push(
      scopeLine(
        SCOPE.step,
        span({ traceId: hex(999, 32), spanId: hex(100000 + at, 16), name: `scheduler_steps_${at}`, startNs: BigInt(events[0].timeNs), events }),
      ),
    );
  }
  return { lines, journeyEvents, snapshots };
}

export interface FixtureOptions {
  seed?: number;
  requests?: number;
  sidecarLines?: number;
  journeys?: number;
  /** File name stem of the trace (the sidecar is `<stem>-step-stats.jsonl`). */
  stem?: string;
  model?: string;
}

/** Writes trace, sidecar and OTLP files of one synthetic capture into `dir`. */
export function writeCaptureFixture(dir: string, options: FixtureOptions = {}): CaptureFixture {
  const random = rng(options.seed ?? 1);
  const stem = options.stem ?? 'trace';
  const requests = Array.from({ length: options.requests ?? 300 }, (_, i) => makeRequest(random, i));
  // File order is finish order, not arrival order.
  const fileOrder = requests.map((request, i) => ({ request, key: (request.arrival_ms ?? i * 7.5) + request.ttft_ms + random() * 50 }));
  fileOrder.sort((a, b) => a.key - b.key);
  const orderedRequests = fileOrder.map((entry) => entry.request);
  const meta = { meta: { model: options.model ?? 'test-model', gpu: 'H100', tp: 2, source: 'synthetic', sim: { seed: options.seed ?? 1 } } };
  const trace = join(dir, `${stem}.jsonl`);
  writeFileSync(trace, [JSON.stringify(meta), ...orderedRequests.map(requestLine)].join('\n') + '\n');

  const sidecar = makeSidecar(random, options.sidecarLines ?? 120);
  const stepStats = join(dir, `${stem}-step-stats.jsonl`);
  writeFileSync(stepStats, sidecar.map((line) => JSON.stringify(line)).join('\n') + '\n');

  const journeys = makeJourneys(random, options.journeys ?? 40);
  const steps = makeSteps(random, journeys);
  const otlp = join(dir, `${stem}-otlp.jsonl`);
  const written = otlpLines(journeys, steps);
  writeFileSync(otlp, written.lines.join('\n') + '\n');

  return {
    dir,
    trace,
    stepStats,
    otlp,
    raw: { requests: orderedRequests, sidecar, journeys, steps, journeyEvents: written.journeyEvents, snapshots: written.snapshots },
  };
}
