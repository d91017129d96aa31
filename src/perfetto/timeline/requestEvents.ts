/**
 * Slices of one request on its track (a lane, or its own track):
 *
 *   `reqI prefill`  arrival → first token (args: req, prompt/cached/output
 *                   tokens, ttft_ms, first_chunk_tokens, finish_reason, and
 *                   the first chunk's token_ids); its end starts the
 *                   first-token flow when a step produced that token;
 *   `decode` / `decode xN`  one per recorded gap, previous token → the chunk
 *                   of N tokens closing the gap (args: req, gap_ms, tokens,
 *                   num_running, prefill_tokens, token_ids); its end samples
 *                   the engine_running and prefill_tokens counters;
 *   `decode (itl_summary)`  for a request whose gaps were summarised
 *                   (itl_summary, no per-gap array): one slice first token →
 *                   end (args: req, tokens, gaps, mean_itl_ms, decode_ms), so
 *                   the lane shows the request's full span without inventing
 *                   per-gap times.
 *
 * Times: gap boundaries are the model's cumulative gap starts, rounded to ns;
 * the last slice ends at the request's end (arrival + ttft + decode), and no
 * boundary is later than that end. Lane packing freed the lane at exactly
 * that end, so slices on a lane never overlap even where summing the gaps one
 * by one rounds differently from the end's own sum.
 */
import type { Capture } from '../../capture/model.js';
import { FINISH_REASONS } from '../../capture/records.js';
import { EventArgs } from '../args.js';
import { msToNs } from '../clock.js';
import { CounterSamples, NO_FLOWS, type TraceEventSink } from '../sink.js';
import type { TrackLayout } from '../tracks.js';
import { sliceEventClass, type EntityEvents } from './entityStream.js';
import { flowIdOf, NO_STEP } from './firstTokenFlows.js';

export const SUMMARY_DECODE_NAME = 'decode (itl_summary)';

/** `decode` for one token, `decode xN` for a chunk of N (speculative decoding). */
export function decodeSliceName(tokens: number): string {
  return tokens === 1 ? 'decode' : `decode x${tokens}`;
}

export function prefillSliceName(request: number): string {
  return `req${request} prefill`;
}

/** Arrival, first-token and end times (ns on the trace clock) of every request row; NaN for rows off the timeline. */
export interface RequestTimes {
  arrivalNs: Float64Array;
  firstTokenNs: Float64Array;
  endNs: Float64Array;
}

export function requestTimesNs(capture: Capture, shiftNs: number): RequestTimes {
  const { arrivalMs, ttftMs, endMs, count } = capture.requests;
  const arrivalNs = new Float64Array(count).fill(NaN);
  const firstTokenNs = new Float64Array(count).fill(NaN);
  const endNs = new Float64Array(count).fill(NaN);
  for (let r = 0; r < count; r++) {
    if (Number.isNaN(arrivalMs[r])) continue;
    arrivalNs[r] = shiftNs + msToNs(arrivalMs[r]);
    // Same float sum as the model's first gap start, so the prefill end meets the first decode slice exactly.
    firstTokenNs[r] = shiftNs + msToNs(arrivalMs[r] + ttftMs[r]);
    endNs[r] = shiftNs + msToNs(endMs[r]);
  }
  return { arrivalNs, firstTokenNs, endNs };
}

export class RequestEvents implements EntityEvents {
  readonly entityCount: number;
  /** Entity → request row (rows with an arrival, in arrival order). */
  private readonly rows: Int32Array;
  /** Next token id to show, per entity (advances chunk by chunk). */
  private readonly tokenCursor: Int32Array;
  private readonly args = new EventArgs();
  private readonly samples = new CounterSamples();
  private readonly decodeNames: string[] = [];

  constructor(
    private readonly capture: Capture,
    private readonly layout: TrackLayout,
    private readonly times: RequestTimes,
    private readonly shiftNs: number,
    /** Producing step per row (NO_STEP = no flow). */
    private readonly producingStep: Int32Array,
  ) {
    const placed: number[] = [];
    for (let r = 0; r < capture.requests.count; r++) if (!Number.isNaN(times.arrivalNs[r])) placed.push(r);
    this.rows = Int32Array.from(placed);
    this.entityCount = placed.length;
    this.tokenCursor = new Int32Array(placed.length);
  }

  /** Slices after the prefill: one per recorded gap, or one summary slice. */
  private decodeSlices(row: number): number {
    const requests = this.capture.requests;
    if (requests.gapCount[row] > 0) return requests.gapCount[row];
    return requests.summaryGapCount[row] > 0 ? 1 : 0;
  }

  eventCount(entity: number): number {
    return 2 + 2 * this.decodeSlices(this.rows[entity]);
  }

