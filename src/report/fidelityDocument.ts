/**
 * The fidelity report as a document: the verdict (which view to trust for
 * what) first, then the prefill-bar split, the peak, the decode-gap match,
 * the requests that waited longest, and in HTML a timeline strip of prefill
 * bars against the steps that ran prefill, around the peak.
 */
import { binEdges, histogram } from '../stats/histogram.js';
import { captureLine } from './captureInfo.js';
import type { FidelityAnalysis, FidelityReport } from './fidelity.js';
import { histogramChart, intervalStripChart, SERIES_COLORS } from './render/charts.js';
import { figure, heading, list, paragraph, tableBlock, type Block, type ReportDocument } from './render/document.js';
import { count, fixed, formatMs, formatPercent } from './render/format.js';
import type { Table } from './render/table.js';

const WORST_REQUESTS = 10;
const RATIO_BINS = 60;
const RATIO_MAX = 3;

function barSplitTable(report: FidelityReport): Table {
  const b = report.prefillBars;
  const share = (ms: number) => (b.totalBarMs > 0 ? ms / b.totalBarMs : NaN);
  return {
    columns: [{ header: 'prefill bar time' }, { header: 'total ms', format: formatMs }, { header: 'share', format: (v) => formatPercent(v), heat: true }],
    rows: [
      ['under steps that ran prefill', b.totalPrefillStepMs, share(b.totalPrefillStepMs)],
      ['queue wait: under decode-only steps', b.totalQueueDecodeStepMs, share(b.totalQueueDecodeStepMs)],
      ['queue wait: no step recorded', b.totalQueueNoStepMs, share(b.totalQueueNoStepMs)],
    ],
  };
}

function perRequestTable(report: FidelityReport): Table {
  const b = report.prefillBars;
  const ms = { format: formatMs };
  const rows: [string, typeof b.barMs][] = [
    ['bar (TTFT)', b.barMs],
    ['under prefill steps', b.prefillStepMs],
    ['queue wait', b.queueMs],
  ];
  return {
    columns: [{ header: 'per request (ms)' }, { header: 'count' }, { header: 'mean', ...ms }, { header: 'p50', ...ms }, { header: 'p90', ...ms }, { header: 'p99', ...ms }, { header: 'max', ...ms }],
    rows: rows.map(([label, d]) => [label, d.count, d.meanMs, d.p50Ms, d.p90Ms, d.p99Ms, d.maxMs]),
  };
}

function gapTable(report: FidelityReport): Table {
  const g = report.decodeGaps;
  const share = (n: number) => (g.gaps > 0 ? n / g.gaps : NaN);
  const unmatched = g.gaps - g.matched;
  return {
    columns: [{ header: 'decode gaps' }, { header: 'count' }, { header: 'share', format: (v) => formatPercent(v), heat: true }],
    rows: [
      [`within ${formatPercent(g.tolerance, 0)} of their step`, g.withinTolerance, share(g.withinTolerance)],
      ['longer than their step', g.longer, share(g.longer)],
      ['shorter than their step', g.shorter, share(g.shorter)],
      ['no step end nearby', unmatched, share(unmatched)],
    ],
  };
}

function worstRequestsTable(report: FidelityReport): Table {
  const worst = [...report.requests].sort((a, b) => b.queueMs - a.queueMs || a.id - b.id).slice(0, WORST_REQUESTS);
  const ms = { format: formatMs };
  return {
    columns: [
      { header: 'request' },
      { header: 'arrival ms', ...ms },
      { header: 'bar ms', ...ms },
      { header: 'prefill steps ms', ...ms },
      { header: 'queue ms', ...ms },
      { header: 'queue share', format: (v) => formatPercent(v) },
      { header: 'prefill steps' },
    ],
    rows: worst.map((r) => [r.id, r.arrivalMs, r.barMs, r.prefillStepMs, r.queueMs, r.barMs > 0 ? r.queueMs / r.barMs : NaN, r.prefillSteps]),
  };
}

