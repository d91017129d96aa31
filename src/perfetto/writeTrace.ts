/**
 * `writePerfettoTrace`: a capture → a Perfetto trace (native protobuf, or
 * Chrome JSON with the same events), into an atomically written file or
 * stdout. The capture may be in memory or spilled to disk (a CaptureView).
 *
 * Order of writing: requests one by one in arrival order, each with all its
 * slices (its rows are read once, when its turn comes), in windows of
 * consecutive requests (timeline/windows.ts); then the other timelines
 * (journey stages, steps, the active-request counter), merged in time order.
 * Only a lane's events need to be time-ordered — the proto form writes each
 * lane of each window as its own packet sequence, and trace_processor sorts
 * across sequences, ties in file order — so no per-gap merge of requests is
 * needed. The one cross-timeline order that matters, a first-token flow's
 * start (a request's prefill end) before the step event that terminates it
 * at the same instant, holds because every step comes after every request.
 */
import { basename } from 'node:path';
import type { Capture, CaptureView } from '../capture/model.js';
import { captureView } from '../capture/view.js';
import { SpilledRows } from '../capture/spill/spilledRows.js';
import { activeRequestSweep } from '../capture/derive/activeSweep.js';
import { withByteOutput, type ByteOutput } from './byteOutput.js';
import { traceTimeBase } from './clock.js';
import { ChromeJsonSink } from './jsonSink.js';
import { ProtoTraceSink } from './protoSink.js';
import type { TraceEventSink } from './sink.js';
import { buildTrackLayout } from './tracks.js';
import { ActiveRequestEvents } from './timeline/activeRequests.js';
import { EntityEventStream, MergedStreams } from './timeline/entityStream.js';
import { flowsByStep, producingSteps } from './timeline/firstTokenFlows.js';
import { JourneyEvents } from './timeline/journeyEvents.js';
import { journeyTimeline, type JourneyTimeline } from './timeline/journeyStages.js';
import { RequestEvents, requestTimesNs } from './timeline/requestEvents.js';
import { StepEvents, stepIntervalsNs } from './timeline/stepEvents.js';
import { planWindows } from './timeline/windows.js';
import type { WindowResult } from './parallel/windowEncoder.js';
import { WindowPool } from './parallel/windowPool.js';
import { packWindowRows } from './parallel/windowRows.js';
import { NO_PROGRESS, type Progress } from '../util/progress.js';
import { thousands } from '../util/thousands.js';

export type PerfettoFormat = 'proto' | 'json';

const MIN_WINDOWS_PER_WORKER = 4;

export interface PerfettoOptions {
  format: PerfettoFormat;
  /** Label of the request group instead of "inference trace: MODEL". */
  name?: string;
  /** One track per request (`req I (pP oO)`) instead of packed lanes. */
  trackPerRequest?: boolean;
  /** Proto only: wrap the packets in zlib-compressed `compressed_packets` (Perfetto's own compression); default true. */
  compress?: boolean;
  /** Told how many trace events have been written. */
  progress?: Progress;
  /** Request events per window (timeline/windows.ts); the default suits every capture, tests make it small. */
  windowEvents?: number;
  /**
   * Proto only: worker threads encoding windows of requests in parallel
   * (parallel/windowPool.ts); 0 or absent encodes on this thread. The file
   * is the same either way. Needs the built module (a worker loads
   * windowWorker.js), so in-process callers under a TS loader keep 0.
   */
  workers?: number;
}

export interface PerfettoSummary {
  format: PerfettoFormat;
  /** The file written, or '-' for stdout. */
  output: string;
  requestsPlaced: number;
  /** Requests without arrival_ms: not drawable on a timeline. */
  requestsDropped: number;
  /** Request tracks: lanes, or placed requests with trackPerRequest. */
  lanes: number;
  steps: number;
  journeyRequests: number;
  slices: number;
  counterSamples: number;
  /** First-token flows (proto only: Chrome JSON carries none). */
  flows: number;
  bytes: number;
}

/** Earliest time on any timeline, ms: trace time starts at min(0, this). */
function earliestMs(capture: CaptureView, journey: JourneyTimeline): number {
  let earliest = 0;
  const { arrivalMs } = capture.requests;
  for (let i = 0; i < arrivalMs.length; i++) if (arrivalMs[i] < earliest) earliest = arrivalMs[i];
  if (capture.steps.count > 0) earliest = Math.min(earliest, capture.steps.startMs[0]);
  for (let i = 0; i < journey.beginMs.length; i++) earliest = Math.min(earliest, journey.beginMs[i]);
  return earliest;
}

function sinkFor(options: PerfettoOptions, output: ByteOutput): TraceEventSink {
  return options.format === 'json' ? new ChromeJsonSink(output) : new ProtoTraceSink(output, { compress: options.compress ?? true });
}

