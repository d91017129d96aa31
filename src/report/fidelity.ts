/**
 * The fidelity report: the request-shape view (engine trace: a prefill bar
 * from arrival to first token, then one slice per inter-token gap) against
 * the scheduler-step view (step-stats sidecar or OTLP step summaries) on the
 * shared capture clock, to tell a reader which view to trust for what.
 * The returned object is the stable `vcr report fidelity --json` schema
 * (docs/reports.md). Needs a step table; requests without arrival_ms cannot
 * be placed on the clock and are left out (and counted).
 *
 * Definitions (times in ms):
 * - prefill bar of a request: [arrival, arrival + TTFT].
 * - prefill-step time of a bar: the part of the bar covered by steps that
 *   ran prefill work (prefill or prefill+decode steps). The request's own
 *   prefill can only have run there; these steps may have been prefilling
 *   other requests, so this is an upper bound on the request's compute.
 * - queue wait of a bar: the rest, split into time under decode-only steps
 *   and time with no recorded step (engine idle, or unsampled OTLP steps).
 * - peak: the first stretch of time with the most prefill bars open at once
 *   (ends before starts at equal times), and the steps that ran prefill
 *   overlapping that stretch.
 * - decode gap match: each gap ends when a token is delivered, at the end of
 *   the step that produced it. The gap is matched to the step (with a known
 *   wall time) whose end is nearest the gap's end, if that distance is at
 *   most half the step's duration; it matches when |gap − step| ≤ 5% of the
 *   step's duration.
 */
import type { Capture } from '../capture/model.js';
import { STEP_KINDS } from '../capture/model.js';
import { stepLabel } from '../capture/derive/steps.js';
import { IntervalCoverage, nearestIndex, overlapping, peakOverlap } from '../stats/intervals.js';
import { nearestRank } from '../stats/percentile.js';
import { mean, sortedSample } from '../stats/sample.js';
import { captureInfo, type CaptureInfo } from './captureInfo.js';
import { PERCENTILE_DEFINITION, summarize, type Distribution } from './distribution.js';
import { count, formatMs, formatPercent } from './render/format.js';

export const FIDELITY_SCHEMA = 'vcr.report.fidelity/1';
/** A decode gap "matches" its step when they differ by at most this fraction of the step's duration. */
export const GAP_MATCH_TOLERANCE = 0.05;
/** Queue share of prefill-bar time from which the verdict warns that bars are not compute. */
const WAITING_SHARE = 0.1;
/** Most step slices the timeline strip draws; the window around the peak shrinks until it fits. */
const TIMELINE_MAX_STEPS = 1500;
/** Most rows of prefill bars the strip draws (a few pixels each). */
const TIMELINE_MAX_BAR_ROWS = 100;

export interface RequestPrefill {
  /** Request id: row in arrival order. */
  id: number;
  arrivalMs: number;
  barMs: number;
  prefillStepMs: number;
  queueMs: number;
  /** Steps with prefill work overlapping the bar. */
  prefillSteps: number;
}

export interface ShareQuantiles {
  p50: number;
  p90: number;
  p99: number;
}

export interface PrefillBars {
  /** Requests with arrival_ms (the bars drawn). */
  requests: number;
  /** Requests without arrival_ms, left out. */
  withoutArrival: number;
  totalBarMs: number;
  totalPrefillStepMs: number;
  totalQueueMs: number;
  /** Queue wait under decode-only steps / with no recorded step. */
  totalQueueDecodeStepMs: number;
  totalQueueNoStepMs: number;
  /** totalPrefillStepMs / totalBarMs. */
  prefillStepShare: number;
  /** totalQueueMs / totalBarMs. */
  queueShare: number;
  /** Bars no step with prefill work overlaps at all (clock mismatch or missing steps when many). */
  barsWithoutPrefillStep: number;
  /**
   * Time-weighted mean number of prefill bars open while a step with prefill
   * work ran: totalPrefillStepMs / total duration of those steps. Compare
   * with steps.meanPrefillRequests: far above it, most bar time under prefill
   * steps is still waiting (the steps were prefilling someone else).
   */
  meanOpenBarsDuringPrefillSteps: number;
  barMs: Distribution;
  prefillStepMs: Distribution;
  queueMs: Distribution;
  /** Per-request queueMs / barMs (bars of positive length). */
  queueSharePerRequest: ShareQuantiles;
}

