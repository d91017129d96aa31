/**
 * Track layout: which tracks the trace declares, how they nest and in what
 * order the UI shows them. A pure function of the capture and the options,
 * shared by the proto and the JSON sinks so both draw the same tracks.
 *
 * Groups are process tracks ("inference trace: MODEL", "scheduler steps",
 * "engine journey (OTLP)"); everything else is a child of one group, ordered
 * explicitly: request lanes (numeric order) above the counters.
 */
import type { CaptureView } from '../capture/model.js';
import type { JourneyTimeline } from './timeline/journeyStages.js';

export interface CounterSpec {
  /** Counts travel as int64 samples, ratios as doubles. */
  valueType: 'int' | 'double';
  /** CounterDescriptor.unit; `unitName` labels units the enum lacks (tokens, ratios). */
  unit: 'count' | 'unspecified';
  unitName?: string;
  /** Counters with the same key share one y-axis range in the UI (the 0–1 ratios). */
  yAxisShareKey?: string;
}

export interface TrackSpec {
  /** TrackDescriptor.uuid; small numbers for the busiest tracks keep events short. */
  uuid: number;
  name: string;
  kind: 'group' | 'slices' | 'counter';
  /** Index of the parent group in `TrackLayout.tracks`, -1 for groups. */
  parent: number;
  /** sibling_order_rank among the parent's children (ascending = top to bottom). */
  rank: number;
  description?: string;
  /** Chrome JSON placement: process id of the group, thread id of a slice track (0 otherwise). */
  pid: number;
  tid: number;
  counter?: CounterSpec;
}

/** Indices into `TrackLayout.tracks`; -1 when the track is absent. */
export interface CounterTracks {
  activeRequests: number;
  engineRunning: number;
  prefillTokens: number;
  schedRunning: number;
  schedWaiting: number;
  schedKvUsage: number;
  schedAcceptRate: number;
}

export interface TrackLayout {
  /** Declaration order: every group before its children. */
  tracks: TrackSpec[];
  /** Track of each request row; -1 for rows without arrival (dropped). */
  requestTrack: Int32Array;
  /** Request tracks drawn: lanes, or one per placed request with --track-per-request. */
  requestTrackCount: number;
  /**
   * Lane of each track (-1 for tracks that are not request tracks): a lane's
   * requests never overlap, so its events form one time-ordered run — the
   * proto form writes each lane as its own packet sequence.
   */
  laneOfTrack: Int32Array;
  laneCount: number;
  /** True when a lane is one track (the default); false with --track-per-request. */
  lanesAreTracks: boolean;
  stepTrack: number;
  /** Track of each journey request (JourneyTimeline order). */
  journeyTrack: Int32Array;
  counters: CounterTracks;
}

export interface LayoutOptions {
  /** Group label replacing "inference trace: MODEL". */
  name?: string;
  trackPerRequest?: boolean;
}

export const REQUESTS_PID = 1;
export const SCHEDULER_PID = 2;
export const JOURNEY_PID = 3;

export function requestGroupName(capture: Pick<CaptureView, 'meta'>, options: LayoutOptions): string {
  if (options.name) return options.name;
  return capture.meta.model ? `inference trace: ${capture.meta.model}` : 'inference trace';
}

/** `req I (pP oO)`: arrival-order id, prompt and output tokens. */
export function requestTrackName(row: number, promptTokens: number, outputTokens: number): string {
  return `req ${row} (p${promptTokens} o${outputTokens})`;
}

const COUNT: CounterSpec = { valueType: 'int', unit: 'count' };
const TOKENS: CounterSpec = { valueType: 'int', unit: 'unspecified', unitName: 'tokens' };
const RATIO: CounterSpec = { valueType: 'double', unit: 'unspecified', unitName: 'ratio (0-1)', yAxisShareKey: 'ratio' };

function anyFinite(column: Float64Array): boolean {
  for (let i = 0; i < column.length; i++) if (Number.isFinite(column[i])) return true;
  return false;
}

function anyPositive(column: Int32Array): boolean {
  for (let i = 0; i < column.length; i++) if (column[i] > 0) return true;
  return false;
}

