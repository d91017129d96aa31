import type { Command } from 'commander';
import { action } from '../run.js';
import { UsageError } from '../errors.js';
import { loadCapture } from '../../capture/load.js';
import { analyzeFidelity } from '../../report/fidelity.js';
import { fidelityDocument } from '../../report/fidelityDocument.js';
import { emitReport, type ReportOutputFlags } from '../../report/output.js';
import { CAPTURE_ARGUMENT_HELP, captureSourcesFromArgs, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';
import { checkReportOutputs, withReportOutputs } from './reportLatency.js';

type FidelityFlags = CaptureInputFlags & ReportOutputFlags;

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
    .action(
      action(async (captureArgs: string[], flags: FidelityFlags) => {
        checkReportOutputs(flags);
        const sources = await captureSourcesFromArgs(captureArgs, flags);
        if (!sources.trace) throw new UsageError('the fidelity report needs an engine trace (none among the inputs)');
        if (!sources.stepStats && !sources.otlp) throw new UsageError('the fidelity report needs scheduler steps: give the step-stats sidecar (--step-stats F) or an OTLP export with step events (--otlp F)');
        const capture = await loadCapture(sources, { lenient: flags.lenient });
        if (capture.steps.count === 0) throw new UsageError(`no scheduler steps in ${sources.stepStats ?? sources.otlp}: the fidelity report has nothing to compare the requests with`);
        const analysis = analyzeFidelity(capture);
        await emitReport(analysis.report, fidelityDocument(analysis), flags);
      }),
    );
}