export interface PrefillPeak {
  /** Most prefill bars open at once. */
  bars: number;
  fromMs: number;
  toMs: number;
  /** Steps that ran prefill overlapping [fromMs, toMs], and their prefill requests and tokens summed. */
  prefillSteps: number;
  prefillRequests: number;
  prefillTokens: number;
}

export interface DecodeGapMatch {
  /** Gaps with a place on the clock (their request has arrival_ms). */
  gaps: number;
  /** Gaps whose end lies near a step end (see module doc). */
  matched: number;
  withinTolerance: number;
  /** Matched gaps longer / shorter than their step by more than the tolerance. */
  longer: number;
  shorter: number;
  tolerance: number;
  /** withinTolerance / gaps (unmatched gaps count against it). */
  share: number;
  /** Median |gap − step| / step over matched gaps. */
  medianAbsRelDiff: number;
  /** Median (gap end − matched step end), ms: near 0 when the two clocks agree. */
  medianEndOffsetMs: number;
}

export interface FidelityReport {
  schema: typeof FIDELITY_SCHEMA;
  capture: CaptureInfo;
  steps: {
    source: string;
    count: number;
    withPrefill: number;
    wallKnown: number;
    meanDurationMs: number;
    /** Mean requests prefilled per step with prefill work. */
    meanPrefillRequests: number;
  };
  percentileDefinition: string;
  prefillBars: PrefillBars;
  peak: PrefillPeak;
  decodeGaps: DecodeGapMatch;
  verdict: string[];
  /** One entry per request with arrival_ms, in arrival order. */
  requests: RequestPrefill[];
}

export interface TimelineInterval {
  startMs: number;
  endMs: number;
  row: number;
  label: string;
}

/** What the timeline strip draws: a window around the peak. */
export interface FidelityTimeline {
  fromMs: number;
  toMs: number;
  /** Bars of every `laneStride`-th lane are drawn (1 = all): thousands of one-pixel rows show nothing. */
  laneStride: number;
  bars: TimelineInterval[];
  prefillSteps: TimelineInterval[];
  decodeSteps: TimelineInterval[];
}

export interface FidelityAnalysis {
  report: FidelityReport;
  timeline: FidelityTimeline;
  /** Matched gap duration ÷ step duration, sorted (for the ratio histogram). */
  gapStepRatios: Float64Array;
}

const DECODE_KIND = STEP_KINDS.indexOf('decode');
const ranPrefill = (capture: Capture, step: number) => capture.steps.kind[step] !== DECODE_KIND;

function prefillBars(capture: Capture): { bars: PrefillBars; requests: RequestPrefill[] } {
  const { requests, steps } = capture;
  const underAnyStep = new IntervalCoverage(steps.startMs, steps.endMs, () => true);
  const underPrefillStep = new IntervalCoverage(steps.startMs, steps.endMs, (i) => ranPrefill(capture, i));
  const rows: RequestPrefill[] = [];
  let totalBar = 0;
  let totalPrefill = 0;
  let totalAnyStep = 0;
  let withoutPrefillStep = 0;
  const shares: number[] = [];
  for (let i = 0; i < requests.count; i++) {
    const arrival = requests.arrivalMs[i];
    if (Number.isNaN(arrival)) continue;
    const end = arrival + requests.ttftMs[i];
    const prefill = underPrefillStep.measure(arrival, end);
    const barMs = end - arrival;
    const queueMs = barMs - prefill.coveredMs;
    rows.push({ id: i, arrivalMs: arrival, barMs, prefillStepMs: prefill.coveredMs, queueMs, prefillSteps: prefill.count });
    totalBar += barMs;
    totalPrefill += prefill.coveredMs;
    totalAnyStep += underAnyStep.measure(arrival, end).coveredMs;
    if (prefill.count === 0 && barMs > 0) withoutPrefillStep++;
    if (barMs > 0) shares.push(queueMs / barMs);
  }
  const shareSorted = sortedSample(shares);
  const totalQueue = totalBar - totalPrefill;
  let prefillStepTotalMs = 0;
  for (let i = 0; i < steps.count; i++) if (ranPrefill(capture, i)) prefillStepTotalMs += steps.endMs[i] - steps.startMs[i];
  const bars: PrefillBars = {
    requests: rows.length,
    withoutArrival: requests.count - rows.length,
    totalBarMs: totalBar,
    totalPrefillStepMs: totalPrefill,
    totalQueueMs: totalQueue,
    totalQueueDecodeStepMs: totalAnyStep - totalPrefill,
    totalQueueNoStepMs: totalBar - totalAnyStep,
    prefillStepShare: totalBar > 0 ? totalPrefill / totalBar : NaN,
    queueShare: totalBar > 0 ? totalQueue / totalBar : NaN,
    barsWithoutPrefillStep: withoutPrefillStep,
    meanOpenBarsDuringPrefillSteps: prefillStepTotalMs > 0 ? totalPrefill / prefillStepTotalMs : NaN,
    barMs: summarize(sortedSample(rows.map((r) => r.barMs))),
    prefillStepMs: summarize(sortedSample(rows.map((r) => r.prefillStepMs))),
    queueMs: summarize(sortedSample(rows.map((r) => r.queueMs))),
    queueSharePerRequest: { p50: nearestRank(shareSorted, 0.5), p90: nearestRank(shareSorted, 0.9), p99: nearestRank(shareSorted, 0.99) },
  };
  return { bars, requests: rows };
}

