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
import type { CaptureView, RequestColumns, RequestRowSource, RequestRows } from '../../capture/model.js';
import { FINISH_REASONS } from '../../capture/records.js';
import { argName, EventArgs } from '../args.js';
import { msToNs } from '../clock.js';
import { DecodeGap } from '../decodeGap.js';
import { NO_FLOWS, type TraceEventSink } from '../sink.js';
import type { TrackLayout } from '../tracks.js';
import { flowIdOf, NO_STEP } from './firstTokenFlows.js';

/** Arg names of these events. */
const ARG = {
  cached_tokens: argName('cached_tokens'),
  decode_ms: argName('decode_ms'),
  finish_reason: argName('finish_reason'),
  first_chunk_tokens: argName('first_chunk_tokens'),
  gaps: argName('gaps'),
  mean_itl_ms: argName('mean_itl_ms'),
  output_tokens: argName('output_tokens'),
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
 * A request's events, written request by request in arrival order: its rows
 * (gap times, token ids) are read when its turn comes and dropped after its
 * last slice, so a capture whose rows live on disk streams through with one
 * request's rows in memory. A request's own events are in time order, and so
 * are a lane's (its requests never overlap), which is all the proto form's
 * per-lane packet sequences need; nothing merges requests with each other.
 */
/** What request slices are made of: the request columns they read, and each request's rows. */
export interface RequestSource {
  requests: Pick<
    RequestColumns,
    | 'count'
    | 'gapCount'
    | 'summaryGapCount'
    | 'outputTokens'
    | 'promptTokens'
    | 'cachedTokens'
    | 'ttftMs'
    | 'firstChunkTokens'
    | 'finishReason'
    | 'meanItlMs'
    | 'decodeMs'
  >;
  rows: RequestRowSource;
}

export class RequestEvents {
  readonly entityCount: number;
  /** Entity → request row (rows with an arrival, in arrival order). */
  private readonly requestOf: Int32Array;
  /** Next token id to show of the request being written (advances chunk by chunk). */
  private tokenCursor = 0;
  private readonly args = new EventArgs();
  private readonly decodeNames: string[] = [];
  /** The one record every decode slice travels in. */
  private readonly gap = new DecodeGap();

  constructor(
    private readonly capture: RequestSource,
    private readonly layout: Pick<TrackLayout, 'requestTrack' | 'counters'>,
    private readonly times: RequestTimes,
    private readonly shiftNs: number,
    /** Producing step per row (NO_STEP = no flow). */
    private readonly producingStep: Int32Array,
  ) {
    const placed: number[] = [];
    for (let r = 0; r < capture.requests.count; r++) if (!Number.isNaN(times.arrivalNs[r])) placed.push(r);
    this.requestOf = Int32Array.from(placed);
    this.entityCount = placed.length;
    this.gap.engineRunningTrack = layout.counters.engineRunning;
    this.gap.prefillTokensTrack = layout.counters.prefillTokens;
  }

  /** Slices after the prefill: one per recorded gap, or one summary slice. */
  private decodeSlices(row: number): number {
    const requests = this.capture.requests;
    if (requests.gapCount[row] > 0) return requests.gapCount[row];
    return requests.summaryGapCount[row] > 0 ? 1 : 0;
  }

  /** The request row of `entity`. */
  rowOf(entity: number): number {
    return this.requestOf[entity];
  }

  /** Slice begins and ends of request `entity`: what `emit` writes. */
  eventsOf(entity: number): number {
    return 2 + 2 * this.decodeSlices(this.requestOf[entity]);
  }

  /** Slice begins and ends of every request. */
  get eventCount(): number {
    let count = 0;
    for (let entity = 0; entity < this.entityCount; entity++) count += this.eventsOf(entity);
    return count;
  }

  /** Writes every slice of request `entity`; returns the number of events written. */
  emit(entity: number, sink: TraceEventSink): number {
    const row = this.requestOf[entity];
    const rows = this.capture.rows.rows(row);
    const track = this.layout.requestTrack[row];
    const t = this.times;
    const end = t.endNs[row];
    this.tokenCursor = 0;
    this.beginPrefill(row, rows, track, t.arrivalNs[row], sink);
    sink.endSlice(track, t.firstTokenNs[row], null, this.producingStep[row] === NO_STEP ? 0 : flowIdOf(row), NO_FLOWS);
    const gaps = rows.gapCount;
    if (gaps === 0) {
      // The summary slice, when there is one: first token → end.
      if (this.decodeSlices(row) === 0) return 2;
      this.beginSummary(row, rows, track, t.firstTokenNs[row], sink);
      sink.endSlice(track, end, null, 0, NO_FLOWS);
      return 4;
    }
    // Gap k spans boundary k → boundary k + 1; the last boundary is the request's end.
    let boundary = Math.min(this.shiftNs + msToNs(rows.gapStartMs[0]), end);
    const gap = this.gap;
    gap.track = track;
    gap.req = row;
    const withTokenIds = this.hasTokenIds(row, rows);
    if (!withTokenIds) gap.tokenTo = gap.tokenFrom = 0;
    for (let k = 0; k < gaps; k++) {
      const tokens = rows.gapTokens[k];
      gap.beginNs = boundary;
      boundary = k + 1 < gaps ? Math.min(this.shiftNs + msToNs(rows.gapStartMs[k + 1]), end) : end;
      gap.endNs = boundary;
      gap.name = this.decodeName(tokens);
      gap.gapMs = rows.gapDurMs[k];
      gap.tokens = tokens;
      gap.numRunning = rows.gapNumRunning[k];
      gap.prefillTokens = rows.gapPrefillTokens[k];
      if (withTokenIds) {
        gap.tokenIds = rows.tokenIds;
        gap.tokenFrom = this.tokenCursor;
        gap.tokenTo = this.tokenCursor += tokens;
      }
      sink.decodeGap(gap);
    }
    return 2 + 2 * gaps;
  }

  /** True when the request recorded one token id per output token. */
  private hasTokenIds(row: number, rows: RequestRows): boolean {
    const outputTokens = this.capture.requests.outputTokens[row];
    return outputTokens > 0 && rows.tokenIds.length === outputTokens;
  }

  /** Adds `token_ids` for the next `tokens` ids of the request, when it recorded them. */
  private addTokenIds(args: EventArgs, row: number, rows: RequestRows, tokens: number): void {
    if (!this.hasTokenIds(row, rows) || tokens <= 0) return;
    const from = this.tokenCursor;
    this.tokenCursor = from + tokens;
    args.intList(ARG.token_ids, rows.tokenIds, from, from + tokens);
  }

  private beginPrefill(row: number, rows: RequestRows, track: number, ts: number, sink: TraceEventSink): void {
    const r = this.capture.requests;
    const args = this.args.clear().int(ARG.req, row);
    args.int(ARG.prompt_tokens, r.promptTokens[row]).int(ARG.cached_tokens, r.cachedTokens[row]).int(ARG.output_tokens, r.outputTokens[row]);
    args.double(ARG.ttft_ms, r.ttftMs[row]).int(ARG.first_chunk_tokens, r.firstChunkTokens[row]);
    if (r.finishReason[row] > 0) args.label(ARG.finish_reason, FINISH_REASONS[r.finishReason[row] - 1]);
    this.addTokenIds(args, row, rows, r.firstChunkTokens[row]);
    sink.beginSlice(track, ts, 'request', prefillSliceName(row), false, args);
  }

  private beginSummary(row: number, rows: RequestRows, track: number, ts: number, sink: TraceEventSink): void {
    const r = this.capture.requests;
    const tokens = r.outputTokens[row] - r.firstChunkTokens[row];
    const args = this.args.clear().int(ARG.req, row).int(ARG.tokens, tokens).int(ARG.gaps, r.summaryGapCount[row]);
    args.double(ARG.mean_itl_ms, r.meanItlMs[row]).double(ARG.decode_ms, r.decodeMs[row]);
    this.addTokenIds(args, row, rows, tokens);
    sink.beginSlice(track, ts, 'request', SUMMARY_DECODE_NAME, true, args);
  }

  private decodeName(tokens: number): string {
    return (this.decodeNames[tokens] ??= decodeSliceName(tokens));
  }
}
