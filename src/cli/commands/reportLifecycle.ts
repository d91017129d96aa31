import { Option, type Command } from 'commander';
import { action } from '../run.js';
import { UsageError } from '../errors.js';
import { readOtlp } from '../../ingest/otlp/reader.js';
import { LenientLog, stderrWarnings } from '../../ingest/errors.js';
import { lifecycleReport, type LifecycleReport } from '../../report/lifecycle.js';
import { lifecycleDocument, renderLifecycleTerminal } from '../../report/lifecycleRender.js';
import { watchLifecycle } from '../../report/lifecycleWatch.js';
import { documentText, outputFlagConflict, reportJson, writeHtmlReport } from '../../report/output.js';
import { shouldUseColor } from '../../report/render/terminal.js';
import { CAPTURE_ARGUMENT_HELP, captureSourcesFromArgs } from '../captureInputs.js';

interface LifecycleFlags {
  otlp?: string;
  json?: boolean;
  md?: boolean;
  html?: string;
  watch?: boolean;
  interval: string;
  lenient?: boolean;
}

const CLEAR_SCREEN = '\x1b[2J\x1b[H';

function textForm(report: LifecycleReport, flags: LifecycleFlags): string {
  if (flags.json) return reportJson(report);
  if (flags.md) return documentText(lifecycleDocument(report), 'markdown', { color: false });
  return renderLifecycleTerminal(report, { color: shouldUseColor(process.stdout) });
}

async function watch(path: string, flags: LifecycleFlags): Promise<void> {
  const interval = Number(flags.interval);
  if (!(Number.isFinite(interval) && interval >= 50)) throw new UsageError(`--interval must be a number of ms ≥ 50 (got ${flags.interval})`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  const redraw = process.stdout.isTTY === true && !flags.json;
  process.stderr.write(`vcr: watching ${path} (Ctrl-C to stop)\n`);
  try {
    await watchLifecycle(path, {
      intervalMs: interval,
      signal: controller.signal,
      lenient: flags.lenient ? new LenientLog() : undefined,
      onUpdate: (report) => {
        // On a terminal the report is redrawn in place; piped output gets one report per update (NDJSON with --json).
        if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else process.stdout.write(`${redraw ? CLEAR_SCREEN : ''}${textForm(report, flags)}${redraw ? '' : '\n'}`);
      },
    });
  } finally {
    process.off('SIGINT', stop);
  }
}

export function registerLifecycleReport(report: Command): void {
  report
    .command('lifecycle')
    .description('per-request stages from OTLP journey events (API in, queue, prefill, decode, API out, preempted) and where E2E time goes')
    .argument('<capture...>', 'the capture (directory or files) holding the OTLP export; with --watch, the OTLP file itself')
    .option('--otlp <file>', 'vLLM OpenTelemetry export (OTLP/JSON lines[.gz])')
    .option('--json', 'print the report as JSON')
    .option('--md', 'print the report as Markdown')
    .option('--html <file>', 'also write a self-contained HTML report (SVG stacked bar)')
    .option('--watch', 'follow an OTLP file still being written and redraw as records arrive (Ctrl-C stops)')
    .addOption(new Option('--interval <ms>', 'poll period for --watch').default('500'))
    .option('--lenient', 'skip bad lines (prints how many and the first reasons) instead of failing')
    .addHelpText(
      'after',
      `${CAPTURE_ARGUMENT_HELP}\n\nVerdict rule: the largest share of total E2E among API overhead (in + out), queue, prefill and decode.\n` +
        'With --watch the argument is the OTLP file (it may not exist yet; .gz is re-read on growth).',
    )
    .action(
      action(async (captureArgs: string[], flags: LifecycleFlags) => {
        const conflict = outputFlagConflict(flags);
        if (conflict) throw new UsageError(conflict);
        if (flags.watch) {
          if (flags.html) throw new UsageError('--html cannot be combined with --watch');
          const paths = [...captureArgs, ...(flags.otlp ? [flags.otlp] : [])];
          if (paths.length !== 1) throw new UsageError('--watch follows one OTLP file: give exactly one path');
          await watch(paths[0], flags);
          return;
        }
        const sources = await captureSourcesFromArgs(captureArgs, { otlp: flags.otlp });
        if (!sources.otlp) throw new UsageError('the lifecycle report needs an OTLP export with request journey events (none among the inputs)');
        const lenient = flags.lenient ? new LenientLog() : undefined;
        const otlp = await readOtlp(sources.otlp, { lenient });
        const summary = lenient?.summary();
        if (summary) stderrWarnings(summary);
        const report = lifecycleReport(otlp);
        process.stdout.write(textForm(report, flags));
        if (flags.html) {
          await writeHtmlReport(lifecycleDocument(report), flags.html);
          process.stderr.write(`vcr: wrote ${flags.html}\n`);
        }
      }),
    );
}
