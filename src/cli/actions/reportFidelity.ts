import { loadCapture } from '../../capture/load.js';
import { analyzeFidelity } from '../../report/fidelity.js';
import { fidelityDocument } from '../../report/fidelityDocument.js';
import { emitReport } from '../../report/output.js';
import type { FidelityFlags } from '../commands/reportFidelity.js';
import { UsageError } from '../errors.js';
import { captureSourcesFromArgs } from './captureSources.js';
import { checkReportOutputs } from './reportOutputs.js';

/** `vcr report fidelity` (options: commands/reportFidelity.ts). */
export async function runFidelityReport(captureArgs: string[], flags: FidelityFlags): Promise<void> {
  checkReportOutputs(flags);
  const sources = await captureSourcesFromArgs(captureArgs, flags);
  if (!sources.trace) throw new UsageError('the fidelity report needs an engine trace (none among the inputs)');
  if (!sources.stepStats && !sources.otlp) throw new UsageError('the fidelity report needs scheduler steps: give the step-stats sidecar (--step-stats F) or an OTLP export with step events (--otlp F)');
  const capture = await loadCapture(sources, { lenient: flags.lenient });
  if (capture.steps.count === 0) throw new UsageError(`no scheduler steps in ${sources.stepStats ?? sources.otlp}: the fidelity report has nothing to compare the requests with`);
  const analysis = analyzeFidelity(capture);
  await emitReport(analysis.report, fidelityDocument(analysis), flags);
}
