/**
 * Writes `otlp.jsonl`: the request-journey and step tracing of formats.md §3
 * as vLLM's tracer would export them through a collector's file exporter.
 *
 * A span is queued for export when it closes: the core span at
 * journey.FINISHED, the API span at api.DEPARTED / api.ABORTED, a step
 * span after its last step. Like the SDK's batch processor, queued spans
 * are exported (one line, spans grouped by scope) when 512 are waiting or
 * 5 s of capture time passed since the last export, so lines are in close
 * order, not start order.
 */
import { ByteText } from './byteText.js';
import type { GenConfig } from './config.js';
import type { FinishedRequest, StepEvent } from './events.js';
import { IdFactory } from './ids.js';
import type { LineSink } from './lineSink.js';
import { encodeExport, stringAttr, type Piece } from './otlpJson.js';
import { apiSpan, coreSpan, requestSpanIds } from './otlpRequestSpans.js';
import { StepSpanBuilder } from './otlpStepSpans.js';
import { Rng } from './rng.js';

export const SCOPE_API = 'vllm.api';
export const SCOPE_CORE = 'vllm.scheduler';
export const SCOPE_STEP = 'vllm.scheduler.step';
const EXPORT_MAX_SPANS = 512;
const EXPORT_DELAY_US = 5_000_000;

export class OtlpWriter {
  private readonly ids: IdFactory;
  private readonly sampler: Rng;
  private readonly steps: StepSpanBuilder;
  private readonly resource = [stringAttr('service.name', 'vllm')];
  /** Spans waiting for export, encoded and comma-joined per scope (bytes: no per-span objects to collect). */
  private readonly queued = new Map<string, ByteText>([
    [SCOPE_API, new ByteText(1 << 16)],
    [SCOPE_CORE, new ByteText(1 << 16)],
    [SCOPE_STEP, new ByteText(1 << 16)],
  ]);
  private queuedCount = 0;
  private lastExportUs = 0;
  /** API spans close after their core span: they wait until the capture clock reaches their end. */
  private apiSpansInFlight: { endUs: number; span: Piece[] }[] = [];

  constructor(
    private readonly sink: LineSink,
    private readonly config: GenConfig,
  ) {
    this.ids = new IdFactory(config.seed);
    this.sampler = new Rng(config.seed, 'otlp.sampling');
    this.steps = new StepSpanBuilder(config, this.ids);
  }

  onStep(step: StepEvent): Promise<void> | undefined {
    const summary = this.sampler.chance(this.config.stepSample);
    const snapshots = summary && this.sampler.chance(this.config.snapshotSample);
    this.steps.add(step, summary, snapshots);
    if (this.steps.isComplete) this.enqueue(SCOPE_STEP, this.steps.close());

    if (this.apiSpansInFlight.length > 0) {
      this.apiSpansInFlight = this.apiSpansInFlight.filter((pending) => {
        if (pending.endUs > step.endUs) return true;
        this.enqueue(SCOPE_API, pending.span);
        return false;
      });
    }
    if (this.queuedCount >= EXPORT_MAX_SPANS || (this.queuedCount > 0 && step.endUs - this.lastExportUs >= EXPORT_DELAY_US)) {
      this.lastExportUs = step.endUs;
      return this.export();
    }
    return undefined;
  }

  onFinished(request: FinishedRequest): void {
    const span = requestSpanIds(this.ids, request.index);
    this.enqueue(SCOPE_CORE, coreSpan(request, span, this.ids));
    this.apiSpansInFlight.push({ endUs: request.departedUs, span: apiSpan(request, span, this.ids, this.config.model) });
  }

  /** Closes the open step span and exports everything still queued (the process shutting down). */
  async finish(): Promise<void> {
    if (this.steps.isOpen) this.enqueue(SCOPE_STEP, this.steps.close());
    for (const pending of this.apiSpansInFlight) this.enqueue(SCOPE_API, pending.span);
    this.apiSpansInFlight = [];
    if (this.queuedCount > 0) await this.export();
  }

  private enqueue(scope: string, span: Piece[]): void {
    const out = this.queued.get(scope)!;
    if (out.length > 0) out.comma();
    for (const piece of span) {
      if (typeof piece === 'string') out.text(piece);
      else out.bytes(piece);
    }
    this.queuedCount++;
  }

  private export(): Promise<void> | undefined {
    const scopes = [...this.queued].map(([name, spans]) => ({ name, spans: spans.view() }));
    for (const piece of encodeExport(this.resource, scopes)) {
      if (typeof piece === 'string') this.sink.text(piece);
      else this.sink.bytes(piece);
    }
    for (const spans of this.queued.values()) spans.clear();
    this.queuedCount = 0;
    return this.sink.endLine();
  }
}
