/**
 * Where a query's rows go: formatted to stdout, or written atomically to a
 * file (temp file + rename, so a failed query leaves nothing behind).
 * Binary formats are never written to a terminal.
 */
import { UsageError } from '../cli/errors.js';
import { writeAtomically } from '../util/atomicWrite.js';
import type { VcrDatabase } from './database.js';
import type { OutputFormat } from './constants.js';
import { BINARY_FORMATS, formatResult } from './format/formatResult.js';
import { arrowIpcBytes } from './format/arrow.js';
import { queryToArrow } from './format/arrowStream.js';
import { copyQueryToParquet } from './format/parquet.js';
import type { TableFormatOptions } from './format/table.js';
import { runQuery } from './query.js';

export interface QueryOutputOptions {
  format: OutputFormat;
  /** File to write; stdout when absent. */
  output?: string;
  /** The SQL file the query came from, for error messages. */
  source?: string;
  table?: TableFormatOptions;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function writeQueryOutput(db: VcrDatabase, sql: string, options: QueryOutputOptions): Promise<{ rows: number }> {
  const stdout = options.stdout ?? process.stdout;
  const { format, output } = options;
  if (BINARY_FORMATS.has(format) && output === undefined && (format === 'parquet' || stdout.isTTY)) {
    throw new UsageError(`--format ${format} writes binary data: give -o FILE${format === 'arrow' ? ' (or pipe stdout)' : ''}`);
  }
  if (format === 'parquet') return { rows: await copyQueryToParquet(db, sql, output!, options.source) };
  if (format === 'arrow') {
    const table = await queryToArrow(db, sql, options.source);
    await emit(arrowIpcBytes(table), output, stdout);
    return { rows: table.numRows };
  }
  const result = await runQuery(db, sql, { source: options.source });
  await emit(formatResult(result, format, options.table), output, stdout);
  return { rows: result.rowCount };
}

async function emit(data: string | Uint8Array, output: string | undefined, stdout: NodeJS.WritableStream): Promise<void> {
  if (output === undefined) stdout.write(data);
  else await writeAtomically(output, async (file) => file.write(data));
}
