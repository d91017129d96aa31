import type { Table } from 'apache-arrow';
import type { OtlpStepSummary } from '../../capture/otlpRecords.js';
import { TABLES } from '../schema.js';
import { arrowTable } from './table.js';
import { bigintColumn, constantIntColumn, doubleColumn, int32Values } from './columns.js';

export function stepSummariesArrowTable(summaries: readonly OtlpStepSummary[], captureId: number): Table {
  const ints = (pick: (s: OtlpStepSummary) => number) => int32Values(Int32Array.from(summaries, pick));
  const doubles = (pick: (s: OtlpStepSummary) => number) => doubleColumn(Float64Array.from(summaries, pick));
  return arrowTable(TABLES.step_summaries, {
    capture_id: constantIntColumn(summaries.length, captureId),
    step_id: ints((s) => s.stepId),
    ts_start_ns: bigintColumn(summaries.map((s) => s.tsStartNs)),
    ts_end_ns: bigintColumn(summaries.map((s) => s.tsEndNs)),
    time_ns: bigintColumn(summaries.map((s) => s.timeNs)),
    start_ms: doubles((s) => s.startMs),
    scheduler_cpu_us: doubles((s) => s.durationUs),
    running_depth: ints((s) => s.runningDepth),
    waiting_depth: ints((s) => s.waitingDepth),
    prefill_requests: ints((s) => s.numPrefillReqs),
    decode_requests: ints((s) => s.numDecodeReqs),
    scheduled_tokens: ints((s) => s.scheduledTokens),
    prefill_tokens: ints((s) => s.prefillTokens),
    decode_tokens: ints((s) => s.decodeTokens),
    finished: ints((s) => s.numFinished),
    preempted: ints((s) => s.numPreempted),
    kv_usage: doubles((s) => s.kvUsageGpuRatio),
    kv_blocks_total: ints((s) => s.kvBlocksTotalGpu),
    kv_blocks_free: ints((s) => s.kvBlocksFreeGpu),
  });
}