function barIntervals(rows: readonly RequestPrefill[]): { starts: Float64Array; ends: Float64Array } {
  return { starts: Float64Array.from(rows, (r) => r.arrivalMs), ends: Float64Array.from(rows, (r) => r.arrivalMs + r.barMs) };
}

function prefillPeak(capture: Capture, rows: readonly RequestPrefill[]): PrefillPeak {
  const { starts, ends } = barIntervals(rows);
  const peak = peakOverlap(starts, ends);
  const steps = capture.steps;
  let prefillSteps = 0;
  let prefillRequests = 0;
  let prefillTokens = 0;
  if (peak.peak > 0) {
    for (const i of overlapping(steps.startMs, steps.endMs, peak.fromMs, peak.toMs)) {
      if (!ranPrefill(capture, i)) continue;
      prefillSteps++;
      prefillRequests += steps.prefillRequests[i];
      prefillTokens += steps.prefillTokens[i];
    }
  }
  return { bars: peak.peak, fromMs: peak.fromMs, toMs: peak.toMs, prefillSteps, prefillRequests, prefillTokens };
}

function decodeGapMatch(capture: Capture): { match: DecodeGapMatch; ratios: Float64Array } {
  const { gaps, steps } = capture;
  const known: number[] = [];
  for (let i = 0; i < steps.count; i++) if (steps.wallKnown[i]) known.push(i);
  const ends = Float64Array.from(known, (i) => steps.endMs[i]);
  let placed = 0;
  let within = 0;
  let longer = 0;
  let shorter = 0;
  const absRel: number[] = [];
  const offsets: number[] = [];
  const ratios: number[] = [];
  for (let g = 0; g < gaps.count; g++) {
    const start = gaps.startMs[g];
    if (Number.isNaN(start)) continue;
    placed++;
    const end = start + gaps.durMs[g];
    const k = nearestIndex(ends, end);
    if (k < 0) continue;
    const step = known[k];
    const stepMs = steps.endMs[step] - steps.startMs[step];
    const offset = end - ends[k];
    if (!(stepMs > 0) || Math.abs(offset) > stepMs / 2) continue;
    const diff = gaps.durMs[g] - stepMs;
    absRel.push(Math.abs(diff) / stepMs);
    offsets.push(offset);
    ratios.push(gaps.durMs[g] / stepMs);
    if (Math.abs(diff) <= GAP_MATCH_TOLERANCE * stepMs) within++;
    else if (diff > 0) longer++;
    else shorter++;
  }
  return {
    match: {
      gaps: placed,
      matched: absRel.length,
      withinTolerance: within,
      longer,
      shorter,
      tolerance: GAP_MATCH_TOLERANCE,
      share: placed > 0 ? within / placed : NaN,
      medianAbsRelDiff: nearestRank(sortedSample(absRel), 0.5),
      medianEndOffsetMs: nearestRank(sortedSample(offsets), 0.5),
    },
    ratios: sortedSample(ratios),
  };
}

