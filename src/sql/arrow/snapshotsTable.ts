import type { Table } from 'apache-arrow';
import type { RequestSnapshot } from '../../capture/otlpRecords.js';
import { TABLES } from '../schema.js';
import { arrowTable } from './table.js';
import { bigintColumn, constantIntColumn, doubleColumn, int32Values, optionalIntColumn, utf8Column } from './columns.js';

export function snapshotsArrowTable(snapshots: readonly RequestSnapshot[], captureId: number): Table {
  const ints = (pick: (s: RequestSnapshot) => number) => int32Values(Int32Array.from(snapshots, pick));
  return arrowTable(TABLES.snapshots, {
    capture_id: constantIntColumn(snapshots.length, captureId),
    step_id: ints((s) => s.stepId),
    time_ns: bigintColumn(snapshots.map((s) => s.timeNs)),
    ts_ms: doubleColumn(Float64Array.from(snapshots, (s) => s.tsMs)),
    request_id: utf8Column(snapshots.map((s) => s.requestId)),
    phase: utf8Column(snapshots.map((s) => s.phase)),
    prompt_tokens: ints((s) => s.numPromptTokens),
    computed_tokens: ints((s) => s.numComputedTokens),
    output_tokens: ints((s) => s.numOutputTokens),
    preemptions: ints((s) => s.numPreemptions),
    scheduled_tokens: ints((s) => s.scheduledTokensThisStep),
    kv_blocks_allocated: ints((s) => s.kvBlocksAllocatedGpu),
    kv_blocks_cached: ints((s) => s.kvBlocksCachedGpu),
    effective_prompt_len: optionalIntColumn(snapshots.map((s) => s.effectivePromptLen)),
  });
}
