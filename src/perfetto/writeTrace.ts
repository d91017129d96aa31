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
import { NO_PROGRESS, type Progress } from '../util/progress.js';

export type PerfettoFormat = 'proto' | 'json';

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
    for (let window = 0; window + 1 < windows.length; window++) {
      await sink.startWindow(window);
      for (let entity = windows[window]; entity < windows[window + 1]; entity++) {
        requestEventsWritten += requestEvents.emit(entity, sink);
        if (sink.wantsFlush) await flush();
      }
    }
    await flush();
    while (others.emitBefore(Infinity, sink)) await flush();
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

/** The summary line printed on stderr. */
export function formatSummary(summary: PerfettoSummary): string {
  const n = (value: number) => value.toLocaleString('en-US');
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
