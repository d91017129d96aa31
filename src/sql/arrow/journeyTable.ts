import type { Table } from 'apache-arrow';
import type { JourneyEvent, JourneyRequest } from '../../capture/otlpRecords.js';
import { JOURNEY_EVENTS, JOURNEY_LAYERS, JOURNEY_PHASES, SCHEDULE_KINDS, TABLES } from '../schema.js';
import { arrowTable } from './table.js';
import {
  bigintColumn,
  constantIntColumn,
  enumColumnOf,
  int32Values,
  optionalDoubleColumn,
  optionalIntColumn,
  utf8Column,
} from './columns.js';

/** One row per event; the request's identity and usage attributes repeat on each of its events so no join is needed. */
export function journeyArrowTable(journeys: readonly JourneyRequest[], captureId: number): Table {
  const rows: { journey: JourneyRequest; journeyId: number; index: number; event: JourneyEvent }[] = [];
  journeys.forEach((journey, journeyId) => journey.events.forEach((event, index) => rows.push({ journey, journeyId, index, event })));
  const request = <T>(pick: (j: JourneyRequest) => T) => rows.map((row) => pick(row.journey));
  const event = <T>(pick: (e: JourneyEvent) => T) => rows.map((row) => pick(row.event));
  return arrowTable(TABLES.journey, {
    capture_id: constantIntColumn(rows.length, captureId),
    journey_id: int32Values(Int32Array.from(rows, (row) => row.journeyId)),
    event_index: int32Values(Int32Array.from(rows, (row) => row.index)),
    request_id: utf8Column(request((j) => j.requestId ?? j.coreRequestId)),
    core_request_id: utf8Column(request((j) => j.coreRequestId)),
    trace_id: utf8Column(request((j) => j.traceId)),
    route: utf8Column(request((j) => j.route)),
    prompt_tokens: optionalIntColumn(request((j) => j.promptTokens)),
    completion_tokens: optionalIntColumn(request((j) => j.completionTokens)),
    max_tokens: optionalIntColumn(request((j) => j.maxTokens)),
    layer: enumColumnOf(JOURNEY_LAYERS, event((e) => e.layer)),
    event: enumColumnOf(JOURNEY_EVENTS, event((e) => e.type)),
    time_ns: bigintColumn(event((e) => e.timeNs)),
    ts_ms: optionalDoubleColumn(event((e) => e.tsMs)),
    scheduler_step: optionalIntColumn(event((e) => e.schedulerStep)),
    phase: enumColumnOf(JOURNEY_PHASES, event((e) => e.phase)),
    prefill_done_tokens: optionalIntColumn(event((e) => e.prefillDoneTokens)),
    prefill_total_tokens: optionalIntColumn(event((e) => e.prefillTotalTokens)),
    decode_done_tokens: optionalIntColumn(event((e) => e.decodeDoneTokens)),
    decode_max_tokens: optionalIntColumn(event((e) => e.decodeMaxTokens)),
    num_preemptions: optionalIntColumn(event((e) => e.numPreemptions)),
    schedule_kind: enumColumnOf(SCHEDULE_KINDS, event((e) => e.scheduleKind)),
    finish_status: utf8Column(event((e) => e.finishStatus)),
    abort_reason: utf8Column(event((e) => e.reason)),
    abort_error: utf8Column(event((e) => e.error)),
  });
}