export async function writePerfettoTrace(source: Capture | CaptureView, out: string, options: PerfettoOptions): Promise<PerfettoSummary> {
  const capture = 'rows' in source ? source : captureView(source);
  const journey = journeyTimeline(capture.otlp);
  const time = traceTimeBase(earliestMs(capture, journey), capture.otlp?.epochNs);
  const layout = buildTrackLayout(capture, journey, options);
  const requestTimes = requestTimesNs(capture, time.shiftNs);
  const stepIntervals = stepIntervalsNs(capture.steps, time.shiftNs);
  const producingStep = producingSteps(requestTimes.firstTokenNs, stepIntervals.startNs, stepIntervals.endNs);
  const sweep = activeRequestSweep(capture.requests.arrivalMs, capture.requests.endMs);

  const requestEvents = new RequestEvents(capture, layout, requestTimes, time.shiftNs, producingStep);
  const others = new MergedStreams([
    new EntityEventStream(new JourneyEvents(journey, layout.journeyTrack, time.shiftNs)),
    new EntityEventStream(
      new StepEvents(capture.steps, stepIntervals, layout.stepTrack, layout.counters, flowsByStep(producingStep, capture.steps.count)),
    ),
    new EntityEventStream(new ActiveRequestEvents(sweep, layout.counters.activeRequests, time.shiftNs)),
  ]);

  return withByteOutput(out, async (output) => {
    const sink = sinkFor(options, output);
    sink.open(layout, time);
    const progress = options.progress ?? NO_PROGRESS;
    progress.phase(`writing ${out === '-' ? 'stdout' : basename(out)}`, 'events', requestEvents.eventCount + others.eventCount);
    let requestEventsWritten = 0;
    const flush = async () => {
      await sink.flush();
      progress.update(requestEventsWritten + others.emitted);
    };
    const windows = planWindows(requestEvents.entityCount, (entity) => requestEvents.eventsOf(entity), options.windowEvents);
    // A worker costs ~0.1–0.2 s to start (its modules, the schema): worth it from a few windows each.
    const workers = Math.min(options.workers ?? 0, Math.floor((windows.length - 1) / MIN_WINDOWS_PER_WORKER));
    if (sink instanceof ProtoTraceSink && workers >= 2) {
      // Workers read a spilled capture's rows themselves; an in-memory capture's go to them window by window.
      const spilledRows = capture.rows instanceof SpilledRows ? capture.rows.share() : undefined;
      const init = { requests: capture.requests, layout, times: requestTimes, shiftNs: time.shiftNs, producingStep, windows, compress: options.compress ?? true, spilledRows };
      const rowsOf = (w: number) => (spilledRows ? undefined : windowRows(capture, requestEvents, windows, w));
      await encodeInParallel(sink, new WindowPool(workers, init), workers + 2, windows, rowsOf, (events) => {
        requestEventsWritten += events;
        progress.update(requestEventsWritten);
      });
    } else {
      for (let window = 0; window + 1 < windows.length; window++) {
        await sink.startWindow(window);
        for (let entity = windows[window]; entity < windows[window + 1]; entity++) {
          requestEventsWritten += requestEvents.emit(entity, sink);
          if (sink.wantsFlush) await flush();
        }
      }
    }
    await flush();
    while (others.emit(sink)) await flush();
    await sink.finish();
    return {
      format: options.format,
      output: out,
      requestsPlaced: requestEvents.entityCount,
      requestsDropped: capture.requests.count - requestEvents.entityCount,
      lanes: layout.requestTrackCount,
      steps: capture.steps.count,
      journeyRequests: journey.requestCount,
      slices: sink.counts.slices,
      counterSamples: sink.counts.counterSamples,
      flows: options.format === 'json' ? 0 : sink.counts.flows,
      bytes: output.bytes,
    };
  });
}

/** The rows of window `w`'s requests, packed for a worker. */
function windowRows(capture: CaptureView, requestEvents: RequestEvents, windows: Int32Array, w: number): ArrayBuffer {
  const rows = new Int32Array(windows[w + 1] - windows[w]);
  for (let i = 0; i < rows.length; i++) rows[i] = requestEvents.rowOf(windows[w] + i);
  return packWindowRows(capture.rows, rows);
}

/**
 * Windows encoded by the pool, written in window order. A few windows per
 * worker are in flight, so workers never wait for the writer and memory
 * stays at a handful of windows.
 */
async function encodeInParallel(
  sink: ProtoTraceSink,
  pool: WindowPool,
  /** Windows submitted ahead of the one being written. */
  inFlight: number,
  windows: Int32Array,
  rowsOf: (window: number) => ArrayBuffer | undefined,
  written: (events: number) => void,
): Promise<void> {
  const windowCount = windows.length - 1;
  const results: (Promise<WindowResult> | undefined)[] = [];
  let submitted = 0;
  try {
    for (let window = 0; window < windowCount; window++) {
      while (submitted < windowCount && submitted < window + inFlight) {
        const job = pool.encode({ window: submitted, rows: rowsOf(submitted) });
        // Awaited in order below; this only keeps an early failure from going unobserved meanwhile.
        job.catch(() => undefined);
        results[submitted++] = job;
      }
      const result = await (results[window] as Promise<WindowResult>);
      results[window] = undefined;
      await sink.writeEncoded(result.chunks, result.counts);
      written(result.events);
    }
  } finally {
    await pool.close();
  }
}

/** The summary line printed on stderr. */
export function formatSummary(summary: PerfettoSummary): string {
  const n = thousands;
  const target = summary.output === '-' ? 'stdout' : summary.output;
  const parts = [
    `${n(summary.requestsPlaced)} requests placed`,
    `${n(summary.requestsDropped)} dropped (no arrival_ms)`,
    `${n(summary.lanes)} ${summary.lanes === 1 ? 'lane' : 'lanes'}`,
    `${n(summary.slices)} slices`,
    `${n(summary.counterSamples)} counter samples`,
  ];
  if (summary.format === 'proto') parts.push(`${n(summary.flows)} flows`);
  return `vcr proto: wrote ${target} (${summary.format}, ${n(summary.bytes)} bytes): ${parts.join(', ')}`;
}
