/**
 * The lifecycle report's forms, all from one ReportDocument
 * (report/render): the verdict, the per-stage table (N/avg/min/p50/p99/max
 * ms, %E2E with heat colours) and the E2E split as a stacked bar — an SVG
 * figure in HTML, a one-line bar of coloured blocks in the terminal (drawn
 * here: the document's figures are HTML-only). Markdown and HTML come from
 * `lifecycleDocument` through report/output.ts like every other report.
 */
import type { TopLevelSpec } from 'vega-lite';
import { Chalk } from 'chalk';
import { figure, heading, list, paragraph, tableBlock, type ReportDocument } from './render/document.js';
import { formatMs, formatPercent } from './render/format.js';
import { renderTerminal } from './render/terminal.js';
import type { Cell, Table, Tone } from './render/table.js';
import type { LifecycleReport, StageStats, VerdictKind } from './lifecycle.js';

/** Overheads read as a warning, compute-bound as expected. */
const VERDICT_TONE: Record<VerdictKind, Tone> = {
  'API-overhead-bound': 'warn',
  'queue-bound': 'warn',
  'prefill-bound': 'good',
  'decode-bound': 'good',
  'no-data': 'muted',
};

/** One colour per split segment, shared by the terminal bar and the SVG. */
const SPLIT_COLORS: Record<LifecycleReport['split'][number]['key'], { hex: string; terminal: 'magenta' | 'red' | 'yellow' | 'green' | 'blue' | 'gray'; glyph: string }> = {
  api_in: { hex: '#b279a2', terminal: 'magenta', glyph: 'I' },
  queue: { hex: '#e45756', terminal: 'red', glyph: 'Q' },
  prefill: { hex: '#f58518', terminal: 'yellow', glyph: 'P' },
  decode: { hex: '#54a24b', terminal: 'green', glyph: 'D' },
  api_out: { hex: '#4c78a8', terminal: 'blue', glyph: 'O' },
  unattributed: { hex: '#bab0ac', terminal: 'gray', glyph: '.' },
};

function stageRow(s: StageStats): Cell[] {
  return [s.label, s.span, s.n, s.avgMs, s.minMs, s.p50Ms, s.p99Ms, s.maxMs, s.shareOfE2e];
}

function stageTable(report: LifecycleReport): Table {
  return {
    columns: [
      { header: 'stage' },
      { header: 'events' },
      { header: 'N' },
      { header: 'avg ms', format: formatMs, heat: true },
      { header: 'min ms', format: formatMs },
      { header: 'p50 ms', format: formatMs, heat: true },
      { header: 'p99 ms', format: formatMs, heat: true },
      { header: 'max ms', format: formatMs },
      { header: '%E2E', format: (v: number) => formatPercent(v), heat: true },
    ],
    rows: report.stages.map(stageRow),
  };
}

/** The E2E split as a horizontal stacked bar (vega-lite → SVG in the HTML form). */
export function splitBarSpec(report: LifecycleReport): TopLevelSpec {
  const segments = report.split.filter((s) => s.share > 0);
  return {
    title: 'Where end-to-end time goes',
    width: 620,
    height: 36,
    data: { values: segments.map((s, order) => ({ stage: s.label, share: s.share, order })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'share', type: 'quantitative', stack: 'zero', title: 'share of E2E', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
      color: {
        field: 'stage',
        type: 'nominal',
        title: null,
        sort: segments.map((s) => s.label),
        scale: { domain: segments.map((s) => s.label), range: segments.map((s) => SPLIT_COLORS[s.key].hex) },
      },
      order: { field: 'order', type: 'quantitative' },
    },
  };
}

export function lifecycleDocument(report: LifecycleReport): ReportDocument {
  const basis =
    report.apiSideE2e === report.withE2e
      ? 'E2E = DEPARTED − ARRIVED'
      : `E2E = DEPARTED − ARRIVED for ${report.apiSideE2e}, QUEUED → FINISHED (engine side) for ${report.withE2e - report.apiSideE2e}`;
  const blocks = [
    paragraph(report.verdict.text, VERDICT_TONE[report.verdict.kind]),
    tableBlock(stageTable(report), `${report.requests} request journeys, ${report.withE2e} with an E2E (${basis}); times in ms, %E2E = stage total ÷ E2E total`),
    paragraph(
      `E2E: N ${report.e2e.n}, avg ${formatMs(report.e2e.avgMs)} ms, p50 ${formatMs(report.e2e.p50Ms)} ms, p99 ${formatMs(report.e2e.p99Ms)} ms, max ${formatMs(report.e2e.maxMs)} ms. ` +
        'Preempted time lies inside prefill/decode and is not part of the split.',
    ),
    heading('E2E split'),
    list(report.split.map((s) => `${s.label}: ${formatPercent(s.share)}`)),
    figure(splitBarSpec(report), 'Share of total end-to-end time per stage (unattributed: API time no event covers, e.g. without HANDOFF_TO_CORE).'),
  ];
  return { title: 'vcr report lifecycle: where request time goes', subtitle: report.source, blocks };
}

/** Shares below 0.05% round to 0.0% and would only clutter the legend. */
const LEGEND_MIN_SHARE = 0.0005;

/**
 * A one-line bar of `width` blocks, segments sized by largest remainder so
 * they always fill the line. Without colour each block is its stage's
 * letter (I Q P D O, `.` unattributed) so the bar still reads.
 */
export function terminalSplitBar(report: LifecycleReport, options: { color: boolean; width?: number }): string {
  const width = options.width ?? 60;
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const exact = report.split.map((s) => s.share * width);
  const cells = exact.map(Math.floor);
  let left = width - cells.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((v, i) => ({ i, r: v - Math.floor(v) })).sort((a, b) => b.r - a.r);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    if (report.split[i].share > 0) {
      cells[i]++;
      left--;
    }
  }
  const paint = (key: keyof typeof SPLIT_COLORS, text: string) => {
    return chalk[SPLIT_COLORS[key].terminal](text);
  };
  const bar = report.split.map((s, i) => paint(s.key, (options.color ? '█' : SPLIT_COLORS[s.key].glyph).repeat(cells[i]))).join('');
  const legend = report.split
    .filter((s) => s.share >= LEGEND_MIN_SHARE)
    .map((s) => `${paint(s.key, options.color ? '█' : SPLIT_COLORS[s.key].glyph)} ${s.label} ${formatPercent(s.share)}`)
    .join('  ');
  return `${bar}\n${legend}`;
}

export function renderLifecycleTerminal(report: LifecycleReport, options: { color: boolean; width?: number }): string {
  // The document's split list is for Markdown; the terminal shows the bar in its place.
  const doc = lifecycleDocument(report);
  const text = renderTerminal({ ...doc, blocks: doc.blocks.filter((b) => b.kind !== 'list' && !(b.kind === 'heading' && b.text === 'E2E split')) }, options);
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  return `${text}\n${chalk.bold.underline('E2E split')}\n\n${terminalSplitBar(report, options)}\n`;
}
