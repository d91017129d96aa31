import { loadCapture } from '../../capture/load.js';
import { analyzeLatency } from '../../report/latency.js';
import { latencyDocument } from '../../report/latencyDocument.js';
import { emitReport } from '../../report/output.js';
import type { LatencyFlags } from '../commands/reportLatency.js';
import { UsageError } from '../errors.js';
import { captureSourcesFromArgs } from './captureSources.js';
import { checkReportOutputs } from './reportOutputs.js';

/** `vcr report latency` (options: commands/reportLatency.ts). */
export async function runLatencyReport(captureArgs: string[], flags: LatencyFlags): Promise<void> {
  checkReportOutputs(flags);
  const sources = await captureSourcesFromArgs(captureArgs, flags);
  if (!sources.trace && !sources.otlp) throw new UsageError('the latency report needs an engine trace (none among the inputs)');
  const capture = await loadCapture(sources, { lenient: flags.lenient });
  // Without a trace the requests are upstream vLLM's llm_request spans (capture/load.ts), if the export has any.
  if (!sources.trace && capture.requests.count === 0) {
    throw new UsageError(`the latency report needs an engine trace, or upstream vLLM llm_request spans in the OTLP export (${sources.otlp} has none)`);
  }
  const analysis = analyzeLatency(capture, { buckets: flags.buckets });
  await emitReport(analysis.report, latencyDocument(analysis), flags);
}
