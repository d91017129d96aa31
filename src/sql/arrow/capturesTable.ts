import type { Table } from 'apache-arrow';
import type { CaptureView } from '../../capture/model.js';
import { STEP_SOURCES, TABLES } from '../schema.js';
import type { CaptureIdentity } from '../identity.js';
import { arrowTable } from './table.js';
import { bigintColumn, enumColumnOf, optionalIntColumn, timestampColumn, utf8Column } from './columns.js';

/** The one `captures` row describing a loaded capture. */
export function capturesArrowTable(capture: CaptureView, captureId: number, identity: CaptureIdentity, loadedAt: Date): Table {
  const { meta, stats, otlp } = capture;
  const count = (value: number | undefined) => bigintColumn([value === undefined ? undefined : BigInt(value)]);
  const extra = Object.keys(meta.extra).length > 0 ? JSON.stringify(meta.extra) : undefined;
  return arrowTable(TABLES.captures, {
    capture_id: optionalIntColumn([captureId]),
    content_hash: utf8Column([identity.contentHash]),
    trace_path: utf8Column([identity.sources.trace]),
    step_stats_path: utf8Column([identity.sources.stepStats]),
    otlp_path: utf8Column([identity.sources.otlp]),
    loaded_at: timestampColumn([BigInt(loadedAt.getTime()) * 1000n]),
    model: utf8Column([meta.model]),
    gpu: utf8Column([meta.gpu]),
    tp: optionalIntColumn([meta.tp]),
    max_num_seqs: optionalIntColumn([meta.maxNumSeqs]),
    source: utf8Column([meta.source]),
    block_size: optionalIntColumn([meta.blockSize]),
    config_hash: utf8Column([meta.configHash]),
    vllm_version: utf8Column([meta.vllmVersion]),
    meta_json: utf8Column([extra]),
    requests: count(stats.requests),
    requests_without_arrival: count(stats.withoutArrival),
    gaps: count(stats.gaps),
    lanes: optionalIntColumn([stats.lanes]),
    peak_concurrency: optionalIntColumn([stats.peakConcurrency]),
    step_source: enumColumnOf(STEP_SOURCES, [capture.steps.source]),
    steps: count(capture.steps.count),
    idle_intervals: count(stats.idleIntervals),
    journey_requests: count(otlp?.requests.length ?? 0),
    journey_events: count(otlp?.requests.reduce((sum, journey) => sum + journey.events.length, 0) ?? 0),
    step_summaries: count(otlp?.steps.length ?? 0),
    snapshots: count(otlp?.snapshots.length ?? 0),
    otlp_epoch_ns: bigintColumn([otlp?.epochNs]),
    otlp_dropped_events: count(otlp?.stats.droppedEvents),
    otlp_service: utf8Column([otlp?.resource.serviceName]),
  });
}
