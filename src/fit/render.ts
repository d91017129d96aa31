/**
 * The fit report as a ReportDocument (src/report/render), so the terminal,
 * Markdown and HTML forms say the same thing: per target the exclusions,
 * coefficients with classical and robust standard errors (and the
 * generator's true values on `vcr gen` captures), goodness of fit on both
 * sides of the time-ordered split, the prediction check, and the
 * simulator's fixed-form coefficients.
 */
import { heading, list, paragraph, tableBlock, type Block, type ReportDocument } from '../report/render/document.js';
import { fixed, formatMs, formatPercent, formatSignedPercent } from '../report/render/format.js';
import { renderMarkdown } from '../report/render/markdown.js';
import { renderTerminal } from '../report/render/terminal.js';
import { toned, type Cell, type Table } from '../report/render/table.js';
import type { Exclusion } from './exclusions.js';
import type { FitReport } from './fitCapture.js';
import { RESIDUAL_QUANTILES, quantileKey, type FitMetrics } from './metrics.js';
import type { CoefficientEstimate, ModelFit } from './modelFit.js';
import { COMPARED_QUANTILES, type DistributionComparison } from './predictionCheck.js';

/** Coefficient name → true value, for tables on `vcr gen` captures. */
type Truth = ReadonlyMap<string, number>;

const value4 = fixed(4);
const value2 = fixed(2);
const value1 = fixed(1);

function coefficientTable(fit: ModelFit, truth: Truth | undefined): Table {
  const columns = [
    { header: 'coefficient' },
    { header: 'value', format: value4 },
    { header: '± SE', format: value4 },
    { header: '± robust SE', format: value4 },
    { header: 'unit' },
    ...(truth ? [{ header: 'true', format: value4 }, { header: 'error', align: 'right' as const }] : []),
    { header: 'status' },
  ];
  const rows = fit.coefficients.map((c): Cell[] => {
    const trueValue = truth?.get(c.name);
    const error = trueValue !== undefined && c.value !== null ? relativeOrAbsolute(c.value, trueValue) : null;
    return [
      c.name,
      c.value,
      c.stdError,
      c.robustStdError,
      c.unit,
      ...(truth ? [trueValue ?? null, error] : []),
      statusCell(c),
    ];
  });
  return { columns, rows };
}

function relativeOrAbsolute(value: number, truth: number): string {
  return truth === 0 ? `${value >= 0 ? '+' : ''}${value.toFixed(4)}` : formatSignedPercent((value - truth) / Math.abs(truth));
}

function statusCell(c: CoefficientEstimate): Cell {
  switch (c.status) {
    case 'constant':
    case 'collinear':
      return toned(`unidentifiable (${c.status})`, 'warn');
    case 'unavailable':
      return toned('unavailable', 'warn');
    case 'not-fitted':
      return toned('not fitted', 'muted');
    case 'estimated':
      // Weak: the data barely vary this feature, so its robust 95% interval includes 0.
      if (c.value !== null && c.robustStdError !== null && Math.abs(c.value) < 2 * c.robustStdError) return toned('weak (|value| < 2 robust SE)', 'warn');
      return 'ok';
  }
}

function metricsTable(fit: ModelFit): Table {
  const columns = [
    { header: 'set' },
    { header: 'n' },
    { header: 'R²', format: fixed(4) },
    { header: 'RMSE µs', format: value1 },
    { header: 'MAPE', format: (v: number) => formatPercent(v / 100, 2) },
    ...RESIDUAL_QUANTILES.map((p) => ({ header: `resid ${quantileKey(p)}`, format: value1 })),
  ];
  const row = (name: string, m: FitMetrics | null): Cell[] =>
    m === null ? [name, 0, null, null, null, ...RESIDUAL_QUANTILES.map(() => null)] : [name, m.n, m.r2, m.rmse, m.mapePct, ...RESIDUAL_QUANTILES.map((p) => m.residualQuantiles[quantileKey(p)])];
  return { columns, rows: [row('train', fit.train), row('test (holdout)', fit.test)] };
}