function figures(analysis: FidelityAnalysis): Block[] {
  const { timeline, gapStepRatios } = analysis;
  const blocks: Block[] = [];
  if (timeline.bars.length > 0 || timeline.prefillSteps.length > 0) {
    const strip = (intervals: typeof timeline.bars) => intervals.map((v) => ({ start: v.startMs, end: v.endMs, row: v.row, label: v.label }));
    blocks.push(
      figure(
        intervalStripChart({
          title: `Prefill bars vs prefill steps, ${formatMs(timeline.fromMs)}–${formatMs(timeline.toMs)} ms`,
          xTitle: 'capture clock (ms)',
          domain: [timeline.fromMs, timeline.toMs],
          tracks: [
            { name: 'prefill bars', intervals: strip(timeline.bars), color: SERIES_COLORS[0] },
            { name: 'prefill steps', intervals: strip(timeline.prefillSteps), color: SERIES_COLORS[1], outline: true },
            { name: 'decode steps', intervals: strip(timeline.decodeSteps), color: '#b7c2cc', outline: true },
          ],
        }),
        'Around the moment the most prefill bars overlapped. Top: each request\'s arrival → first token, one row per timeline lane' +
          (timeline.laneStride > 1 ? ` (every ${timeline.laneStride}th lane of a crowded window)` : '') +
          '. Middle: the steps that ran prefill work. Bottom: decode-only steps. Bar time with no orange step beneath it is queue wait.',
      ),
    );
  }
  if (gapStepRatios.length > 0) {
    blocks.push(
      figure(
        histogramChart({
          title: 'Decode gap ÷ duration of the step that delivered the token',
          xTitle: `ratio (bins up to ${RATIO_MAX}; larger ratios not drawn)`,
          series: [{ name: 'matched decode gaps', bins: histogram(gapStepRatios, binEdges(0, RATIO_MAX, RATIO_BINS)) }],
        }),
        'A spike at 1 means ITL is the step time; mass at 2, 3, … means tokens that sat out whole steps.',
      ),
    );
  }
  return blocks;
}

export function fidelityDocument(analysis: FidelityAnalysis): ReportDocument {
  const { report } = analysis;
  const { peak, steps } = report;
  const peakText =
    peak.bars > 0
      ? `Peak: ${peak.bars} prefill bars open at once from ${formatMs(peak.fromMs)} to ${formatMs(peak.toMs)} ms (${formatMs(peak.toMs - peak.fromMs)} ms); ` +
        `steps that ran prefill in that window: ${peak.prefillSteps}, prefilling ${count(peak.prefillRequests, 'request')} (${count(peak.prefillTokens, 'token')}).`
      : 'No prefill bar has a positive length on the clock.';
  const blocks: Block[] = [
    heading('Verdict: which view to trust for what'),
    ...report.verdict.map((text) => paragraph(text)),
    heading('Prefill bars: queue wait vs steps that ran prefill'),
    tableBlock(barSplitTable(report), `${formatMs(report.prefillBars.totalBarMs)} ms of prefill bars (arrival → first token) over ${report.prefillBars.requests} requests:`),
    tableBlock(perRequestTable(report)),
    paragraph(
      `While steps with prefill work ran, ${fixed(1)(report.prefillBars.meanOpenBarsDuringPrefillSteps)} prefill bars were open on average (time-weighted); ` +
        `each such step prefilled ${fixed(1)(steps.meanPrefillRequests)} requests on average.`,
    ),
    paragraph(peakText),
    heading('Decode gaps vs step durations'),
    tableBlock(gapTable(report)),
    paragraph(
      `Median |gap − step| / step ${formatPercent(report.decodeGaps.medianAbsRelDiff)}; median distance from a token to the nearest step end ${formatMs(report.decodeGaps.medianEndOffsetMs)} ms.`,
    ),
    ...figures(analysis),
    heading(`Requests that waited longest (top ${WORST_REQUESTS})`),
    tableBlock(worstRequestsTable(report)),
  ];
  const notes = [
    `Steps: ${steps.count} from ${steps.source} (${steps.withPrefill} ran prefill work; ${steps.wallKnown} with a known wall time, mean ${formatMs(steps.meanDurationMs)} ms).`,
    'Prefill bar: arrival → first token of a request. Time under steps that ran prefill work (prefill or prefill+decode) is an upper bound on the request\'s own prefill: those steps may have been prefilling other requests. The rest is queue wait.',
    `A decode gap is compared with the step whose end is nearest the gap's end (within half that step's duration); it matches when they differ by at most ${formatPercent(report.decodeGaps.tolerance, 0)} of the step.`,
    report.percentileDefinition,
  ];
  if (report.prefillBars.withoutArrival > 0) notes.push(`${count(report.prefillBars.withoutArrival, 'request')} without arrival_ms left out: they cannot be placed on the clock.`);
  if (report.prefillBars.barsWithoutPrefillStep > 0) notes.push(`${count(report.prefillBars.barsWithoutPrefillStep, 'prefill bar')} overlapping no step that ran prefill at all (missing steps or clocks out of line).`);
  blocks.push(heading('Definitions'), list(notes));
  return { title: 'Fidelity report: request view vs step view', subtitle: captureLine(report.capture), blocks };
}