  timeNs(entity: number, index: number): number {
    const row = this.rows[entity];
    const t = this.times;
    if (index === 0) return t.arrivalNs[row];
    if (index === 1) return t.firstTokenNs[row];
    const requests = this.capture.requests;
    const gapCount = requests.gapCount[row];
    if (gapCount === 0) return index === 2 ? t.firstTokenNs[row] : t.endNs[row];
    // Gap k = (index - 2) >> 1 spans boundary k → boundary k + 1; boundary gapCount is the request's end.
    const boundary = (index - 2 + (index & 1)) >> 1;
    if (boundary === gapCount) return t.endNs[row];
    return Math.min(this.shiftNs + msToNs(this.capture.gaps.startMs[requests.gapOffset[row] + boundary]), t.endNs[row]);
  }

  eventClass(_entity: number, index: number): number {
    return sliceEventClass(index);
  }

  emit(entity: number, index: number, ts: number, sink: TraceEventSink): void {
    const row = this.rows[entity];
    const track = this.layout.requestTrack[row];
    if (index === 0) return this.beginPrefill(entity, row, track, ts, sink);
    if (index === 1) {
      const flow = this.producingStep[row] === NO_STEP ? 0 : flowIdOf(row);
      return sink.endSlice(track, ts, null, flow, NO_FLOWS);
    }
    const requests = this.capture.requests;
    if (requests.gapCount[row] === 0) {
      if (index & 1) return sink.endSlice(track, ts, null, 0, NO_FLOWS);
      return this.beginSummary(entity, row, track, ts, sink);
    }
    const gap = requests.gapOffset[row] + ((index - 2) >> 1);
    if (index & 1) return sink.endSlice(track, ts, this.gapCounters(gap), 0, NO_FLOWS);
    this.beginDecode(entity, row, gap, track, ts, sink);
  }

  private hasTokenIds(row: number): boolean {
    const { tokenIdOffsets, outputTokens } = this.capture.requests;
    return outputTokens[row] > 0 && tokenIdOffsets[row + 1] - tokenIdOffsets[row] === outputTokens[row];
  }

  /** Adds `token_ids` for the next `tokens` ids of the request, when it recorded them. */
  private addTokenIds(args: EventArgs, entity: number, row: number, tokens: number): void {
    if (!this.hasTokenIds(row) || tokens <= 0) return;
    const from = this.tokenCursor[entity];
    this.tokenCursor[entity] = from + tokens;
    args.intList('token_ids', this.capture.requests.tokenIds, from, from + tokens);
  }

  private beginPrefill(entity: number, row: number, track: number, ts: number, sink: TraceEventSink): void {
    const r = this.capture.requests;
    this.tokenCursor[entity] = r.tokenIdOffsets[row];
    const args = this.args.clear().int('req', row);
    args.int('prompt_tokens', r.promptTokens[row]).int('cached_tokens', r.cachedTokens[row]).int('output_tokens', r.outputTokens[row]);
    args.double('ttft_ms', r.ttftMs[row]).int('first_chunk_tokens', r.firstChunkTokens[row]);
    if (r.finishReason[row] > 0) args.label('finish_reason', FINISH_REASONS[r.finishReason[row] - 1]);
    this.addTokenIds(args, entity, row, r.firstChunkTokens[row]);
    sink.beginSlice(track, ts, 'request', prefillSliceName(row), false, args);
  }

  private beginDecode(entity: number, row: number, gap: number, track: number, ts: number, sink: TraceEventSink): void {
    const g = this.capture.gaps;
    const tokens = g.tokens[gap];
    const args = this.args.clear().int('req', row).double('gap_ms', g.durMs[gap]).int('tokens', tokens);
    if (g.numRunning[gap] >= 0) args.int('num_running', g.numRunning[gap]);
    if (g.prefillTokens[gap] >= 0) args.int('prefill_tokens', g.prefillTokens[gap]);
    this.addTokenIds(args, entity, row, tokens);
    sink.beginSlice(track, ts, 'request', this.decodeName(tokens), true, args);
  }

  private beginSummary(entity: number, row: number, track: number, ts: number, sink: TraceEventSink): void {
    const r = this.capture.requests;
    const tokens = r.outputTokens[row] - r.firstChunkTokens[row];
    const args = this.args.clear().int('req', row).int('tokens', tokens).int('gaps', r.summaryGapCount[row]);
    args.double('mean_itl_ms', r.meanItlMs[row]).double('decode_ms', r.decodeMs[row]);
    this.addTokenIds(args, entity, row, tokens);
    sink.beginSlice(track, ts, 'request', SUMMARY_DECODE_NAME, true, args);
  }

  private decodeName(tokens: number): string {
    return (this.decodeNames[tokens] ??= decodeSliceName(tokens));
  }

  private gapCounters(gap: number): CounterSamples | null {
    const g = this.capture.gaps;
    const c = this.layout.counters;
    const samples = this.samples.clear();
    if (c.engineRunning >= 0 && g.numRunning[gap] >= 0) samples.add(c.engineRunning, g.numRunning[gap]);
    if (c.prefillTokens >= 0 && g.prefillTokens[gap] >= 0) samples.add(c.prefillTokens, g.prefillTokens[gap]);
    return samples.length > 0 ? samples : null;
  }
}
