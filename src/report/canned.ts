/**
 * One call from a loaded Capture to a finished report, for callers that are
 * not the report commands (`vcr demo`, scripts, notebooks).
 *
 * API:
 * - `latencyReportText(capture, form, options?)`, `fidelityReportText(...)`,
 *   `calibrateReportText(source, replay, form, options?)`: the report as
 *   'terminal' (colour only when `options.color`), 'markdown' or 'json' text.
 * - `writeLatencyHtml(capture, path, options?)`,
 *   `writeFidelityHtml(capture, path)`,
 *   `writeCalibrateHtml(source, replay, path, options?)`: the HTML page,
 *   written atomically; each resolves to the report object (the --json
 *   schema) so the caller can print a headline.
 *
 * The fidelity report needs a step table (sidecar or OTLP steps).
 */
import type { Capture } from '../capture/model.js';
import { analyzeCalibration, type CalibrateOptions, type CalibrateReport } from './calibrate.js';
import { calibrateDocument } from './calibrateDocument.js';
import { analyzeFidelity, type FidelityReport } from './fidelity.js';
import { fidelityDocument } from './fidelityDocument.js';
import { analyzeLatency, type LatencyOptions, type LatencyReport } from './latency.js';
import { latencyDocument } from './latencyDocument.js';
import { documentText, reportJson, writeHtmlReport } from './output.js';
import type { ReportDocument } from './render/document.js';

export type ReportForm = 'terminal' | 'markdown' | 'json';

function text(report: unknown, doc: () => ReportDocument, form: ReportForm, color: boolean): string {
  return form === 'json' ? reportJson(report) : documentText(doc(), form, { color });
}

export function latencyReportText(capture: Capture, form: ReportForm, options: LatencyOptions & { color?: boolean } = {}): string {
  const analysis = analyzeLatency(capture, options);
  return text(analysis.report, () => latencyDocument(analysis), form, options.color ?? false);
}

export function fidelityReportText(capture: Capture, form: ReportForm, options: { color?: boolean } = {}): string {
  const analysis = analyzeFidelity(capture);
  return text(analysis.report, () => fidelityDocument(analysis), form, options.color ?? false);
}

export function calibrateReportText(source: Capture, replay: Capture, form: ReportForm, options: CalibrateOptions & { color?: boolean } = {}): string {
  const analysis = analyzeCalibration(source, replay, options);
  return text(analysis.report, () => calibrateDocument(analysis), form, options.color ?? false);
}

export async function writeLatencyHtml(capture: Capture, path: string, options: LatencyOptions = {}): Promise<LatencyReport> {
  const analysis = analyzeLatency(capture, options);
  await writeHtmlReport(latencyDocument(analysis), path);
  return analysis.report;
}

export async function writeFidelityHtml(capture: Capture, path: string): Promise<FidelityReport> {
  const analysis = analyzeFidelity(capture);
  await writeHtmlReport(fidelityDocument(analysis), path);
  return analysis.report;
}

export async function writeCalibrateHtml(source: Capture, replay: Capture, path: string, options: CalibrateOptions = {}): Promise<CalibrateReport> {
  const analysis = analyzeCalibration(source, replay, options);
  await writeHtmlReport(calibrateDocument(analysis), path);
  return analysis.report;
}
