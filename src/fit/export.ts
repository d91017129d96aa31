/**
 * Coefficient files (docs/fit.md has the exact schema):
 * - YAML for simulators, formats.md §3b: `models:` with one entry keyed by
 *   (id, GPU, tensor_parallelism, vllm_version), `alpha_coeffs` and
 *   `beta_coeffs` (exactly 3 each, µs), `total_kv_blocks`, `best_loss`;
 * - JSON: the same entry under `simulator`, plus the whole fit report
 *   (every coefficient with standard errors, metrics, exclusions,
 *   identifiability, prediction check).
 * Pure string building; exportFile.ts writes them.
 */
import YAML from 'yaml';
import type { FitReport } from './fitCapture.js';

export const SIMULATOR_UNITS = 'us';

/** The deployment key of a coefficient entry; flags override what the capture says. */
export interface SimulatorIdentity {
  id?: string;
  gpu?: string;
  tensorParallelism?: number;
  vllmVersion?: string;
  totalKvBlocks?: number;
}

/** Export refused: a required value is missing or was not estimated. The message says which and how to supply it. */
export class ExportError extends Error {
  override name = 'ExportError';
}

export interface SimulatorEntry {
  id: string | null;
  GPU: string | null;
  tensor_parallelism: number | null;
  vllm_version: string | null;
  alpha_coeffs: [number, number, number] | null;
  beta_coeffs: [number, number, number] | null;
  total_kv_blocks: number | null;
  best_loss: number | null;
}

/** The capture's identity with `overrides` on top; the model id is lower-cased (formats.md §3b). */
export function resolveIdentity(report: FitReport, overrides: SimulatorIdentity = {}): SimulatorIdentity {
  const capture = report.capture;
  const id = overrides.id ?? capture.model;
  return {
    id: id?.toLowerCase(),
    gpu: overrides.gpu ?? capture.gpu,
    tensorParallelism: overrides.tensorParallelism ?? capture.tensorParallelism,
    vllmVersion: overrides.vllmVersion ?? capture.vllmVersion,
    totalKvBlocks: overrides.totalKvBlocks ?? capture.totalKvBlocks,
  };
}

/** Coefficients rounded to 0.0001 µs: far below any timer's resolution, and the file stays readable. */
function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function roundAll(values: [number, number, number] | null): [number, number, number] | null {
  return values === null ? null : [round(values[0]), round(values[1]), round(values[2])];
}

export function simulatorEntry(report: FitReport, identity: SimulatorIdentity): SimulatorEntry {
  const s = report.simulator;
  return {
    id: identity.id ?? null,
    GPU: identity.gpu ?? null,
    tensor_parallelism: identity.tensorParallelism ?? null,
    vllm_version: identity.vllmVersion ?? null,
    alpha_coeffs: roundAll(s.alphaCoeffsUs),
    beta_coeffs: roundAll(s.betaCoeffsUs),
    total_kv_blocks: identity.totalKvBlocks ?? null,
    best_loss: s.bestLoss === null ? null : round(s.bestLoss),
  };
}

const FLAG_FOR: Record<string, string> = {
  id: '--model-id',
  GPU: '--gpu',
  tensor_parallelism: '--tp',
  vllm_version: '--vllm-version',
  total_kv_blocks: '--total-kv-blocks',
};

/** The YAML file; refuses (ExportError) when any required value is missing rather than writing a file a simulator would misread. */
export function simulatorYaml(report: FitReport, identity: SimulatorIdentity): string {
  const entry = simulatorEntry(report, identity);
  const problems: string[] = [];
  for (const [key, flag] of Object.entries(FLAG_FOR)) {
    if (entry[key as keyof SimulatorEntry] === null) problems.push(`${key} is not in the capture's metadata (pass ${flag})`);
  }
  const why = (notes: string[]) => (notes.length > 0 ? notes.join('; ') : 'not fitted');
  if (entry.alpha_coeffs === null) problems.push(`alpha_coeffs could not be estimated (${why(report.simulator.alphaNotes)})`);
  if (entry.beta_coeffs === null) problems.push(`beta_coeffs could not be estimated (${why(report.simulator.betaNotes)})`);
  if (problems.length > 0) throw new ExportError(`cannot write the simulator coefficient file: ${problems.join('; ')}`);

  const model: Record<string, unknown> = { ...entry };
  if (entry.best_loss === null) delete model.best_loss;
  const doc = new YAML.Document({ models: [model] });
  YAML.visit(doc, {
    Seq(_, node) {
      // Coefficient lists on one line, as simulators' own files write them.
      if (node.items.every((item) => YAML.isScalar(item))) node.flow = true;
    },
  });
  doc.commentBefore = [
    ' Simulator coefficients written by `vcr fit` (schema: docs/fit.md). Units: microseconds.',
    ' step time    = beta0 + beta1 * new prefill tokens + beta2 * decode tokens',
    ` API overhead = alpha0 + alpha1 * input tokens + alpha2 * output tokens   (alpha source: ${report.simulator.alphaSource})`,
    ' best_loss    = MAPE (%) of the beta fit on the time-ordered holdout',
    ...[...report.simulator.alphaNotes, ...report.simulator.betaNotes].map((note) => ` note: ${note}`),
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The JSON file (and `vcr fit --json`): the report with the simulator entry, its units and notes under `simulator`. NaN → null. */
export function fitReportJson(report: FitReport, identity: SimulatorIdentity): string {
  const document = {
    schema: report.schema,
    simulator: {
      ...simulatorEntry(report, identity),
      units: SIMULATOR_UNITS,
      alpha_source: report.simulator.alphaSource,
      alpha_notes: report.simulator.alphaNotes,
      beta_notes: report.simulator.betaNotes,
    },
    capture: report.capture,
    settings: report.settings,
    beta: report.beta,
    alpha: report.alpha,
    prediction: report.prediction,
    warnings: report.warnings,
  };
  // JSON.stringify writes NaN and ±Infinity as null.
  return `${JSON.stringify(document, null, 2)}\n`;
}

export type CoefficientFormat = 'yaml' | 'json';

/** By extension: .yaml / .yml → YAML, .json → JSON; anything else is undefined. */
export function coefficientFormatOf(path: string): CoefficientFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  return undefined;
}