function stepSummary(capture: Capture): FidelityReport['steps'] {
  const steps = capture.steps;
  let withPrefill = 0;
  let prefillRequests = 0;
  let wallKnown = 0;
  const durations: number[] = [];
  for (let i = 0; i < steps.count; i++) {
    if (ranPrefill(capture, i)) {
      withPrefill++;
      prefillRequests += steps.prefillRequests[i];
    }
    if (steps.wallKnown[i]) {
      wallKnown++;
      durations.push(steps.endMs[i] - steps.startMs[i]);
    }
  }
  return {
    source: steps.source,
    count: steps.count,
    withPrefill,
    wallKnown,
    meanDurationMs: mean(durations),
    meanPrefillRequests: withPrefill > 0 ? prefillRequests / withPrefill : NaN,
  };
}

/** The reader's guidance, one paragraph per view, from the measured numbers. */
function verdict(report: Omit<FidelityReport, 'verdict'>): string[] {
  const { prefillBars: bars, peak, decodeGaps, steps } = report;
  const stepView = steps.source === 'otlp' ? 'the OTLP step summaries' : 'the step-stats sidecar';
  const paragraphs: string[] = [];
  const share = (ms: number) => formatPercent(ms / bars.totalBarMs);
  const queueText =
    `${formatPercent(bars.queueShare)} of all prefill-bar time overlapped no step that ran prefill — queue wait ` +
    `(${share(bars.totalQueueDecodeStepMs)} under decode-only steps, ${share(bars.totalQueueNoStepMs)} with no step recorded)`;
  const openBars = bars.meanOpenBarsDuringPrefillSteps.toFixed(1);
  const perStep = steps.meanPrefillRequests.toFixed(1);
  // More bars open during prefill steps than those steps prefill: the extra bars are waiting, even under a prefill step.
  const crowded = bars.meanOpenBarsDuringPrefillSteps > 1.5 * steps.meanPrefillRequests;
  let barsText: string;
  if (bars.totalBarMs <= 0) barsText = 'No prefill bar has a length on the clock.';
  else if (bars.queueShare >= WAITING_SHARE || crowded)
    barsText =
      `Do not read its prefill bars as compute: ${queueText}.` +
      (crowded ? ` Even under steps that ran prefill, ${openBars} bars were open on average while each such step prefilled ${perStep} requests, so most of that time was waiting too.` : '');
  else barsText = `Its prefill bars are close to prefill compute here: only ${queueText}, and about as many bars were open during prefill steps (${openBars}) as those steps prefilled (${perStep}).`;
  let peakText: string;
  if (peak.bars <= 1) peakText = 'Prefill bars never overlapped: each request was prefilled alone.';
  else if (peak.bars > peak.prefillRequests)
    peakText = `At the busiest moment ${peak.bars} prefill bars overlapped, while the engine ran prefill in ${count(peak.prefillSteps, 'step')} (${count(peak.prefillRequests, 'request prefill')}) in that window: overlapping bars are requests waiting, not prefills running side by side.`;
  else peakText = `At the busiest moment ${peak.bars} prefill bars overlapped and the steps in that window prefilled ${count(peak.prefillRequests, 'request')}: that overlap is real batching.`;
  paragraphs.push(`Trust the request view (the engine trace) for what clients felt: TTFT, ITL and E2E are measured there. ${barsText} ${peakText}`);
  const shareText = `${formatPercent(decodeGaps.share)} of decode gaps are within ${formatPercent(decodeGaps.tolerance, 0)} of the duration of the step that delivered their token`;
  let decodeText: string;
  if (decodeGaps.gaps === 0) decodeText = 'The trace has no decode gaps on the clock to compare with steps.';
  else if (decodeGaps.share >= 0.9) decodeText = `${shareText}: ITL is step time, so the step view explains ITL and its batch sizes and prefill chunks explain the ITL tail.`;
  else if (decodeGaps.matched < decodeGaps.gaps / 2)
    decodeText = `${shareText}; most gaps end near no recorded step (${decodeGaps.matched} of ${decodeGaps.gaps} matched), so the step view is too sparse or on another clock to explain individual gaps.`;
  else
    decodeText = `${shareText}; ${formatPercent(decodeGaps.longer / decodeGaps.gaps)} are longer than their step (the request sat out steps: preemption, scheduling), so for those tokens ITL is not a step time and the step view alone understates what clients saw.`;
  paragraphs.push(`Trust the step view (${stepView}) for what the engine did and when: batch composition, prefill work and step durations. ${decodeText}`);
  if (decodeGaps.matched > 0 && steps.meanDurationMs > 0 && Math.abs(decodeGaps.medianEndOffsetMs) > 0.1 * steps.meanDurationMs) {
    paragraphs.push(
      `Caution: token times sit a median ${formatMs(decodeGaps.medianEndOffsetMs)} ms from the nearest step end (mean step ${formatMs(steps.meanDurationMs)} ms), so the two streams may not share a clock zero; the overlap figures above are only as good as that alignment.`,
    );
  }
  return paragraphs;
}

