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
import type { CaptureView, RequestRows } from '../../capture/model.js';
import { FINISH_REASONS } from '../../capture/records.js';
import { argName, EventArgs } from '../args.js';
import { msToNs } from '../clock.js';
import { CounterSamples, NO_FLOWS, type TraceEventSink } from '../sink.js';
import type { TrackLayout } from '../tracks.js';
import { sliceEventClass, type EntityEvents } from './entityStream.js';
import { flowIdOf, NO_STEP } from './firstTokenFlows.js';

/** Arg names of these events. */
const ARG = {
  cached_tokens: argName('cached_tokens'),
  decode_ms: argName('decode_ms'),
  finish_reason: argName('finish_reason'),
  first_chunk_tokens: argName('first_chunk_tokens'),
  gap_ms: argName('gap_ms'),
  gaps: argName('gaps'),
  mean_itl_ms: argName('mean_itl_ms'),
  num_running: argName('num_running'),
  output_tokens: argName('output_tokens'),
  prefill_tokens: argName('prefill_tokens'),
  prompt_tokens: argName('prompt_tokens'),
  req: argName('req'),
  token_ids: argName('token_ids'),
  tokens: argName('tokens'),
  ttft_ms: argName('ttft_ms'),
};

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

export function requestTimesNs(capture: CaptureView, shiftNs: number): RequestTimes {
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

/**
 * A request's events read its rows (gap times, token ids) only while it is
 * under way: they are loaded when the merge first reaches it and dropped after
 * its last event, so a capture whose rows live on disk streams through with
 * only the concurrently open requests' rows in memory.
 */
/** A request under way: its rows, and the times of all its events (computed once, when it enters). */
interface OpenRequest {
  rows: RequestRows;
  eventNs: Float64Array;
}

export class RequestEvents implements EntityEvents {
  readonly entityCount: number;
  /** Entity → request row (rows with an arrival, in arrival order). */
  private readonly requestOf: Int32Array;
  /** The entities under way. */
  private readonly open: (OpenRequest | undefined)[];
  /** Next token id to show, per entity (advances chunk by chunk). */
  private readonly tokenCursor: Int32Array;
  private readonly args = new EventArgs();
  private readonly samples = new CounterSamples();
  private readonly decodeNames: string[] = [];

  constructor(
    private readonly capture: CaptureView,
    private readonly layout: TrackLayout,
    private readonly times: RequestTimes,
    private readonly shiftNs: number,
    /** Producing step per row (NO_STEP = no flow). */
    private readonly producingStep: Int32Array,
  ) {
    const placed: number[] = [];
    for (let r = 0; r < capture.requests.count; r++) if (!Number.isNaN(times.arrivalNs[r])) placed.push(r);
    this.requestOf = Int32Array.from(placed);
    this.entityCount = placed.length;
    this.open = new Array<OpenRequest | undefined>(placed.length).fill(undefined);
    this.tokenCursor = new Int32Array(placed.length);
  }

  enter(entity: number): void {
    const row = this.requestOf[entity];
    const rows = this.capture.rows.rows(row);
    const t = this.times;
    const eventNs = new Float64Array(this.eventCount(entity));
    eventNs[0] = t.arrivalNs[row];
    eventNs[1] = t.firstTokenNs[row];
    const end = t.endNs[row];
    if (rows.gapCount === 0) {
      // The summary slice, when there is one: first token → end.
      if (eventNs.length === 4) {
        eventNs[2] = t.firstTokenNs[row];
        eventNs[3] = end;
      }
    } else {
      // Gap k spans boundary k → k + 1: its begin is event 2 + 2k, its end event 3 + 2k; the last boundary is the request's end.
      for (let k = 0; k < rows.gapCount; k++) {
        const boundary = Math.min(this.shiftNs + msToNs(rows.gapStartMs[k]), end);
        eventNs[2 + 2 * k] = boundary;
        if (k > 0) eventNs[1 + 2 * k] = boundary;
      }
      eventNs[1 + 2 * rows.gapCount] = end;
    }
    this.open[entity] = { rows, eventNs };
  }

  leave(entity: number): void {
    this.open[entity] = undefined;
  }

  private opened(entity: number): OpenRequest {
    const open = this.open[entity];
    if (!open) throw new Error(`request entity ${entity} read before it entered the merge`);
    return open;
  }

  /** Slices after the prefill: one per recorded gap, or one summary slice. */
  private decodeSlices(row: number): number {
    const requests = this.capture.requests;
    if (requests.gapCount[row] > 0) return requests.gapCount[row];
    return requests.summaryGapCount[row] > 0 ? 1 : 0;
  }

  eventCount(entity: number): number {
    return 2 + 2 * this.decodeSlices(this.requestOf[entity]);
  }

  timeNs(entity: number, index: number): number {
    // The first event is asked for before the request enters.
    if (index === 0) return this.times.arrivalNs[this.requestOf[entity]];
    return this.opened(entity).eventNs[index];
  }

  eventClass(_entity: number, index: number): number {
    return sliceEventClass(index);
  }

  emit(entity: number, index: number, ts: number, sink: TraceEventSink): void {
    const row = this.requestOf[entity];
    const track = this.layout.requestTrack[row];
    if (index === 0) return this.beginPrefill(entity, row, track, ts, sink);
    if (index === 1) {
      const flow = this.producingStep[row] === NO_STEP ? 0 : flowIdOf(row);
      return sink.endSlice(track, ts, null, flow, NO_FLOWS);
    }
    const rows = this.opened(entity).rows;
    if (rows.gapCount === 0) {
      if (index & 1) return sink.endSlice(track, ts, null, 0, NO_FLOWS);
      return this.beginSummary(entity, row, rows, track, ts, sink);
    }
    const gap = (index - 2) >> 1;
    if (index & 1) return sink.endSlice(track, ts, this.gapCounters(rows, gap), 0, NO_FLOWS);
    this.beginDecode(entity, row, rows, gap, track, ts, sink);
  }

  /** Adds `token_ids` for the next `tokens` ids of the request, when it recorded them. */
  private addTokenIds(args: EventArgs, entity: number, row: number, rows: RequestRows, tokens: number): void {
    const outputTokens = this.capture.requests.outputTokens[row];
    if (outputTokens <= 0 || rows.tokenIds.length !== outputTokens || tokens <= 0) return;
    const from = this.tokenCursor[entity];
    this.tokenCursor[entity] = from + tokens;
    args.intList(ARG.token_ids, rows.tokenIds, from, from + tokens);
  }

  private beginPrefill(entity: number, row: number, track: number, ts: number, sink: TraceEventSink): void {
    const r = this.capture.requests;
    this.tokenCursor[entity] = 0;
    const args = this.args.clear().int(ARG.req, row);
    args.int(ARG.prompt_tokens, r.promptTokens[row]).int(ARG.cached_tokens, r.cachedTokens[row]).int(ARG.output_tokens, r.outputTokens[row]);
    args.double(ARG.ttft_ms, r.ttftMs[row]).int(ARG.first_chunk_tokens, r.firstChunkTokens[row]);
    if (r.finishReason[row] > 0) args.label(ARG.finish_reason, FINISH_REASONS[r.finishReason[row] - 1]);
    this.addTokenIds(args, entity, row, this.opened(entity).rows, r.firstChunkTokens[row]);
    sink.beginSlice(track, ts, 'request', prefillSliceName(row), false, args);
  }

  private beginDecode(entity: number, row: number, rows: RequestRows, gap: number, track: number, ts: number, sink: TraceEventSink): void {
    const tokens = rows.gapTokens[gap];
    const args = this.args.clear().int(ARG.req, row).double(ARG.gap_ms, rows.gapDurMs[gap]).int(ARG.tokens, tokens);
    if (rows.gapNumRunning[gap] >= 0) args.int(ARG.num_running, rows.gapNumRunning[gap]);
    if (rows.gapPrefillTokens[gap] >= 0) args.int(ARG.prefill_tokens, rows.gapPrefillTokens[gap]);
    this.addTokenIds(args, entity, row, rows, tokens);
    sink.beginSlice(track, ts, 'request', this.decodeName(tokens), true, args);
  }

  private beginSummary(entity: number, row: number, rows: RequestRows, track: number, ts: number, sink: TraceEventSink): void {
    const r = this.capture.requests;
    const tokens = r.outputTokens[row] - r.firstChunkTokens[row];
    const args = this.args.clear().int(ARG.req, row).int(ARG.tokens, tokens).int(ARG.gaps, r.summaryGapCount[row]);
    args.double(ARG.mean_itl_ms, r.meanItlMs[row]).double(ARG.decode_ms, r.decodeMs[row]);
    this.addTokenIds(args, entity, row, rows, tokens);
    sink.beginSlice(track, ts, 'request', SUMMARY_DECODE_NAME, true, args);
  }

  private decodeName(tokens: number): string {
    return (this.decodeNames[tokens] ??= decodeSliceName(tokens));
  }

  private gapCounters(rows: RequestRows, gap: number): CounterSamples | null {
    const c = this.layout.counters;
    const samples = this.samples.clear();
    if (c.engineRunning >= 0 && rows.gapNumRunning[gap] >= 0) samples.add(c.engineRunning, rows.gapNumRunning[gap]);
    if (c.prefillTokens >= 0 && rows.gapPrefillTokens[gap] >= 0) samples.add(c.prefillTokens, rows.gapPrefillTokens[gap]);
    return samples.length > 0 ? samples : null;
  }
}
