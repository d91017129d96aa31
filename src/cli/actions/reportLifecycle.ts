import { readOtlp } from '../../ingest/otlp/reader.js';
import { LenientLog, stderrWarnings } from '../../ingest/errors.js';
import { lifecycleReport, type LifecycleReport } from '../../report/lifecycle.js';
import { lifecycleDocument, renderLifecycleTerminal } from '../../report/lifecycleRender.js';
import { watchLifecycle } from '../../report/lifecycleWatch.js';
import { documentText, reportJson, writeHtmlReport } from '../../report/output.js';
import { shouldUseColor } from '../../report/render/terminal.js';
import type { LifecycleFlags } from '../commands/reportLifecycle.js';
import { UsageError } from '../errors.js';
import { captureSourcesFromArgs } from './captureSources.js';
import { checkReportOutputs } from './reportOutputs.js';

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

/** `vcr report lifecycle` (options: commands/reportLifecycle.ts). */
export async function runLifecycleReport(captureArgs: string[], flags: LifecycleFlags): Promise<void> {
  checkReportOutputs(flags);
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
}
