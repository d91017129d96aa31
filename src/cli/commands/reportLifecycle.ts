import { Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { CAPTURE_ARGUMENT_HELP } from '../captureInputs.js';

export interface LifecycleFlags {
  otlp?: string;
  json?: boolean;
  md?: boolean;
  html?: string;
  watch?: boolean;
  interval: string;
  lenient?: boolean;
}

export function registerLifecycleReport(report: Command): void {
  report
    .command('lifecycle')
    .description('per-request stages from OTLP journey events (API in, queue, prefill, decode, API out, preempted) and where E2E time goes')
    .argument('<capture...>', 'the capture (directory or files) holding the OTLP export; with --watch, the OTLP file itself')
    .option('--otlp <file>', 'vLLM OpenTelemetry export (OTLP/JSON lines[.gz], or the collector\'s proto / zstd encodings)')
    .option('--json', 'print the report as JSON')
    .option('--md', 'print the report as Markdown')
    .option('--html <file>', 'also write a self-contained HTML report (SVG stacked bar)')
    .option('--watch', 'follow an OTLP file still being written and redraw as records arrive (Ctrl-C stops)')
    .addOption(new Option('--interval <ms>', 'poll period for --watch').default('500'))
    .option('--lenient', 'skip bad lines (prints how many and the first reasons) instead of failing')
    .addHelpText(
      'after',
      `${CAPTURE_ARGUMENT_HELP}\n\nVerdict rule: the largest share of total E2E among API overhead (in + out), queue, prefill and decode.\n` +
        'With --watch the argument is the OTLP file (it may not exist yet; .gz, proto frames and zstd are re-read on growth).',
    )
    .action(lazyAction(async () => (await import('../actions/reportLifecycle.js')).runLifecycleReport));
}
