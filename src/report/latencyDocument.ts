/**
 * The latency report as a document (terminal, Markdown, HTML): an overall
 * table, the per-token vs per-request ITL contrast, one table per metric by
 * concurrency bucket, definitions, and in HTML the ITL distributions and
 * survival curves.
 */
import { binEdges, histogram } from '../stats/histogram.js';
import { survivalCurve } from '../stats/survival.js';
import { captureLine } from './captureInfo.js';
import { distributionTable } from './distributionTable.js';
import { LATENCY_METRIC_KEYS, type LatencyAnalysis, type LatencyMetric } from './latency.js';
import { histogramChart, survivalChart } from './render/charts.js';
import { figure, heading, list, paragraph, tableBlock, type Block, type ReportDocument } from './render/document.js';
import { count } from './render/format.js';

export const METRIC_LABELS: Record<LatencyMetric, string> = {
  ttft: 'TTFT',
  itl: 'ITL per token (pooled gaps)',
  itlRequestMean: 'ITL per-request mean',
  tpot: 'TPOT',
  e2e: 'E2E',
};

const POOLED = 'per token (pooled gaps)';
const PER_REQUEST = 'per-request mean';
const HISTOGRAM_BINS = 60;

function itlFigures(analysis: LatencyAnalysis): Block[] {
  const { itl, itlRequestMean, ttft, e2e } = analysis.samples;
  const blocks: Block[] = [];
  if (itl.length > 0 && itlRequestMean.length > 0) {
    // Log-spaced bins: ITL spans decode steps (ms) and prefill stalls (100s of ms) in one sample.
    const lo = Math.max(Math.min(itl[0], itlRequestMean[0]), 1e-3);
    const hi = Math.max(itl[itl.length - 1], itlRequestMean[itlRequestMean.length - 1]);
    if (hi > lo) {
      const edges = binEdges(lo, hi, HISTOGRAM_BINS, 'log');
      blocks.push(
        figure(
          histogramChart({
            title: 'ITL: per token vs per-request mean',
            xTitle: 'inter-token latency (ms, log scale)',
            logX: true,
            series: [
              { name: POOLED, bins: histogram(itl, edges) },
              { name: PER_REQUEST, bins: histogram(itlRequestMean, edges) },
            ],
          }),
          'Every gap counted once (blue) against one mean per request (orange). Per-request means pile up near the typical decode step and lose the stalls in the right-hand tail.',
        ),
      );
    }
    blocks.push(
      figure(
        survivalChart({
          title: 'ITL tail: per token vs per-request mean',
          xTitle: 'inter-token latency (ms)',
          series: [
            { name: POOLED, points: survivalCurve(itl) },
            { name: PER_REQUEST, points: survivalCurve(itlRequestMean) },
          ],
        }),
        'Fraction of samples above x, log scale: the p99 sits at 10⁻², the p99.9 at 10⁻³.',
      ),
    );
  }
  if (ttft.length > 0) {
    blocks.push(
      figure(
        survivalChart({
          title: 'TTFT and E2E tails',
          xTitle: 'latency (ms, log scale)',
          logX: true,
          series: [
            { name: 'TTFT', points: survivalCurve(ttft) },
            { name: 'E2E', points: survivalCurve(e2e) },
          ],
        }),
        'Fraction of requests slower than x, log scale.',
      ),
    );
  }
  return blocks;
}

export function latencyDocument(analysis: LatencyAnalysis): ReportDocument {
  const { report } = analysis;
  const overallRows: [string, (typeof report.overall)[LatencyMetric]][] = LATENCY_METRIC_KEYS.map((key) => [METRIC_LABELS[key], report.overall[key]]);
  if (report.queueWait) overallRows.push([`queue wait (${report.queueWait.source})`, report.queueWait.distribution]);
  const blocks: Block[] = [
    heading('Overall'),
    tableBlock(distributionTable('metric (ms)', overallRows)),
    paragraph(report.itlContrast.statement),
    ...itlFigures(analysis),
    heading('By concurrency bucket'),
  ];
  for (const key of LATENCY_METRIC_KEYS) {
    const rows: [string, (typeof report.overall)[LatencyMetric]][] = report.byBucket.map((row) => [row.bucket, row[key]]);
    blocks.push(tableBlock(distributionTable('concurrency', rows, { heatP99: true }), `${METRIC_LABELS[key]} (ms)`));
  }
  const notes = [
    report.percentileDefinition,
    report.buckets.definition,
    ...LATENCY_METRIC_KEYS.map((key) => report.metrics[key]),
  ];
  if (report.queueWait) {
    notes.push(
      report.queueWait.source === 'journey'
        ? 'Queue wait: first SCHEDULED − QUEUED per OTLP request journey (overall only: journeys are not matched to trace rows).'
        : 'Queue wait: gen_ai.latency.time_in_queue of upstream vLLM request spans (overall only).',
    );
  }
  if (report.capture.withoutArrival > 0) notes.push(`${count(report.capture.withoutArrival, 'request')} without arrival_ms: counted in every statistic here.`);
  blocks.push(heading('Definitions'), list(notes));
  return { title: 'Latency report', subtitle: captureLine(report.capture), blocks };
}
