import { Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { CAPTURE_ARGUMENT_HELP, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';
import { FIT_DEFAULTS, FIT_TARGETS, STEP_SOURCE_CHOICES, type FitTarget } from '../../fit/options.js';
import type { StepSourceChoice } from '../../fit/stepRows.js';

export interface FitFlags extends CaptureInputFlags {
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
          .choices(STEP_SOURCE_CHOICES)
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
  ).action(lazyAction(async () => (await import('../actions/fit.js')).runFit));
}
