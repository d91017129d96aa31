/**
 * One decode slice — a recorded inter-token gap — with everything its two
 * events carry: the slice, its args and the per-gap counter samples at its
 * end. Gaps are nearly all of a trace's events, so they travel to the sink
 * in this one reusable record: a sink may encode it directly (the proto
 * form does), and the generic path (`fillArgs` / `fillCounters`, used by
 * TraceEventSink.decodeGap) defines what that encoding must equal.
 */
import { argName, EventArgs } from './args.js';
import { CounterSamples } from './sink.js';

/** The args of a decode slice, in the order they are written. */
export const DECODE_ARG = {
  req: argName('req'),
  gap_ms: argName('gap_ms'),
  tokens: argName('tokens'),
  num_running: argName('num_running'),
  prefill_tokens: argName('prefill_tokens'),
  token_ids: argName('token_ids'),
};

const NO_INTS = new Int32Array(0);

export class DecodeGap {
  track = 0;
  /** Integer ns on the trace clock. */
  beginNs = 0;
  endNs = 0;
  /** `decode` or `decode xN`. */
  name = '';
  req = 0;
  gapMs = 0;
  tokens = 0;
  /** itl_ctx values; -1 when not recorded (the arg and the counter sample are then left out). */
  numRunning = -1;
  prefillTokens = -1;
  /** The chunk's token ids: tokenIds[tokenFrom, tokenTo); an empty range leaves the arg out. */
  tokenIds: Int32Array = NO_INTS;
  tokenFrom = 0;
  tokenTo = 0;
  /** Counter tracks sampled at the slice's end; -1 when the trace has none. */
  engineRunningTrack = -1;
  prefillTokensTrack = -1;

  fillArgs(args: EventArgs): EventArgs {
    args.clear().int(DECODE_ARG.req, this.req).double(DECODE_ARG.gap_ms, this.gapMs).int(DECODE_ARG.tokens, this.tokens);
    if (this.numRunning >= 0) args.int(DECODE_ARG.num_running, this.numRunning);
    if (this.prefillTokens >= 0) args.int(DECODE_ARG.prefill_tokens, this.prefillTokens);
    if (this.tokenTo > this.tokenFrom) args.intList(DECODE_ARG.token_ids, this.tokenIds, this.tokenFrom, this.tokenTo);
    return args;
  }

  /** The samples at the slice's end, or null when there are none. */
  fillCounters(samples: CounterSamples): CounterSamples | null {
    samples.clear();
    if (this.engineRunningTrack >= 0 && this.numRunning >= 0) samples.add(this.engineRunningTrack, this.numRunning);
    if (this.prefillTokensTrack >= 0 && this.prefillTokens >= 0) samples.add(this.prefillTokensTrack, this.prefillTokens);
    return samples.length > 0 ? samples : null;
  }
}
