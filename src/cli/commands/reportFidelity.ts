import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import type { ReportOutputFlags } from '../../report/output.js';
import { CAPTURE_ARGUMENT_HELP, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';
import { withReportOutputs } from './reportLatency.js';

export type FidelityFlags = CaptureInputFlags & ReportOutputFlags;

export function registerFidelityReport(report: Command): void {
  withReportOutputs(
    withCaptureInputs(
      report
        .command('fidelity')
        .description('request view vs scheduler-step view on one clock: queue wait inside prefill bars, overlapping bars vs prefill steps, decode gaps vs step durations')
        .argument('<capture...>', 'capture directory and/or capture files (see below); needs the step-stats sidecar or OTLP step events'),
    ),
  )
    .addHelpText('after', CAPTURE_ARGUMENT_HELP)
    .action(lazyAction(async () => (await import('../actions/reportFidelity.js')).runFidelityReport));
}
