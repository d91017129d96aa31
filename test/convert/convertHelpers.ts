/** Runs a conversion on a result written to a temp file and reads the trace back with vcr's own reader. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { convertBenchmarkFile, type ConvertSummary } from '../../src/convert/index.js';
import type { BenchmarkSource } from '../../src/convert/sources.js';
import { openEngineTrace } from '../../src/ingest/engineTrace.js';
import type { CaptureMeta, TraceRecord } from '../../src/capture/records.js';
import { collect, useTempDir } from '../ingest/helpers.js';

export interface Converted {
  summary: ConvertSummary;
  meta: CaptureMeta;
  /** In file order. */
  records: TraceRecord[];
  output: string;
}

export interface ConvertCase {
  benchmark?: number;
  /** Write the input gzip-compressed (as NAME.json.gz). */
  gzipInput?: boolean;
  /** Output file name; `.gz` compresses. */
  outputName?: string;
}

/** One temp dir per test file; each call writes its own input and output. */
export function useConverter() {
  const write = useTempDir();
  let calls = 0;

  function inputFile(source: unknown, gzipInput = false): string {
    const text = typeof source === 'string' ? source : JSON.stringify(source);
    const name = `input-${++calls}.json${gzipInput ? '.gz' : ''}`;
    return write(name, gzipInput ? gzipSync(text) : text);
  }

  async function convert(source: BenchmarkSource, result: unknown, options: ConvertCase = {}): Promise<Converted> {
    const input = inputFile(result, options.gzipInput);
    const output = join(dirname(input), options.outputName ?? `trace-${calls}.jsonl`);
    const summary = await convertBenchmarkFile({ source, input, output, benchmark: options.benchmark });
    const reader = await openEngineTrace(output);
    return { summary, meta: reader.meta, records: await collect(reader.records), output };
  }

  /**
   * A conversion that must fail: its error message with the input's path
   * written as IN, and the files it left behind (none, if it is atomic).
   */
  async function convertError(source: BenchmarkSource, result: unknown, options: ConvertCase = {}): Promise<{ message: string; leftBehind: string[] }> {
    const input = inputFile(result, options.gzipInput);
    const dir = dirname(input);
    const before = new Set(readdirSync(dir));
    const output = join(dir, `trace-${calls}.jsonl`);
    try {
      await convertBenchmarkFile({ source, input, output, benchmark: options.benchmark });
    } catch (error) {
      const leftBehind = readdirSync(dir).filter((name) => !before.has(name));
      if (existsSync(output)) leftBehind.push(output);
      return { message: (error as Error).message.replaceAll(input, 'IN'), leftBehind };
    }
    throw new Error('expected the conversion to fail');
  }

  return { convert, convertError, inputFile };
}
