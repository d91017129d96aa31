import { basename } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CAPTURE_ARGUMENT_HELP, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';
import { parseJobs } from '../jobs.js';
import { lazyAction } from '../run.js';
import type { PerfettoFormat } from '../../perfetto/writeTrace.js';

export interface ProtoFlags extends CaptureInputFlags {
  output?: string;
  name?: string;
  trackPerRequest?: boolean;
  format: PerfettoFormat;
  /** undefined unless --compress or --no-compress is given: compression is then the default for --format proto. */
  compress?: boolean;
  open?: boolean;
  port?: number;
  jobs?: number;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a TCP port (0-65535)');
  return n;
}

/**
 * In the current directory: a capture directory's name, or the input file's
 * basename without .gz and its .jsonl/.json/.ndjson extension; plus .pftrace
 * (or .json).
 */
export function defaultOutputPath(input: string, format: PerfettoFormat): string {
  const stem = basename(input)
    .replace(/\.gz$/, '')
    .replace(/\.(jsonl|ndjson|json)$/, '');
  return `${stem}.${format === 'json' ? 'json' : 'pftrace'}`;
}

const DETAILS = `
Requests are drawn in the group "inference trace: MODEL" (or --name), packed
into reusable lanes ("lane N", lane count = peak concurrency) or one track per
request ("req I (pP oO)"): a "reqI prefill" slice from arrival to first token,
then one "decode" / "decode xN" slice per inter-token gap, with counters
active_requests, engine_running and prefill_tokens. --step-stats adds the
"scheduler steps" group (one slice per step, sched_* counters) and a flow from
each request's first token to the step that produced it; --otlp adds the
engine's own queue / prefill / decode stages per request (and scheduler steps
from its sampled step summaries when there is no sidecar). Requests without
arrival_ms cannot be placed and are counted as dropped.

The capture is read once: request columns stay in memory, each request's gaps
go to a temporary spill file and are read back while the request is drawn, so
traces larger than memory convert in bounded memory. With -j above 1, a plain
(not gzip) trace over 128 MB is read in parts on that many threads, and
windows of requests are encoded on them; the output is the same. The file is
written atomically (nothing is left behind on bad input); -o - writes to
stdout. Proto packets are zlib-compressed (Perfetto's compressed_packets,
which the UI and trace_processor read; ~5x smaller); --no-compress writes
plain packets for tools that do not read compressed_packets. A summary line
goes to stderr (after a progress bar, on a terminal, when the conversion
takes more than a second). --open serves the file on 127.0.0.1 at a random
path for https://ui.perfetto.dev, prints the link, tries to open a browser
and serves until Ctrl-C.

${CAPTURE_ARGUMENT_HELP.trim()}

Examples:
  vcr proto runs/                      # trace, sidecar and OTLP export of one capture -> runs.pftrace
  vcr proto runs/trace.jsonl --step-stats runs/trace-step-stats.jsonl --otlp runs/otlp.jsonl
  vcr proto trace.jsonl.gz -o - --format json | gzip > trace.json.gz
  vcr proto trace.jsonl --track-per-request --name "H100 replay" --open`;

export function registerProto(program: Command): void {
  withCaptureInputs(
    program
      .command('proto')
      .description('convert a capture into a native Perfetto trace (.pftrace) or Chrome JSON')
      .argument('<capture...>', 'capture directory and/or capture files (see below)'),
  )
    .option('-o, --output <file>', "output file, '-' for stdout (default: the capture directory's or the engine trace's name with .pftrace, or .json)")
    .option('--name <label>', 'label of the request group (default "inference trace: MODEL")')
    .option('--track-per-request', 'one track per request instead of packed lanes')
    .addOption(new Option('--format <format>', 'output format').choices(['proto', 'json']).default('proto'))
    // Both spellings declared: the value stays undefined unless one is given, so the default can follow --format.
    .option('--compress', "proto: compress the packets (the default: Perfetto's zlib compressed_packets, read by the UI and trace_processor; ~5x smaller)")
    .option('--no-compress', 'proto: write plain packets, for tools that do not read compressed_packets')
    .option('-j, --jobs <n>', 'threads reading a large plain trace and encoding the requests (default: the CPU count, at most 8; 1 = this thread only)', parseJobs)
    .option('--open', 'serve the trace to ui.perfetto.dev on 127.0.0.1 until Ctrl-C')
    .option('--port <n>', 'port for --open (default: chosen by the OS)', parsePort)
    .addHelpText('after', DETAILS)
    .action(lazyAction(async () => (await import('../actions/proto.js')).runProto));
}
