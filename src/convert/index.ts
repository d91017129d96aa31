/**
 * `vcr convert`: a benchmark tool's result file → engine trace (formats.md
 * §1). Reads and validates the whole input before anything is written.
 */
import type { WarningSink } from '../ingest/errors.js';
import { acceptedLines, engineTraceText, inFinishOrder } from './engineTraceText.js';
import { convertGuidellm } from './guidellm.js';
import { readJsonDocument } from './jsonDocument.js';
import { JsonNode } from './jsonNode.js';
import { writeTraceText } from './output.js';
import type { SkipLog } from './skips.js';
import type { BenchmarkSource } from './sources.js';
import { convertVllmBench } from './vllmBench.js';

export interface ConvertOptions {
  source: BenchmarkSource;
  input: string;
  /** File to write (`.gz` = gzip), or '-' for stdout. */
  output: string;
  /** guidellm: 0-based index of the one benchmark to convert. */
  benchmark?: number;
  /** Where a truncated gzip input is reported; stderr by default. */
  warn?: WarningSink;
}

export interface ConvertSummary {
  /** The meta line's `source`. */
  source: string;
  output: string;
  written: number;
  skipped: SkipLog;
  notes: string[];
}

export async function convertBenchmarkFile(options: ConvertOptions): Promise<ConvertSummary> {
  const root = JsonNode.root(options.input, await readJsonDocument(options.input, { warn: options.warn }));
  const trace = options.source === 'bench' ? convertVllmBench(root) : convertGuidellm(root, { benchmark: options.benchmark });
  const lines = inFinishOrder(acceptedLines(trace.requests, trace.skipped));
  await writeTraceText(options.output, engineTraceText(trace.meta, lines));
  return { source: trace.meta.source, output: options.output, written: lines.length, skipped: trace.skipped, notes: trace.notes };
}
