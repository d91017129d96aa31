/**
 * Step tracing spans (formats.md §3): `scheduler_steps_<seq>` in scope
 * `vllm.scheduler.step`, one per `closure_interval` steps, with a
 * step.BATCH_SUMMARY per sampled step and step.REQUEST_SNAPSHOTs (one per
 * running request) for a subsample. Events are encoded as bytes as they
 * come (they are most of the OTLP file); closing the span applies the SDK's
 * 128-event limit by keeping the newest.
 */
import { ByteText, ascii } from './byteText.js';
import type { GenConfig } from './config.js';
import { PHASE_DECODE, type StepEvent } from './events.js';
import type { IdFactory } from './ids.js';
import {
  EPOCH_BASE_US,
  MAX_EVENTS_PER_SPAN,
  SPAN_KIND_INTERNAL,
  doubleAttr,
  encodeSpan,
  epochNs,
  intAttr,
  spanEvent,
  stringAttr,
  type Piece,
} from './otlpJson.js';

/** BATCH_SUMMARY attribute keys in order (`step.id` first: it carries no leading comma), pre-encoded up to the value. */
const SUMMARY_KEYS = [
  'step.id',
  'step.ts_start_ns',
  'step.ts_end_ns',
  'step.duration_us',
  'queue.running_depth',
  'queue.waiting_depth',
  'batch.num_prefill_reqs',
  'batch.num_decode_reqs',
  'batch.scheduled_tokens',
  'batch.prefill_tokens',
  'batch.decode_tokens',
  'batch.num_finished',
  'batch.num_preempted',
  'kv.blocks_total_gpu',
  'kv.blocks_free_gpu',
] as const;
type SummaryKey = (typeof SUMMARY_KEYS)[number];
const SUMMARY_PREFIX = Object.fromEntries(
  SUMMARY_KEYS.map((key, i) => [key, ascii(`${i === 0 ? '' : ','}{"key":"${key}","value":{"intValue":"`)]),
) as Record<SummaryKey, Uint8Array>;
const INT_END = ascii('"}}');
const NS_FROM_US = ascii('000');
const SUMMARY_START = ascii('{"timeUnixNano":"');
const SUMMARY_NAME = ascii('","name":"step.BATCH_SUMMARY","attributes":[');
const SUMMARY_END = ascii(']}');

/** The step span being filled. */
export class StepSpanBuilder {
  private open = false;
  private sequence = 0;
  private firstStep = 0;
  private lastStep = 0;
  private startUs = 0;
  private endUs = 0;
  private readonly events = new ByteText(1 << 16);
  /** Byte offset of each event in `events`. */
  private readonly eventStarts: number[] = [];

  constructor(
    private readonly config: GenConfig,
    private readonly ids: IdFactory,
  ) {}

  /** Whether steps were added since the last `close`. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Adds a step; `summary` / `snapshots` say which of its events were sampled. */
  add(step: StepEvent, summary: boolean, snapshots: boolean): void {
    if (!this.open) {
      this.open = true;
      this.sequence = Math.floor((step.id - 1) / this.config.closureInterval);
      this.firstStep = step.id;
      this.startUs = step.startUs;
      this.events.clear();
      this.eventStarts.length = 0;
    }
    this.lastStep = step.id;
    this.endUs = step.endUs;
    if (summary) this.writeBatchSummary(step);
    if (snapshots) this.writeSnapshots(step);
  }

  /** True after the last step of a closure interval. */
  get isComplete(): boolean {
    return this.open && this.lastStep % this.config.closureInterval === 0;
  }

