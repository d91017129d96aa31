import type { Table } from 'apache-arrow';
import { STEP_KINDS, type StepTable } from '../../capture/model.js';
import { TABLES } from '../schema.js';
import { arrowTable } from './table.js';
import { boolColumn, constantIntColumn, doubleColumn, enumColumn, intColumn } from './columns.js';

export function stepsArrowTable(steps: StepTable, captureId: number): Table {
  const durMs = new Float64Array(steps.count);
  for (let i = 0; i < steps.count; i++) durMs[i] = steps.endMs[i] - steps.startMs[i];
  return arrowTable(TABLES.steps, {
    capture_id: constantIntColumn(steps.count, captureId),
    step_id: intColumn(steps.stepId),
    start_ms: doubleColumn(steps.startMs),
    end_ms: doubleColumn(steps.endMs),
    dur_ms: doubleColumn(durMs),
    wall_known: boolColumn(steps.wallKnown),
    kind: enumColumn(STEP_KINDS, steps.kind),
    running: intColumn(steps.running),
    waiting: intColumn(steps.waiting),
    prefill_requests: intColumn(steps.prefillRequests),
    prefill_tokens: intColumn(steps.prefillTokens),
    decode_tokens: intColumn(steps.decodeTokens),
    prefix_hits: intColumn(steps.prefixHits, -1),
    preempted: intColumn(steps.preempted, -1),
    kv_usage: doubleColumn(steps.kvUsage),
    spec_accepted: intColumn(steps.specAccepted),
    spec_draft: intColumn(steps.specDraft),
    scheduler_cpu_us: doubleColumn(steps.schedulerCpuUs),
    source_line: intColumn(steps.sourceLine, -1),
  });
}
