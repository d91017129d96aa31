import { Option, type Command } from 'commander';
import { action } from '../run.js';
import { CheckFailed, UsageError } from '../errors.js';
import { CAPTURE_ARGUMENT_HELP, captureSourcesFromArgs, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';
import { loadCapture } from '../../capture/load.js';
import { shouldUseColor } from '../../report/render/terminal.js';
import { FIT_DEFAULTS, FIT_TARGETS, fitCapture, resolveFitSettings, type FitSettingsReport, type FitTarget } from '../../fit/fitCapture.js';
import type { StepSourceChoice } from '../../fit/stepRows.js';
import { FeatureListError } from '../../fit/features.js';
import { ExportError, coefficientFormatOf, fitReportJson, resolveIdentity, type SimulatorIdentity } from '../../fit/export.js';
import { writeCoefficientFile } from '../../fit/exportFile.js';
import { renderFitReport } from '../../fit/render.js';

interface FitFlags extends CaptureInputFlags {
  target: FitTarget;
  features?: string;
  holdout: string;
  ridge: string;
  warmupSteps: string;
  maxPreempted: string;
  stepSource: StepSourceChoice;
  export?: string;
  json?: boolean;
  md?: boolean;
  modelId?: string;
  gpu?: string;
  tp?: string;
  vllmVersion?: string;
  totalKvBlocks?: string;
}

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

export function registerFit(program: Command): void {
  withCaptureInputs(
    program
      .command('fit')
      .description('fit the alpha (queue wait) / beta (step time) latency model, check it on a time-ordered holdout, export simulator coefficients')
      .argument('<capture...>', 'capture directory and/or capture files (see below)')
      .addOption(new Option('--target <target>', 'what to fit').choices(FIT_TARGETS).default(FIT_DEFAULTS.target))
      .option(
        '--features <list>',
        'features, comma-separated: "+name" adds to the defaults (beta: prefill,decode; alpha: waiting,running,prompt), bare names replace them; ' +
          'beta extras: prefill_sq, decode_context, kv_usage, running; alpha extras: kv_usage, waiting_x_kv, running_x_kv, prompt_x_waiting; qualify with beta: / alpha:',
      )
      .option('--holdout <fraction>', 'latest fraction of samples held out for testing (time-ordered, never random)', String(FIT_DEFAULTS.holdout))
      .option('--ridge <lambda>', 'ridge penalty on standardized coefficients (0 = ordinary least squares)', String(FIT_DEFAULTS.ridge))
      .option('--warmup-steps <n>', 'engine steps at the start excluded as warm-up', String(FIT_DEFAULTS.warmupSteps))
      .option('--max-preempted <n>', 'exclude steps that preempted more than this many requests', String(FIT_DEFAULTS.maxPreemptedPerStep))
      .addOption(
        new Option('--step-source <source>', 'step stream for beta: OTLP summaries (exact batches) or the sidecar (every step); auto prefers OTLP unless it has under half the sidecar\'s timed steps')
          .choices(['auto', 'otlp', 'sidecar'])
          .default(FIT_DEFAULTS.stepSource),
      )
      .option('--export <file>', 'write coefficients: .yaml/.yml (simulator file, formats.md §3b) or .json (with diagnostics)')
      .option('--json', 'print the full fit report as JSON')
      .option('--md', 'print the report as Markdown')
      .option('--model-id <id>', 'model id for the coefficient file (default: the capture\'s model, lower-cased)')
      .option('--gpu <name>', 'GPU for the coefficient file (default: the capture\'s meta)')
      .option('--tp <n>', 'tensor parallelism for the coefficient file (default: the capture\'s meta)')
      .option('--vllm-version <version>', 'vLLM version for the coefficient file (default: the capture\'s meta)')
      .option('--total-kv-blocks <n>', 'KV blocks for the coefficient file (default: kv.blocks_total_gpu from OTLP step summaries)')
      .addHelpText('after', `${CAPTURE_ARGUMENT_HELP}\n\nRules, units and the coefficient file schema: docs/fit.md.`),
  ).action(
    action(async (captureArgs: string[], flags: FitFlags) => {
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
    }),
  );
}
