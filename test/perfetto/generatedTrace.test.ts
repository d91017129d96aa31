import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeRequestSweep } from '../../src/capture/derive/activeSweep.js';
import { stepLabel } from '../../src/capture/derive/steps.js';
import { STEP_KINDS } from '../../src/capture/model.js';
import type { DecodedSlice, DecodedTrace } from '../helpers/decodePerfetto.js';
import { generatedCapture, ns, useTempDir, writeJson, writeProto, type GeneratedCapture, type ProtoResult } from './fixtures.js';

interface RawRequest {
  arrival_ms: number;
  ttft_ms: number;
  itl_ms?: number[];
  itl_tokens?: number[];
  itl_ctx?: { num_running: number[]; prefill_tokens: number[] };
  output_tokens: number;
}

/** The engine trace's request lines in arrival order (stable), read straight from the file. */
function rawRequests(path: string): RawRequest[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const records = lines.map((line) => JSON.parse(line)).filter((value) => !('meta' in value)) as RawRequest[];
  return records.map((record, i) => ({ record, i })).sort((a, b) => a.record.arrival_ms - b.record.arrival_ms || a.i - b.i).map(({ record }) => record);
}

function byTrack(slices: DecodedSlice[]): Map<string, DecodedSlice[]> {
  const tracks = new Map<string, DecodedSlice[]>();
  for (const slice of slices) {
    const key = `${slice.group}/${slice.track}`;
    if (!tracks.has(key)) tracks.set(key, []);
    tracks.get(key)?.push(slice);
  }
  for (const list of tracks.values()) list.sort((a, b) => a.ts - b.ts || a.dur - b.dur);
  return tracks;
}

