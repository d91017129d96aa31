/**
 * Getting a report out: stable JSON text, the terminal and Markdown forms,
 * and the HTML page / JSON files written atomically (a failed render never
 * leaves a half-written file). Shared by the report commands and the demo.
 *
 * API:
 * - `reportJson(report)`: pretty JSON with a trailing newline. NaN and
 *   ±Infinity become null (JSON.stringify's rule), as docs/reports.md states.
 * - `documentText(doc, 'terminal' | 'markdown', { color })`.
 * - `writeHtmlReport(doc, path)`: renders the page, then writes it atomically.
 *   The HTML renderer (render/html.ts → plot.ts → vega, vega-lite) is
 *   imported only here, when a page is written: loading vega costs a few
 *   hundred ms that a terminal/Markdown/JSON report must not pay
 *   (test/cli/startup.test.ts checks it).
 * - `writeJsonFile(value, path)`: atomic JSON file (e.g. --dump-samples).
 * - `outputFlagConflict(flags)` / `emitReport(report, doc, flags)`: what the
 *   report commands do with `--json | --md` and `--html F`: stdout gets one
 *   text form (terminal by default, colour per `shouldUseColor`), and
 *   `--html` additionally writes the page (as `vcr report lifecycle` does),
 *   so a CI job can print the table and keep the page as an artifact.
 */
import { writeAtomically } from '../util/atomicWrite.js';
import type { ReportDocument } from './render/document.js';
import { renderMarkdown } from './render/markdown.js';
import { renderTerminal, shouldUseColor } from './render/terminal.js';

export type TextFormat = 'terminal' | 'markdown';

export function reportJson(report: unknown): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function documentText(doc: ReportDocument, format: TextFormat, options: { color: boolean }): string {
  return format === 'markdown' ? renderMarkdown(doc) : renderTerminal(doc, { color: options.color });
}

async function writeText(path: string, text: string): Promise<void> {
  await writeAtomically(path, async (file) => {
    await file.write(text);
  });
}

export async function writeHtmlReport(doc: ReportDocument, path: string): Promise<void> {
  const { renderHtml } = await import('./render/html.js');
  await writeText(path, await renderHtml(doc));
}

export async function writeJsonFile(value: unknown, path: string): Promise<void> {
  await writeText(path, reportJson(value));
}

export interface ReportOutputFlags {
  json?: boolean;
  md?: boolean;
  html?: string;
}

/** The usage problem with a flag combination, if any. */
export function outputFlagConflict(flags: ReportOutputFlags): string | undefined {
  return flags.json && flags.md ? '--json and --md are exclusive' : undefined;
}

export interface ReportStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

export async function emitReport(
  report: unknown,
  doc: ReportDocument,
  flags: ReportOutputFlags,
  streams: ReportStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<void> {
  if (flags.json) streams.stdout.write(reportJson(report));
  else streams.stdout.write(documentText(doc, flags.md ? 'markdown' : 'terminal', { color: shouldUseColor(streams.stdout) }));
  if (flags.html) {
    await writeHtmlReport(doc, flags.html);
    streams.stderr.write(`vcr: wrote ${flags.html}\n`);
  }
}
