import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CaptureSources } from '../../capture/load.js';
import { withSpilledCapture } from '../../capture/spill/spilledCapture.js';
import { STDOUT } from '../../perfetto/byteOutput.js';
import { formatSummary, writePerfettoTrace } from '../../perfetto/writeTrace.js';
import { defaultOutputPath, type ProtoFlags } from '../commands/proto.js';
import { UsageError } from '../errors.js';
import { jobsOrDefault } from '../jobs.js';
import { overwritesInput } from '../overwrite.js';
import { terminalProgress } from '../progress.js';
import { captureSourcesFromArgs } from './captureSources.js';

/** What the default output is named after: a lone directory argument, else the engine trace (or the one file there is). */
async function outputStem(args: readonly string[], sources: CaptureSources): Promise<string> {
  if (args.length === 1 && (await stat(args[0])).isDirectory()) return resolve(args[0]);
  return (sources.trace ?? sources.otlp ?? sources.stepStats) as string;
}

/** `vcr proto` (options: commands/proto.ts). */
export async function runProto(args: string[], flags: ProtoFlags): Promise<void> {
  if (flags.port !== undefined && !flags.open) throw new UsageError('--port is only used with --open');
  if (flags.compress === true && flags.format === 'json') throw new UsageError('--compress applies to --format proto only');
  const sources = await captureSourcesFromArgs(args, flags);
  const output = flags.output ?? defaultOutputPath(await outputStem(args, sources), flags.format);
  if (flags.open && output === STDOUT) throw new UsageError('--open serves a file; give -o FILE instead of -o -');
  if (overwritesInput(output, [sources.trace, sources.stepStats, sources.otlp])) {
    throw new UsageError(`output ${output} would overwrite an input; give -o`);
  }
  const progress = terminalProgress();
  // Compressed packets unless --no-compress: the Perfetto UI and trace_processor read them, and they are ~5x smaller.
  const compress = flags.format === 'proto' && flags.compress !== false;
  // Worker threads only pay off with a second core; one job means this thread alone.
  const jobs = jobsOrDefault(flags.jobs);
  const workers = jobs > 1 ? jobs : 0;
  const options = { format: flags.format, name: flags.name, trackPerRequest: flags.trackPerRequest, compress, progress, workers };
  const summary = await withSpilledCapture(sources, { lenient: flags.lenient, progress, readThreads: jobs }, (capture) =>
    writePerfettoTrace(capture, output, options),
  ).finally(() => progress.stop());
  process.stderr.write(`${formatSummary(summary)}\n`);
  if (!flags.open) return;
  // Only --open needs the HTTP server.
  const { PERFETTO_UI_ORIGIN, startTraceServer, tryOpenBrowser, untilInterrupted } = await import('../../perfetto/serve.js');
  const server = await startTraceServer(output, { port: flags.port });
  process.stdout.write(`${server.uiUrl}\n`);
  process.stderr.write(`serving ${output} at ${server.url} for ${PERFETTO_UI_ORIGIN} only; Ctrl-C to stop\n`);
  tryOpenBrowser(server.uiUrl);
  await untilInterrupted();
  await server.close();
}