function exclusionText(excluded: readonly Exclusion[]): string {
  const parts = excluded.map((e) => `${e.rule} ${e.count}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function sampleParagraph(fit: ModelFit, unit: string): Block {
  const s = fit.samples;
  const split = s.splitTimeMs === null ? 'no holdout' : `test = ${unit} from ${(s.splitTimeMs / 1000).toFixed(2)} s on (time-ordered)`;
  return paragraph(
    `${s.extracted} ${unit} extracted, ${s.used} kept (train ${s.train}, test ${s.test}; ${split}). ` +
      `Excluded: ${exclusionText(s.excluded)}. Method: ${fit.method === 'ridge' ? `ridge, λ = ${fit.ridge}` : 'OLS (QR)'}; ` +
      `condition number ${Number.isFinite(fit.identifiability.conditionNumber) ? fit.identifiability.conditionNumber.toFixed(1) : 'n/a'}.`,
  );
}

function modelBlocks(fit: ModelFit, unit: string, truth: Truth | undefined): Block[] {
  const blocks: Block[] = [sampleParagraph(fit, unit)];
  if (fit.status !== 'fitted') blocks.push(paragraph(`Not fitted: ${fit.statusNote}`, 'bad'));
  blocks.push(tableBlock(coefficientTable(fit, truth)));
  if (fit.status === 'fitted') blocks.push(tableBlock(metricsTable(fit)));
  return blocks;
}

function comparisonTable(rows: [string, DistributionComparison | null][]): Table {
  const keys = ['mean', ...COMPARED_QUANTILES.map(quantileKey)];
  const columns = [
    { header: 'quantity' },
    { header: 'statistic' },
    { header: 'observed ms', format: formatMs },
    { header: 'predicted ms', format: formatMs },
    { header: 'error', align: 'right' as const },
  ];
  const body: Cell[][] = [];
  for (const [name, c] of rows) {
    if (c === null) continue;
    keys.forEach((k, i) => {
      body.push([i === 0 ? `${name} (n=${c.n})` : '', k, c.observed[k] / 1000, c.predicted[k] / 1000, errorCell(c.relativeError[k])]);
    });
  }
  return { columns, rows: body };
}

/** Within 10% reads as good, beyond 25% as bad. */
function errorCell(relative: number): Cell {
  const magnitude = Math.abs(relative);
  return toned(formatSignedPercent(relative), magnitude <= 0.1 ? 'good' : magnitude <= 0.25 ? 'warn' : 'bad');
}

export function fitReportDocument(report: FitReport): ReportDocument {
  const c = report.capture;
  const truth = c.groundTruth;
  const betaTruth: Truth | undefined = truth
    ? new Map(['intercept', 'prefill', 'decode', 'decode_context'].map((name, i) => [name, truth.betaCoeffsUs[i]] as const).filter(([, v]) => v !== undefined))
    : undefined;
  const deployment = [c.model, c.gpu, c.tensorParallelism !== undefined ? `TP ${c.tensorParallelism}` : undefined, c.vllmVersion ? `vLLM ${c.vllmVersion}` : undefined]
    .filter(Boolean)
    .join(' · ');
  const blocks: Block[] = [];
  if (report.warnings.length > 0) blocks.push(heading('Read this first'), list(report.warnings));

  if (report.beta) {
    const beta = report.beta;
    blocks.push(heading('Beta: step time'));
    const source = beta.stepSource === 'otlp' ? 'OTLP step summaries' : beta.stepSource === 'sidecar' ? 'the step-stats sidecar' : 'none';
    blocks.push(paragraph(`Steps from ${source}: ${beta.stepsWithWallTime} of ${beta.steps} have a known wall time (the target; never step.duration_us).`));
    if (beta.unavailable) blocks.push(paragraph(`Not fitted: ${beta.unavailable}`, 'bad'));
    if (beta.fit) blocks.push(...modelBlocks(beta.fit, 'steps', betaTruth));
    const trueContextCost = truth?.betaCoeffsUs[3] ?? 0;
    if (beta.fit && trueContextCost > 0 && !beta.fit.coefficients.some((c) => c.name === 'decode_context')) {
      blocks.push(
        paragraph(
          `This generated capture's true step time also has a context term (β3 = ${trueContextCost} µs per 1k decode-context tokens): ` +
            'without --features +decode_context its cost is folded into the intercept and decode, so they differ from the truth.',
          'warn',
        ),
      );
    }
    if (beta.simulatorForm) {
      blocks.push(paragraph('Simulator form (intercept, prefill, decode), the β written to the coefficient file:'));
      blocks.push(...modelBlocks(beta.simulatorForm, 'steps', betaTruth));
    }
  }

  if (report.alpha) {
    const alpha = report.alpha;
    blocks.push(heading('Alpha: queue wait (first SCHEDULED − QUEUED)'));
    if (alpha.unavailable) blocks.push(paragraph(`Not fitted: ${alpha.unavailable}`, 'bad'));
    if (alpha.fit) blocks.push(...modelBlocks(alpha.fit, 'requests', undefined));
    if (alpha.summaryAgeMs) {
      blocks.push(
        paragraph(
          `Queue state is taken from the last sampled step summary before QUEUED; its age: p50 ${formatMs(alpha.summaryAgeMs.p50)} ms, p99 ${formatMs(alpha.summaryAgeMs.p99)} ms, max ${formatMs(alpha.summaryAgeMs.max)} ms.`,
        ),
      );
    }
    const apiTruth = (names: [string, number | undefined][]): Truth | undefined =>
      truth ? new Map(names.filter((entry): entry is [string, number] => entry[1] !== undefined)) : undefined;
    if (alpha.apiIngress) {
      blocks.push(heading('API ingress (QUEUED − ARRIVED): the simulator\'s α0 + α1·input tokens'));
      blocks.push(...modelBlocks(alpha.apiIngress, 'requests', apiTruth([['intercept', truth?.alphaCoeffsUs[0]], ['prompt', truth?.alphaCoeffsUs[1]]])));
    }
    if (alpha.apiEgress) {
      blocks.push(heading('API egress (DEPARTED − FINISHED): the simulator\'s α2·output tokens'));
      blocks.push(...modelBlocks(alpha.apiEgress, 'requests', apiTruth([['intercept', truth ? 0 : undefined], ['output', truth?.alphaCoeffsUs[2]]])));
    }
  }

  if (report.prediction) {
    const p = report.prediction;
    blocks.push(heading('Prediction check on held-out requests'));
    blocks.push(
      paragraph(
        `${p.heldOutRequests} requests queued after the split (${(p.splitTimeMs / 1000).toFixed(2)} s). Prefill = Σ β̂ over the steps from first SCHEDULED to FIRST_TOKEN; ` +
          'TTFT (engine side, QUEUED → FIRST_TOKEN) = α̂ + that prefill; ITL = β̂ of each decode step vs its wall time, pooled over requests. ' +
          `Skipped: ${exclusionText(p.skipped)}.`,
      ),
    );
    blocks.push(
      tableBlock(
        comparisonTable([
          ['TTFT', p.ttft],
          ['prefill', p.prefill],
          ['ITL (per step)', p.itl],
        ]),
      ),
    );
  }

  const s = report.simulator;
  blocks.push(heading('Simulator coefficients (µs)'));
  const simulatorTruth = truth ? [...truth.alphaCoeffsUs.slice(0, 3), ...truth.betaCoeffsUs.slice(0, 3)] : undefined;
  const simulatorRows: Cell[][] = ['α0', 'α1', 'α2', 'β0', 'β1', 'β2'].map((name, i) => {
    const values = i < 3 ? s.alphaCoeffsUs : s.betaCoeffsUs;
    const v = values === null ? null : values[i % 3];
    return [name, v, ...(simulatorTruth ? [simulatorTruth[i] ?? null] : [])];
  });
  blocks.push(
    tableBlock(
      {
        columns: [{ header: 'coefficient' }, { header: 'value', format: value4 }, ...(simulatorTruth ? [{ header: 'true (generator)', format: value2 }] : [])],
        rows: simulatorRows,
      },
      `alpha source: ${s.alphaSource}; best_loss (β holdout MAPE): ${s.bestLoss === null ? 'n/a' : `${s.bestLoss.toFixed(2)}%`}`,
    ),
  );
  const notes = [...s.alphaNotes.map((n) => `α: ${n}`), ...s.betaNotes.map((n) => `β: ${n}`)];
  if (notes.length > 0) blocks.push(list(notes));

  return { title: 'vcr fit: alpha/beta regression', subtitle: [deployment, c.otlp ?? c.trace ?? c.stepStats].filter(Boolean).join(' — '), blocks };
}

export type FitRenderFormat = 'terminal' | 'markdown';

export function renderFitReport(report: FitReport, options: { format?: FitRenderFormat; color?: boolean } = {}): string {
  const doc = fitReportDocument(report);
  return options.format === 'markdown' ? renderMarkdown(doc) : renderTerminal(doc, { color: options.color ?? false });
}
