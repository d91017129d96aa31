/**
 * `vcr demo`: every stage vcr has, end to end, on a capture it generates
 * itself — no input files. Each stage prints what it produced and where, so
 * the output doubles as a tour of the commands.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture, type GenSummary } from '../gen/index.js';
import { loadCapture } from '../capture/load.js';
import type { Capture } from '../capture/model.js';
import { renderCaptureSummary, summarizeCapture } from '../capture/summary.js';
import { formatSummary, writePerfettoTrace } from '../perfetto/writeTrace.js';
import { fidelityReportText, latencyReportText, writeFidelityHtml, writeLatencyHtml } from '../report/canned.js';
import { fitCapture, renderFitReport, resolveIdentity, writeCoefficientFile } from '../fit/index.js';
import { lifecycleReport } from '../report/lifecycle.js';
import { formatResult, loadFiles, openDatabase, runQuery } from '../sql/index.js';
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

  const database = join(outDir, 'vcr.duckdb');
  heading(print, 4, `vcr load ${paths.trace} ${paths.stepStats} ${paths.otlp} --db ${database}; vcr sql --db ${database} -f queries/latency_percentiles.sql`);
  print(indent(await sqlStage(database, paths)));

  const latencyHtml = join(outDir, 'latency.html');
  heading(print, 5, `vcr report latency ${outDir} --html ${latencyHtml}`);
  print(indent(latencyReportText(capture, 'terminal', { color: options.color })));
  await writeLatencyHtml(capture, latencyHtml);
  print(`    plots: ${latencyHtml}`);

  const fidelityHtml = join(outDir, 'fidelity.html');
  heading(print, 6, `vcr report fidelity ${outDir} --html ${fidelityHtml}`);
  print(indent(fidelityReportText(capture, 'terminal', { color: options.color })));
  await writeFidelityHtml(capture, fidelityHtml);
  print(`    timeline strip: ${fidelityHtml}`);

  heading(print, 7, `vcr report lifecycle ${outDir}`);
  if (capture.otlp) print(indent(renderLifecycleTerminal(lifecycleReport(capture.otlp), { color: options.color })));

  // The generator's step time has an attention (context) term, so the demo fits it too.
  const coefficients = join(outDir, 'coeffs.yaml');
  heading(print, 8, `vcr fit ${outDir} --features +decode_context --export ${coefficients}`);
  const fit = fitCapture(capture, { features: '+decode_context' });
  print(indent(renderFitReport(fit, { color: options.color })));
  await writeCoefficientFile(coefficients, fit, resolveIdentity(fit));
  print(`    simulator coefficients: ${coefficients}`);

  return { generated, capture };
}

/** The canned latency query that ships in queries/, resolved from the installed package. */
const LATENCY_QUERY = fileURLToPath(new URL('../../../queries/latency_percentiles.sql', import.meta.url));

/**
 * Loads the capture's three files into a fresh database file and runs the
 * canned latency query, keeping its overall rows for a short table.
 */
async function sqlStage(database: string, paths: { trace: string; stepStats: string; otlp: string }): Promise<string> {
  await rm(database, { force: true });
  const db = await openDatabase(database);
  try {
    const [loaded] = await loadFiles(db, [paths.trace, paths.stepStats, paths.otlp]);
    const rows = Object.entries(loaded.rows)
      .filter(([, count]) => count > 0)
      .map(([table, count]) => `${table} ${count}`)
      .join(', ');
    const canned = (await readFile(LATENCY_QUERY, 'utf8')).trim().replace(/;$/, '');
    const overall = await runQuery(
      db,
      `SELECT metric, count, round(mean_ms, 2) AS mean_ms, p50_ms, p90_ms, p99_ms, max_ms FROM (${canned}) WHERE bucket = 'all'`,
    );
    return `loaded capture ${loaded.captureId}: ${rows}\n\n${formatResult(overall, 'table', { maxRows: 0 }) as string}`;
  } finally {
    db.close();
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
