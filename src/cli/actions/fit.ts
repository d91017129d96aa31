import { loadCapture } from '../../capture/load.js';
import { shouldUseColor } from '../../report/render/terminal.js';
import { fitCapture, resolveFitSettings, type FitSettingsReport } from '../../fit/fitCapture.js';
import { FeatureListError } from '../../fit/features.js';
import { ExportError, coefficientFormatOf, fitReportJson, resolveIdentity, type SimulatorIdentity } from '../../fit/export.js';
import { writeCoefficientFile } from '../../fit/exportFile.js';
import { renderFitReport } from '../../fit/render.js';
import type { FitFlags } from '../commands/fit.js';
import { CheckFailed, UsageError } from '../errors.js';
import { captureSourcesFromArgs } from './captureSources.js';

function number(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag} must be a number (got ${JSON.stringify(text)})`);
  return value;
}

function integer(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = number(flag, text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${flag} must be an integer ≥ 0 (got ${text})`);
  return value;
}

function settingsFrom(flags: FitFlags): FitSettingsReport {
  try {
    return resolveFitSettings({
      target: flags.target,
      features: flags.features,
      holdout: number('--holdout', flags.holdout),
      ridge: number('--ridge', flags.ridge),
      warmupSteps: integer('--warmup-steps', flags.warmupSteps),
      maxPreemptedPerStep: integer('--max-preempted', flags.maxPreempted),
      stepSource: flags.stepSource,
    });
  } catch (error) {
    if (error instanceof FeatureListError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

function identityFlags(flags: FitFlags): SimulatorIdentity {
  return {
    id: flags.modelId,
    gpu: flags.gpu,
    tensorParallelism: flags.tp === undefined ? undefined : integer('--tp', flags.tp),
    vllmVersion: flags.vllmVersion,
    totalKvBlocks: integer('--total-kv-blocks', flags.totalKvBlocks),
  };
}

/** `vcr fit` (options: commands/fit.ts). */
export async function runFit(captureArgs: string[], flags: FitFlags): Promise<void> {
  if (flags.json && flags.md) throw new UsageError('--json and --md are exclusive');
  if (flags.export && coefficientFormatOf(flags.export) === undefined) throw new UsageError(`--export ${flags.export}: the file must end in .yaml, .yml or .json`);
  const settings = settingsFrom(flags);
  const overrides = identityFlags(flags);
  const sources = await captureSourcesFromArgs(captureArgs, flags);
  const capture = await loadCapture(sources, { lenient: flags.lenient });
  const report = fitCapture(capture, settings);
  const identity = resolveIdentity(report, overrides);
  if (flags.json) process.stdout.write(fitReportJson(report, identity));
  else process.stdout.write(renderFitReport(report, { format: flags.md ? 'markdown' : 'terminal', color: !flags.md && shouldUseColor(process.stdout) }));
  if (flags.export) {
    try {
      const format = await writeCoefficientFile(flags.export, report, identity);
      process.stderr.write(`vcr fit: wrote ${format === 'yaml' ? 'simulator coefficients' : 'the fit report'} to ${flags.export}\n`);
    } catch (error) {
      if (error instanceof ExportError) throw new CheckFailed(error.message);
      throw error;
    }
  }
}
