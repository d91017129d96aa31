/**
 * `vcr demo`: every stage vcr has, end to end, on a capture it generates
 * itself — no input files. Each stage prints what it produced and where, so
 * the output doubles as a tour of the commands.
 */
import { join } from 'node:path';
import { generateCapture, type GenSummary } from '../gen/index.js';
import { loadCapture } from '../capture/load.js';
import type { Capture } from '../capture/model.js';
import { renderCaptureSummary, summarizeCapture } from '../capture/summary.js';
import { formatSummary, writePerfettoTrace } from '../perfetto/writeTrace.js';
import { fidelityReportText, latencyReportText, writeFidelityHtml, writeLatencyHtml } from '../report/canned.js';
import { fitCapture, renderFitReport, resolveIdentity, writeCoefficientFile } from '../fit/index.js';
import { lifecycleReport } from '../report/lifecycle.js';
import { renderLifecycleTerminal } from '../report/lifecycleRender.js';

export interface DemoOptions {
  outDir: string;
  seed: number;
  requests: number;
  /** Where the tour is printed (stdout in the CLI). */
  print: (text: string) => void;
  /** Colour the report tables (the CLI decides from the terminal and NO_COLOR). */
  color: boolean;
}

/** What each stage left behind, for tests and for the closing summary. */
export interface DemoResult {
  generated: GenSummary;
  capture: Capture;
}

function heading(print: DemoOptions['print'], step: number, title: string): void {
  print(`\n[${step}] ${title}`);
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { outDir, print } = options;
  // The sweep scenario varies load and prompt length over time, so every
  // later stage (queueing, prefill/decode mix, the fit) has something to show.
  heading(print, 1, `vcr gen --scenario sweep --requests ${options.requests} --seed ${options.seed} -o ${outDir}`);
  const generated = await generateCapture({ outDir, scenario: 'sweep', requests: options.requests, seed: options.seed });
  for (const file of generated.files) print(`    ${file.path}  (${(file.bytes / 1024).toFixed(0)} KiB)`);

  const paths = {
    trace: join(outDir, 'trace.jsonl'),
    stepStats: join(outDir, 'trace-step-stats.jsonl'),
    otlp: join(outDir, 'otlp.jsonl'),
  };
  heading(print, 2, `vcr info ${paths.trace} --step-stats ${paths.stepStats} --otlp ${paths.otlp}`);
  const capture = await loadCapture(paths);
  print(indent(renderCaptureSummary(summarizeCapture(capture))));

  const pftrace = join(outDir, 'trace.pftrace');
  heading(print, 3, `vcr proto ${paths.trace} --step-stats ${paths.stepStats} --otlp ${paths.otlp} -o ${pftrace}`);
  const perfetto = await writePerfettoTrace(capture, pftrace, { format: 'proto' });
  print(indent(formatSummary(perfetto)));
  print(`    open it: drag ${pftrace} onto https://ui.perfetto.dev, or run`);
  print(`      npx vcr proto ${paths.trace} --step-stats ${paths.stepStats} --otlp ${paths.otlp} -o ${pftrace} --open`);

  const latencyHtml = join(outDir, 'latency.html');
  heading(print, 4, `vcr report latency ${outDir} --html ${latencyHtml}`);
  print(indent(latencyReportText(capture, 'terminal', { color: options.color })));
  await writeLatencyHtml(capture, latencyHtml);
  print(`    plots: ${latencyHtml}`);

  const fidelityHtml = join(outDir, 'fidelity.html');
  heading(print, 5, `vcr report fidelity ${outDir} --html ${fidelityHtml}`);
  print(indent(fidelityReportText(capture, 'terminal', { color: options.color })));
  await writeFidelityHtml(capture, fidelityHtml);
  print(`    timeline strip: ${fidelityHtml}`);

  heading(print, 6, `vcr report lifecycle ${outDir}`);
  if (capture.otlp) print(indent(renderLifecycleTerminal(lifecycleReport(capture.otlp), { color: options.color })));

  // The generator's step time has an attention (context) term, so the demo fits it too.
  const coefficients = join(outDir, 'coeffs.yaml');
  heading(print, 7, `vcr fit ${outDir} --features +decode_context --export ${coefficients}`);
  const fit = fitCapture(capture, { features: '+decode_context' });
  print(indent(renderFitReport(fit, { color: options.color })));
  await writeCoefficientFile(coefficients, fit, resolveIdentity(fit));
  print(`    simulator coefficients: ${coefficients}`);

  return { generated, capture };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