  /** The finished span, encoded; its event bytes are a view, valid until the next `add`. */
  close(): Piece[] {
    this.open = false;
    // The SDK keeps the newest events: cut the encoded bytes at the first kept event.
    const starts = this.eventStarts;
    const dropped = Math.max(0, starts.length - MAX_EVENTS_PER_SPAN);
    return encodeSpan(
      {
        traceId: this.ids.traceId('steps', this.sequence),
        spanId: this.ids.spanId('steps', this.sequence),
        name: `scheduler_steps_${this.sequence}`,
        kind: SPAN_KIND_INTERNAL,
        startNs: epochNs(this.startUs),
        endNs: epochNs(this.endUs),
        attributes: [
          intAttr('scheduler.span_sequence', this.sequence),
          intAttr('scheduler.step_range_start', this.firstStep),
          intAttr('scheduler.step_range_end', this.lastStep),
          intAttr('scheduler.closure_interval', this.config.closureInterval),
        ],
      },
      { encoded: this.events.view(starts[dropped] ?? 0), kept: starts.length - dropped, dropped },
    );
  }

  /** Starts the next event. */
  private nextEvent(): ByteText {
    if (this.eventStarts.length > 0) this.events.comma();
    this.eventStarts.push(this.events.length);
    return this.events;
  }

  /** The step's summary, stamped when scheduling finished (step start + scheduler CPU time). */
  private writeBatchSummary(step: StepEvent): void {
    const out = this.nextEvent();
    const scheduledUs = step.startUs + step.schedulerCpuUs;
    const int = (key: SummaryKey, value: number) => {
      out.bytes(SUMMARY_PREFIX[key]);
      out.int(value);
      out.bytes(INT_END);
    };
    const ns = (key: SummaryKey, us: number) => {
      out.bytes(SUMMARY_PREFIX[key]);
      out.int(EPOCH_BASE_US + us);
      out.bytes(NS_FROM_US);
      out.bytes(INT_END);
    };
    out.bytes(SUMMARY_START);
    out.int(EPOCH_BASE_US + scheduledUs);
    out.bytes(NS_FROM_US);
    out.bytes(SUMMARY_NAME);
    int('step.id', step.id);
    ns('step.ts_start_ns', step.startUs);
    ns('step.ts_end_ns', scheduledUs);
    int('step.duration_us', step.schedulerCpuUs);
    int('queue.running_depth', step.batch.length);
    int('queue.waiting_depth', step.waitingAtSchedule);
    int('batch.num_prefill_reqs', step.numPrefillReqs);
    int('batch.num_decode_reqs', step.numDecodeReqs);
    int('batch.scheduled_tokens', step.prefillTokens + step.decodeTokens);
    int('batch.prefill_tokens', step.prefillTokens);
    int('batch.decode_tokens', step.decodeTokens);
    int('batch.num_finished', step.numFinished);
    int('batch.num_preempted', step.numPreempted);
    out.text(`,${doubleAttr('kv.usage_gpu_ratio', step.kvUsageAtSchedule)}`);
    int('kv.blocks_total_gpu', this.config.kvBlocks);
    int('kv.blocks_free_gpu', step.kvFreeAtSchedule);
    out.bytes(SUMMARY_END);
  }

  private writeSnapshots(step: StepEvent): void {
    const timeNs = epochNs(step.startUs + step.schedulerCpuUs);
    for (let i = 0; i < step.batch.length; i++) {
      const row = step.batch.row(i);
      const attributes = [
        intAttr('step.id', step.id),
        stringAttr('request.id', this.ids.coreRequestId(row.request)),
        stringAttr('request.phase', row.phase === PHASE_DECODE ? 'DECODE' : 'PREFILL'),
        intAttr('request.num_prompt_tokens', row.promptTokens),
        intAttr('request.num_computed_tokens', row.computedBefore),
        intAttr('request.num_output_tokens', row.outputBefore),
        intAttr('request.num_preemptions', row.preemptions),
        intAttr('request.scheduled_tokens_this_step', row.scheduled),
        intAttr('kv.blocks_allocated_gpu', row.blocks),
        intAttr('kv.blocks_cached_gpu', row.cachedBlocks),
      ];
      // After a preemption the request re-prefills prompt + output so far: that is its effective prompt.
      if (row.admittedTokens !== row.promptTokens) attributes.push(intAttr('request.effective_prompt_len', row.admittedTokens));
      this.nextEvent().text(spanEvent(timeNs, 'step.REQUEST_SNAPSHOT', attributes));
    }
  }
}