function timeline(capture: Capture, rows: readonly RequestPrefill[], peak: PrefillPeak, medianBarMs: number): FidelityTimeline {
  const steps = capture.steps;
  const center = Number.isFinite(peak.fromMs) ? [peak.fromMs, peak.toMs] : rows.length > 0 ? [rows[0].arrivalMs, rows[0].arrivalMs + rows[0].barMs] : [0, 0];
  // Nothing happens before the first arrival or step: the window does not reach back past it.
  const origin = Math.min(rows.length > 0 ? rows[0].arrivalMs : Infinity, steps.count > 0 ? steps.startMs[0] : Infinity);
  let pad = Math.max(center[1] - center[0], Number.isFinite(medianBarMs) ? medianBarMs : 0, 1);
  const windowFor = (p: number): [number, number] => [Math.max(center[0] - p, Number.isFinite(origin) ? origin : -Infinity), center[1] + p];
  let [from, to] = windowFor(pad);
  while (pad > 1e-3 && overlapping(steps.startMs, steps.endMs, from, to).length > TIMELINE_MAX_STEPS) {
    pad /= 2;
    [from, to] = windowFor(pad);
  }
  const bars: TimelineInterval[] = [];
  const laneRow = new Map<number, number>();
  for (const r of rows) {
    const end = r.arrivalMs + r.barMs;
    if (end <= from || r.arrivalMs >= to) continue;
    const lane = capture.requests.lane[r.id];
    if (!laneRow.has(lane)) laneRow.set(lane, laneRow.size);
    bars.push({
      startMs: r.arrivalMs,
      endMs: end,
      row: lane,
      label: `req ${r.id}: bar ${formatMs(r.barMs)} ms, prefill steps ${formatMs(r.prefillStepMs)} ms, queue ${formatMs(r.queueMs)} ms`,
    });
  }
  // Compact the lanes that appear in the window to rows 0..k−1 (keeping their order), then keep every stride-th row.
  const order = [...laneRow.keys()].sort((a, b) => a - b);
  const compact = new Map(order.map((lane, row) => [lane, row]));
  const laneStride = Math.max(1, Math.ceil(order.length / TIMELINE_MAX_BAR_ROWS));
  const drawnBars: TimelineInterval[] = [];
  for (const bar of bars) {
    const row = compact.get(bar.row)!;
    if (row % laneStride === 0) drawnBars.push({ ...bar, row: row / laneStride });
  }
  const prefillSteps: TimelineInterval[] = [];
  const decodeSteps: TimelineInterval[] = [];
  for (const i of overlapping(steps.startMs, steps.endMs, from, to)) {
    const kind = STEP_KINDS[steps.kind[i]];
    const interval = {
      startMs: steps.startMs[i],
      endMs: steps.endMs[i],
      row: 0,
      label: `step ${steps.stepId[i]}: ${stepLabel(kind, steps.running[i], steps.prefillRequests[i], steps.prefillTokens[i])}, ${formatMs(steps.endMs[i] - steps.startMs[i])} ms`,
    };
    (kind === 'decode' ? decodeSteps : prefillSteps).push(interval);
  }
  return { fromMs: from, toMs: to, laneStride, bars: drawnBars, prefillSteps, decodeSteps };
}

export function analyzeFidelity(capture: Capture): FidelityAnalysis {
  const { bars, requests } = prefillBars(capture);
  const peak = prefillPeak(capture, requests);
  const { match, ratios } = decodeGapMatch(capture);
  const partial = {
    schema: FIDELITY_SCHEMA,
    capture: captureInfo(capture),
    steps: stepSummary(capture),
    percentileDefinition: PERCENTILE_DEFINITION,
    prefillBars: bars,
    peak,
    decodeGaps: match,
    requests,
  } as const;
  const report: FidelityReport = { ...partial, verdict: verdict(partial) };
  return { report, timeline: timeline(capture, requests, peak, bars.barMs.p50Ms), gapStepRatios: ratios };
}
