import { InvalidArgumentError, Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import type { BucketScheme } from '../../stats/buckets.js';
import { DEFAULT_MIN_BUCKET_REQUESTS, DEFAULT_TOLERANCE } from '../../report/calibrate.js';
import type { ReportOutputFlags } from '../../report/output.js';
import { formatPercent } from '../../report/render/format.js';
import { bucketsOption, withReportOutputs } from './reportLatency.js';

export interface CalibrateFlags extends ReportOutputFlags {
  tolerance: number;
  minBucketRequests: number;
  buckets?: BucketScheme;
  dumpSamples?: string;
  lenient?: boolean;
}

/** "0.1" or "10%": a relative tolerance ≥ 0. */
export function parseTolerance(text: string): number {
  const trimmed = text.trim();
  const value = trimmed.endsWith('%') ? Number(trimmed.slice(0, -1)) / 100 : Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`expected a fraction such as 0.1 or a percentage such as 10% (got ${JSON.stringify(text)})`);
  return value;
}

function parseCount(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`expected a positive integer (got ${JSON.stringify(text)})`);
  return value;
}

export function registerCalibrateReport(report: Command): void {
  withReportOutputs(
    report
      .command('calibrate')
      .description('source capture vs replay side by side per concurrency bucket, with a pass/fail verdict (exit 1 on fail)')
      .argument('<source>', 'engine trace (or capture directory) of what the engine did')
      .argument('<replay>', 'engine trace (or capture directory) of the replay / simulation to check'),
  )
    .addOption(new Option('--tolerance <x>', 'largest |relative error| a gated number may have: a fraction (0.1) or a percentage (10%)').argParser(parseTolerance).default(DEFAULT_TOLERANCE, formatPercent(DEFAULT_TOLERANCE, 0)))
    .addOption(
      new Option('--min-bucket-requests <n>', 'gate a concurrency bucket only when both captures have at least this many requests in it')
        .argParser(parseCount)
        .default(DEFAULT_MIN_BUCKET_REQUESTS),
    )
    .addOption(bucketsOption())
    .option('--dump-samples <file>', 'write the sorted TTFT, ITL and decode-total samples (ms) of both captures as JSON')
    .option('--lenient', 'skip bad lines (prints how many and the first reasons) instead of failing')
    .addHelpText(
      'after',
      '\nGated numbers: the relative errors (replay − source) / source of p50, p90,\n' +
        'p99 and of the p99/p50 tail ratio of TTFT, ITL and decode total, on the "all"\n' +
        'row and on each bucket with at least --min-bucket-requests requests in both\n' +
        'captures. KS distances are reported, not gated. Exit 1 when any gated number\n' +
        'is outside ±tolerance (docs/reports.md).',
    )
    .action(lazyAction(async () => (await import('../actions/reportCalibrate.js')).runCalibrateReport));
}