describe('a generated capture (trace + step-stats sidecar + OTLP)', () => {
  const dir = useTempDir();
  let generated: GeneratedCapture;
  let proto: ProtoResult;
  let trace: DecodedTrace;
  let raw: RawRequest[];
  beforeAll(async () => {
    generated = await generatedCapture(dir, { requests: 150, seed: 11 });
    proto = await writeProto(generated.capture, dir);
    trace = proto.trace;
    raw = rawRequests(generated.files.trace);
  });

  it('decodes with every SLICE_BEGIN matched by a SLICE_END on its track, and no other problem', () => {
    expect(trace.problems).toEqual([]);
    expect(trace.slices.length).toBe(proto.summary.slices);
    expect(trace.counters.length).toBe(proto.summary.counterSamples);
    expect(trace.flows.length).toBe(proto.summary.flows);
  });

  it('maps trace time 0 to the OTLP export\'s wall-clock epoch', () => {
    expect(trace.clock.realtimeAtZeroNs).toBe(generated.capture.otlp?.epochNs);
  });

  it('never overlaps two slices on one lane, step track or journey lane', () => {
    for (const [track, slices] of byTrack(trace.slices)) {
      for (let i = 1; i < slices.length; i++) {
        const previousEnd = slices[i - 1].ts + slices[i - 1].dur;
        if (slices[i].ts < previousEnd) throw new Error(`${track}: ${slices[i].name} at ${slices[i].ts} overlaps ${slices[i - 1].name} ending ${previousEnd}`);
      }
      expect(slices.every((s) => s.depth === 0)).toBe(true);
    }
  });

  it('draws as many lanes as the peak of active_requests', () => {
    const lanes = [...trace.tracks.values()].filter((t) => /^lane \d+$/.test(t.name));
    const peak = Math.max(...trace.counters.filter((c) => c.track === 'active_requests').map((c) => c.value));
    expect(lanes.length).toBe(peak);
    expect(lanes.length).toBe(generated.capture.stats.peakConcurrency);
    expect(proto.summary.lanes).toBe(peak);
  });

  it('places every request at its input times in ns: arrival, ttft, cumulative gaps', () => {
    const prefills = new Map(trace.slices.filter((s) => s.name.endsWith(' prefill')).map((s) => [s.args.req as number, s]));
    const decodes = new Map<number, DecodedSlice[]>();
    for (const slice of trace.slices) {
      if (slice.category !== 'request' || slice.name.endsWith(' prefill')) continue;
      const req = slice.args.req as number;
      if (!decodes.has(req)) decodes.set(req, []);
      decodes.get(req)?.push(slice);
    }
    expect(prefills.size).toBe(raw.length);
    raw.forEach((request, id) => {
      const prefill = prefills.get(id) as DecodedSlice;
      expect([prefill.name, prefill.ts, prefill.ts + prefill.dur]).toEqual([`req${id} prefill`, ns(request.arrival_ms), ns(request.arrival_ms + request.ttft_ms)]);
      const gaps = request.itl_ms ?? [];
      const actual = (decodes.get(id) ?? []).sort((a, b) => a.ts - b.ts || a.dur - b.dur).map((s) => [s.name, s.ts, s.ts + s.dur, s.args.gap_ms]);
      let at = request.arrival_ms + request.ttft_ms;
      const expected = gaps.map((gap, k) => {
        const tokens = request.itl_tokens?.[k] ?? 1;
        const start = ns(at);
        at += gap;
        // The last gap ends at the request's end, arrival + (ttft + sum(itl)), which the lanes were packed by.
        const end = k === gaps.length - 1 ? ns(request.arrival_ms + (request.ttft_ms + gaps.reduce((a, b) => a + b, 0))) : ns(at);
        return [tokens === 1 ? 'decode' : `decode x${tokens}`, start, end, gap];
      });
      expect(actual).toEqual(expected);
    });
  });

  it('samples engine_running / prefill_tokens with the itl_ctx values at each gap end', () => {
    const expected: number[][] = [];
    for (const request of raw) {
      const gaps = request.itl_ms ?? [];
      let at = request.arrival_ms + request.ttft_ms;
      gaps.forEach((gap, k) => {
        at += gap;
        const end = k === gaps.length - 1 ? ns(request.arrival_ms + (request.ttft_ms + gaps.reduce((a, b) => a + b, 0))) : ns(at);
        if (request.itl_ctx) expected.push([end, request.itl_ctx.num_running[k], request.itl_ctx.prefill_tokens[k]]);
      });
    }
    expect(expected.length).toBeGreaterThan(0);
    const sorted = (rows: number[][]) => rows.map((r) => r.join(' ')).sort();
    const samples = (name: string) => trace.counters.filter((c) => c.track === name).map((c) => [c.ts, c.value]);
    expect(sorted(samples('engine_running'))).toEqual(sorted(expected.map(([t, running]) => [t, running])));
    expect(sorted(samples('prefill_tokens'))).toEqual(sorted(expected.map(([t, , prefill]) => [t, prefill])));
  });

  it('samples active_requests at every arrival/end time with the sweep value', () => {
    const sweep = activeRequestSweep(generated.capture.requests.arrivalMs, generated.capture.requests.endMs);
    const samples = trace.counters.filter((c) => c.track === 'active_requests');
    expect(samples.map((c) => c.ts)).toEqual(Array.from(sweep.timeMs, ns));
    expect(samples.map((c) => c.value)).toEqual(Array.from(sweep.active));
  });

  it('draws one step slice per step, named by its classification, with the sched_* counters at its end', () => {
    const steps = generated.capture.steps;
    const slices = trace.slices.filter((s) => s.category === 'step').sort((a, b) => a.ts - b.ts);
    expect(slices.length).toBe(steps.count);
    slices.forEach((slice, i) => {
      const kind = STEP_KINDS[steps.kind[i]];
      expect(slice.name).toBe(stepLabel(kind, steps.running[i], steps.prefillRequests[i], steps.prefillTokens[i]));
      expect(slice.args).toMatchObject({ step: steps.stepId[i], kind, running: steps.running[i], waiting: steps.waiting[i] });
      expect(slice.name.startsWith(kind === 'prefill' ? 'prefill (' : `${kind} B`)).toBe(true);
      expect(slice.ts).toBe(ns(steps.startMs[i]));
      expect(slice.ts + slice.dur).toBe(ns(steps.endMs[i]));
    });
    const atEnds = (name: string) => trace.counters.filter((c) => c.track === name).map((c) => [c.ts, c.value]);
    expect(atEnds('sched_running_reqs')).toEqual(slices.map((s, i) => [s.ts + s.dur, steps.running[i]]));
    expect(atEnds('sched_waiting_reqs')).toEqual(slices.map((s, i) => [s.ts + s.dur, steps.waiting[i]]));
    expect(atEnds('sched_kv_cache_usage')).toEqual(slices.map((s, i) => [s.ts + s.dur, steps.kvUsage[i]]));
  });

  it("connects each request's prefill to the step whose interval holds its first token (the step ending there on a tie)", () => {
    const steps = trace.slices.filter((s) => s.category === 'step').sort((a, b) => a.ts - b.ts);
    expect(trace.flows.length).toBeGreaterThan(0);
    for (const flow of trace.flows) {
      expect(flow.from.name).toMatch(/^req\d+ prefill$/);
      expect(flow.id).toBe((flow.from.args.req as number) + 1);
      const firstToken = flow.from.ts + flow.from.dur;
      const producer = steps.find((s) => s.ts + s.dur >= firstToken);
      expect(producer).toBeDefined();
      expect(flow.to).toBe(producer);
      expect(flow.to.ts).toBeLessThanOrEqual(firstToken);
    }
    const withoutFlow = trace.slices.filter((s) => s.name.endsWith(' prefill') && !trace.flows.some((f) => f.from === s));
    for (const prefill of withoutFlow) {
      const t = prefill.ts + prefill.dur;
      expect(steps.some((s) => s.ts <= t && t <= s.ts + s.dur)).toBe(false);
    }
  });

  it("draws the engine's journey stages per OTLP request from its own timestamps", () => {
    const otlp = generated.capture.otlp;
    expect(otlp?.requests.length).toBeGreaterThan(0);
    const journey = trace.slices.filter((s) => s.category === 'journey');
    const byId = new Map<string, DecodedSlice[]>();
    for (const slice of journey) {
      const id = slice.args.request_id as string;
      if (!byId.has(id)) byId.set(id, []);
      byId.get(id)?.push(slice);
    }
    for (const request of otlp?.requests ?? []) {
      const core = request.events.filter((e) => e.layer === 'core');
      const at = (type: string) => core.find((e) => e.type === type)?.tsMs as number;
      const stages = (byId.get(request.requestId ?? request.traceId) ?? []).sort((a, b) => a.ts - b.ts || a.dur - b.dur);
      const expected = [
        ['queue', at('QUEUED'), at('SCHEDULED')],
        ['prefill', at('SCHEDULED'), at('FIRST_TOKEN')],
        ['decode', at('FIRST_TOKEN'), at('FINISHED')],
      ];
      if (core.some((e) => e.type === 'PREEMPTED')) {
        expect(stages.map((s) => s.name)).toContain('preempted');
        continue;
      }
      expect(stages.map((s) => [s.name, s.ts, s.ts + s.dur])).toEqual(expected.map(([name, from, to]) => [name, ns(from as number), ns(to as number)]));
    }
  });

  it('carries identical slices and counter samples in the Chrome JSON form', async () => {
    const json = await writeJson(generated.capture, dir);
    expect(json.trace.problems).toEqual([]);
    const key = (s: DecodedSlice) => `${s.group}|${s.track}|${s.name}|${s.ts}|${s.dur}`;
    expect(json.trace.slices.map(key).sort()).toEqual(trace.slices.map(key).sort());
    const counterKey = (c: { group: string; track: string; ts: number; value: number }) => `${c.group}|${c.track}|${c.ts}|${c.value}`;
    expect(json.trace.counters.map(counterKey).sort()).toEqual(trace.counters.map(counterKey).sort());
    expect(json.summary).toMatchObject({ slices: proto.summary.slices, counterSamples: proto.summary.counterSamples, requestsPlaced: proto.summary.requestsPlaced });
    // Args travel too (token_ids, labels, doubles).
    const argsOf = (slices: DecodedSlice[]) => new Map(slices.map((s) => [key(s), JSON.stringify(s.args)]));
    const protoArgs = argsOf(trace.slices);
    for (const [k, args] of argsOf(json.trace.slices)) expect(JSON.parse(args)).toEqual(JSON.parse(protoArgs.get(k) as string));
  });

  it('keeps the two forms identical with one track per request', async () => {
    const perRequest = await writeProto(generated.capture, dir, { trackPerRequest: true });
    const json = await writeJson(generated.capture, dir, { trackPerRequest: true });
    expect(perRequest.trace.problems).toEqual([]);
    const key = (s: DecodedSlice) => `${s.group}|${s.track}|${s.name}|${s.ts}|${s.dur}`;
    expect(json.trace.slices.map(key).sort()).toEqual(perRequest.trace.slices.map(key).sort());
    expect(perRequest.summary.lanes).toBe(raw.length);
  });

  it('is smaller than the JSON form', async () => {
    const json = await writeJson(generated.capture, dir);
    expect(proto.summary.bytes).toBeLessThan(json.summary.bytes * 0.3);
  });
});
