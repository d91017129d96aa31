import { InvalidArgumentError, Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { parseBucketScheme, type BucketScheme } from '../../stats/buckets.js';
import type { ReportOutputFlags } from '../../report/output.js';
import { CAPTURE_ARGUMENT_HELP, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';

/** `--buckets pow2 | 1,4,16,...` for commander: a bad value is a usage error (exit 2). */
export function bucketsOption(): Option {
  return new Option('--buckets <edges>', 'concurrency buckets: "pow2" (default, as queries/latency_percentiles.sql) or ascending upper edges, e.g. 1,4,16,64').argParser(
    (text: string): BucketScheme => {
      try {
        return parseBucketScheme(text);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    },
  );
}

/** --json / --md / --html, the same on every report command (checked by actions/reportOutputs.ts). */
export function withReportOutputs(command: Command): Command {
  return command
    .option('--json', 'print the report as JSON (schema: docs/reports.md)')
    .option('--md', 'print the report as Markdown (paste into an issue)')
    .option('--html <file>', 'also write a self-contained HTML report with plots');
}

export interface LatencyFlags extends CaptureInputFlags, ReportOutputFlags {
  buckets?: BucketScheme;
}

export function registerLatencyReport(report: Command): void {
  withReportOutputs(
    withCaptureInputs(
      report
        .command('latency')
        .description('TTFT, ITL (per token and per-request mean), TPOT, E2E and queue wait: count, mean, nearest-rank percentiles, overall and per concurrency bucket')
        .argument('<capture...>', 'capture directory and/or capture files (see below)'),
    ).addOption(bucketsOption()),
  )
    .addHelpText('after', `${CAPTURE_ARGUMENT_HELP}

The requests come from the engine trace or, in a capture without one, from
upstream vLLM's llm_request spans in the OTLP export (TTFT, E2E, TPOT and the
per-request mean ITL; no per-token gaps).`)
    .action(lazyAction(async () => (await import('../actions/reportLatency.js')).runLatencyReport));
}