export function buildTrackLayout(capture: CaptureView, journey: JourneyTimeline, options: LayoutOptions): TrackLayout {
  const { requests, steps } = capture;
  const tracks: TrackSpec[] = [];
  // uuids: request tracks first (1..N, the busiest), then the step track, counters, journey tracks, groups.
  let nextUuid = 1;
  const add = (spec: Omit<TrackSpec, 'uuid'>): number => {
    tracks.push({ ...spec, uuid: 0 });
    return tracks.length - 1;
  };

  const requestGroup = add({
    name: requestGroupName(capture, options),
    kind: 'group',
    parent: -1,
    rank: 0,
    pid: REQUESTS_PID,
    tid: 0,
    description: 'Requests of the engine trace on their arrival-order timeline.',
  });

  const requestTrack = new Int32Array(requests.count).fill(-1);
  let requestTrackCount = 0;
  let laneCount = 0;
  for (let row = 0; row < requests.count; row++) laneCount = Math.max(laneCount, requests.lane[row] + 1);
  if (options.trackPerRequest) {
    for (let row = 0; row < requests.count; row++) {
      if (requests.lane[row] < 0) continue;
      requestTrack[row] = add({
        name: requestTrackName(row, requests.promptTokens[row], requests.outputTokens[row]),
        kind: 'slices',
        parent: requestGroup,
        rank: requestTrackCount,
        pid: REQUESTS_PID,
        tid: row + 1,
      });
      requestTrackCount++;
    }
  } else {
    const laneTrack: number[] = [];
    for (let lane = 0; lane < laneCount; lane++) {
      laneTrack.push(
        add({ name: `lane ${lane}`, kind: 'slices', parent: requestGroup, rank: lane, pid: REQUESTS_PID, tid: lane + 1 }),
      );
    }
    for (let row = 0; row < requests.count; row++) if (requests.lane[row] >= 0) requestTrack[row] = laneTrack[requests.lane[row]];
    requestTrackCount = laneCount;
  }
  for (const track of tracks) if (track.kind === 'slices') track.uuid = nextUuid++;

  let stepTrack = -1;
  const stepGroupIndex = steps.count > 0 ? tracks.length : -1;
  if (steps.count > 0) {
    add({
      name: 'scheduler steps',
      kind: 'group',
      parent: -1,
      rank: 1,
      pid: SCHEDULER_PID,
      tid: 0,
      description: `Scheduler steps from the ${steps.source === 'otlp' ? 'OTLP step summaries (sampled)' : 'step-stats sidecar'}.`,
    });
    stepTrack = add({ name: 'steps', kind: 'slices', parent: stepGroupIndex, rank: 0, pid: SCHEDULER_PID, tid: 1 });
    tracks[stepTrack].uuid = nextUuid++;
  }

  const counterRankBase = requestTrackCount;
  const counter = (name: string, parent: number, rank: number, spec: CounterSpec, description: string): number => {
    const index = add({ name, kind: 'counter', parent, rank, pid: tracks[parent].pid, tid: 0, counter: spec, description });
    tracks[index].uuid = nextUuid++;
    return index;
  };
  const placed = requests.count - capture.stats.withoutArrival > 0;
  const gapContext = capture.gapsHaveContext;
  const counters: CounterTracks = {
    activeRequests: placed
      ? counter('active_requests', requestGroup, counterRankBase, COUNT,
          'Requests between arrival and last token: +1 at arrival, -1 at end; at equal times ends come first.')
      : -1,
    engineRunning: gapContext
      ? counter('engine_running', requestGroup, counterRankBase + 1, COUNT,
          'Running requests in the engine step that closed each gap (itl_ctx.num_running), sampled at gap ends.')
      : -1,
    prefillTokens: gapContext
      ? counter('prefill_tokens', requestGroup, counterRankBase + 2, TOKENS,
          'Prompt tokens prefilled in the step that closed each gap (itl_ctx.prefill_tokens), sampled at gap ends.')
      : -1,
    schedRunning: -1,
    schedWaiting: -1,
    schedKvUsage: -1,
    schedAcceptRate: -1,
  };
  if (steps.count > 0) {
    counters.schedRunning = counter('sched_running_reqs', stepGroupIndex, 1, COUNT, 'Running requests reported at each step end.');
    counters.schedWaiting = counter('sched_waiting_reqs', stepGroupIndex, 2, COUNT, 'Waiting (queued) requests reported at each step end.');
    if (anyFinite(steps.kvUsage)) {
      counters.schedKvUsage = counter('sched_kv_cache_usage', stepGroupIndex, 3, RATIO, 'KV-cache fraction in use at each step end.');
    }
    if (anyPositive(steps.specDraft)) {
      counters.schedAcceptRate = counter('sched_accept_rate', stepGroupIndex, 4, RATIO,
        'Speculative decoding: accepted / draft tokens of each step with drafts.');
    }
  }

  const journeyTrack = new Int32Array(journey.requestCount).fill(-1);
  if (journey.requestCount > 0) {
    const group = add({
      name: 'engine journey (OTLP)',
      kind: 'group',
      parent: -1,
      rank: 2,
      pid: JOURNEY_PID,
      tid: 0,
      description: "Per-request stages (queue, prefill, decode, preempted) from the engine's own journey events.",
    });
    const trackOfLane: number[] = [];
    for (let r = 0; r < journey.requestCount; r++) {
      if (options.trackPerRequest) {
        journeyTrack[r] = add({ name: `journey ${journey.label[r]}`, kind: 'slices', parent: group, rank: r, pid: JOURNEY_PID, tid: r + 1 });
        tracks[journeyTrack[r]].uuid = nextUuid++;
        continue;
      }
      const lane = journey.lane[r];
      while (trackOfLane.length <= lane) {
        const n = trackOfLane.length;
        const index = add({ name: `journey lane ${n}`, kind: 'slices', parent: group, rank: n, pid: JOURNEY_PID, tid: n + 1 });
        tracks[index].uuid = nextUuid++;
        trackOfLane.push(index);
      }
      journeyTrack[r] = trackOfLane[lane];
    }
  }

  for (const track of tracks) if (track.kind === 'group') track.uuid = nextUuid++;
  const laneOfTrack = new Int32Array(tracks.length).fill(-1);
  for (let row = 0; row < requests.count; row++) if (requestTrack[row] >= 0) laneOfTrack[requestTrack[row]] = requests.lane[row];
  return { tracks, requestTrack, requestTrackCount, laneOfTrack, laneCount, lanesAreTracks: !options.trackPerRequest, stepTrack, journeyTrack, counters };
}
