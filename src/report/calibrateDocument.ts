/**
 * The calibration report as a document: the verdict first (it is what a CI
 * log reader needs), then per metric a side-by-side table of the compared
 * numbers per bucket, the KS distances, the definitions, and in HTML the
 * survival curves and Q-Q plots of TTFT and ITL.
 */
import { qqPairs } from '../stats/qq.js';
import { survivalCurve } from '../stats/survival.js';
import {
  CALIBRATE_METRIC_KEYS,
  METRIC_NAMES,
  type CalibrateMetric,
  type CalibrationAnalysis,
  type CalibrationRow,
  type Check,
  type Compared,
} from './calibrate.js';
import { captureLine } from './captureInfo.js';
import { qqChart, survivalChart } from './render/charts.js';
import { figure, heading, list, paragraph, tableBlock, type Block, type ReportDocument } from './render/document.js';
import { fixed, formatMs, formatSignedPercent } from './render/format.js';
import { toned, type Cell, type Table } from './render/table.js';

const QUANTITIES = ['p50', 'p90', 'p99', 'p99/p50'] as const;

function checkCell(check: Check | undefined): Cell {
  if (!check) return toned('–', 'muted');
  return check.pass ? toned('pass', 'good') : toned('FAIL', 'bad');
}

function comparisonTable(metric: CalibrateMetric, rows: CalibrationRow[], checks: Map<string, Check>): Table {
  const cells: Cell[][] = [];
  for (const row of rows) {
    const comparison = row[metric];
    QUANTITIES.forEach((quantity, k) => {
      const c: Compared = quantity === 'p99/p50' ? comparison.tailRatio : comparison.quantiles[quantity];
      // Tail ratios are unitless; print them with two decimals instead of as ms.
      const value = (v: number): Cell => (quantity === 'p99/p50' ? `${fixed(2)(v)}×` : v);
      const check = checks.get(`${row.bucket}|${metric}|${quantity}`);
      const error = check && !check.pass ? toned(formatSignedPercent(c.relError), 'bad') : formatSignedPercent(c.relError);
      cells.push([k === 0 ? row.bucket : '', quantity, value(c.source), value(c.replay), error, checkCell(check)]);
    });
  }
  return {
    columns: [
      { header: 'concurrency' },
      { header: 'quantity' },
      { header: 'source', format: formatMs, align: 'right' },
      { header: 'replay', format: formatMs, align: 'right' },
      { header: 'rel. error', align: 'right' },
      { header: 'gate' },
    ],
    rows: cells,
  };
}

function ksTable(rows: CalibrationRow[]): Table {
  return {
    columns: [
      { header: 'concurrency' },
      { header: 'requests (src)' },
      { header: 'requests (replay)' },
      { header: 'gaps (src)' },
      { header: 'gaps (replay)' },
      ...CALIBRATE_METRIC_KEYS.map((key) => ({ header: `KS ${METRIC_NAMES[key]}`, format: fixed(3), heat: true })),
    ],
    rows: rows.map((row) => [row.bucket, row.sourceRequests, row.replayRequests, row.itl.sourceCount, row.itl.replayCount, ...CALIBRATE_METRIC_KEYS.map((key) => row[key].ks)]),
  };
}

function figures(analysis: CalibrationAnalysis): Block[] {
  const { source, replay } = analysis.samples;
  const blocks: Block[] = [];
  for (const metric of ['ttft', 'itl'] as const) {
    if (source[metric].length === 0 || replay[metric].length === 0) continue;
    const name = METRIC_NAMES[metric];
    blocks.push(
      figure(
        survivalChart({
          title: `${name}: survival, source vs replay`,
          xTitle: `${name} (ms)`,
          series: [
            { name: 'source', points: survivalCurve(source[metric]) },
            { name: 'replay', points: survivalCurve(replay[metric]) },
          ],
        }),
        `Fraction of ${metric === 'ttft' ? 'requests' : 'gaps'} above x on a log scale: the tails (p99 at 10⁻², p99.9 at 10⁻³) are where models usually part from the engine.`,
      ),
    );
  }
  for (const metric of ['ttft', 'itl'] as const) {
    const pairs = qqPairs(source[metric], replay[metric]);
    if (pairs.length === 0) continue;
    const name = METRIC_NAMES[metric];
    blocks.push(
      figure(
        qqChart({ title: `${name}: Q-Q, replay vs source`, xTitle: `source ${name} (ms)`, yTitle: `replay ${name} (ms)`, points: pairs }),
        'Each point is one quantile of both captures (every percentile from p0.5 to p99.5, plus p95, p99 and p99.9); on the dashed line they agree, above it the replay is slower.',
      ),
    );
  }
  return blocks;
}

export function calibrateDocument(analysis: CalibrationAnalysis): ReportDocument {
  const { report } = analysis;
  const rows = [report.overall, ...report.byBucket];
  const checks = new Map(report.checks.map((check) => [`${check.bucket}|${check.metric}|${check.quantity}`, check]));
  const blocks: Block[] = [heading('Verdict'), paragraph(report.verdict.statement, report.verdict.pass ? 'good' : 'bad'), ...figures(analysis)];
  for (const metric of CALIBRATE_METRIC_KEYS) {
    blocks.push(heading(`${METRIC_NAMES[metric]} (ms)`), tableBlock(comparisonTable(metric, rows, checks)));
  }
  blocks.push(heading('Sample sizes and KS distance'), tableBlock(ksTable(rows), 'Two-sample Kolmogorov–Smirnov distance: the largest gap between the two empirical CDFs (0 = same distribution).'));
  const notes = [
    report.gateDefinition,
    `Relative error = (replay − source) / source; tail ratio = p99 / p50 of each capture.`,
    ...CALIBRATE_METRIC_KEYS.map((key) => report.metrics[key]),
    report.percentileDefinition,
    report.buckets.definition,
  ];
  blocks.push(heading('Definitions'), list(notes));
  return {
    title: 'Calibration report',
    subtitle: `source: ${captureLine(report.source)} — replay: ${captureLine(report.replay)}`,
    blocks,
  };
}
