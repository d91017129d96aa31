/**
 * Writes `trace.jsonl` (formats.md §1): the meta line, then one line per
 * request in finish order (ties: admission order), written as it finishes.
 *
 * Times: arrival_ms is journey.QUEUED (the recording tap sits between the
 * API frontend and the engine), ttft_ms = first token − arrival_ms, and
 * each itl_ms entry is the distance between consecutive chunk deliveries.
 * All are whole µs divided by 1000, so they print with at most 3 decimals
 * and arrival + ttft + Σ itl meets the last token time up to floating-point
 * rounding (far below 1 µs).
 *
 * This is the generator's hottest writer (several numbers per gap), so it
 * appends bytes to the sink directly instead of building strings.
 */
import type { GenConfig } from './config.js';
import type { FinishedRequest } from './events.js';
import { ascii } from './byteText.js';
import type { LineSink } from './lineSink.js';
import { traceMetaLine } from './meta.js';

/** The line's fixed text between values, in key order. */
const PROMPT_TOKENS = ascii('{"prompt_tokens":');
const CACHED_TOKENS = ascii(',"cached_tokens":');
const OUTPUT_TOKENS = ascii(',"output_tokens":');
const TTFT_MS = ascii(',"ttft_ms":');
const ITL_MS = ascii(',"itl_ms":[');
const ITL_TOKENS = ascii('],"itl_tokens":[');
const CONCURRENCY = ascii('],"concurrency":');
const ARRIVAL_MS = ascii(',"arrival_ms":');
const NUM_RUNNING = ascii(',"itl_ctx":{"num_running":[');
const PREFILL_TOKENS = ascii('],"prefill_tokens":[');
const BLOCK_HASHES = ascii(']},"block_hashes":[');
const OUTPUT_TOKEN_IDS = ascii('],"output_token_ids":[');
const FINISH_REASON = ascii('],"finish_reason":"');
const END = ascii('"}');

export class EngineTraceWriter {
  constructor(
    private readonly sink: LineSink,
    private readonly config: GenConfig,
  ) {}

  start(): Promise<void> | undefined {
    return this.sink.add(traceMetaLine(this.config));
  }

  onFinished(r: FinishedRequest): Promise<void> | undefined {
    const s = this.sink;
    const chunkEndUs = r.chunkEndUs;
    s.bytes(PROMPT_TOKENS);
    s.int(r.promptTokens);
    s.bytes(CACHED_TOKENS);
    s.int(r.cachedTokens);
    s.bytes(OUTPUT_TOKENS);
    s.int(r.outputIds.length);
    s.bytes(TTFT_MS);
    s.ms(chunkEndUs[0] - r.queuedUs);
    s.bytes(ITL_MS);
    for (let i = 1; i < chunkEndUs.length; i++) {
      if (i > 1) s.comma();
      s.ms(chunkEndUs[i] - chunkEndUs[i - 1]);
    }
    if (this.config.specK > 0) {
      s.bytes(ITL_TOKENS);
      s.ints(r.chunkTokens, 1);
    }
    s.bytes(CONCURRENCY);
    s.int(r.concurrency);
    s.bytes(ARRIVAL_MS);
    s.ms(r.queuedUs);
    s.bytes(NUM_RUNNING);
    s.ints(r.chunkBatchSize, 1);
    s.bytes(PREFILL_TOKENS);
    s.ints(r.chunkPrefillTokens, 1);
    s.bytes(BLOCK_HASHES);
    // Decimal digits, not floats: the values exceed 2^53 and must survive exactly.
    const promptBlocks = Math.floor(r.promptTokens / this.config.blockSize);
    for (let b = 0; b < promptBlocks; b++) {
      if (b > 0) s.comma();
      s.uint64(r.hashes.hi[b], r.hashes.lo[b]);
    }
    s.bytes(OUTPUT_TOKEN_IDS);
    s.ints(r.outputIds);
    s.bytes(FINISH_REASON);
    s.text(r.finishReason);
    s.bytes(END);
    return s.endLine();
  }
}
