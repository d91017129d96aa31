/**
 * `vcr export`: one table or view, every column, to a file, rows sorted by
 * its key (schema.ts / views.ts). The rows come from a database, or from
 * input files loaded into an in-memory one first; the Arrow and Parquet
 * writers read DuckDB's result chunks directly (arrowStream.ts, COPY), so
 * exporting tens of millions of gaps never materializes them as JS values.
 */
import { extname } from 'node:path';
import type { InputKind } from '../ingest/detect.js';
import type { WarningSink } from '../ingest/errors.js';
import { UsageError } from '../cli/errors.js';
import { EXPORTABLE, OUTPUT_FORMATS, type OutputFormat } from './constants.js';
import { IN_MEMORY, openDatabase } from './database.js';
import { loadFiles } from './load.js';
import { writeQueryOutput } from './output.js';
import { TABLES, TABLE_NAMES } from './schema.js';
import { VIEWS } from './views.js';

const KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ...TABLE_NAMES.map((name) => [name, TABLES[name].key] as const),
  ...VIEWS.map((view) => [view.name, view.key] as const),
]);

const FORMAT_BY_EXTENSION: Record<string, OutputFormat> = {
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.parquet': 'parquet',
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** The format an output file's extension names, if any. */
export function formatForPath(path: string): OutputFormat | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

export interface ExportOptions {
  /** A table or view name (EXPORTABLE). */
  table: string;
  output: string;
  /** Default: from the output file's extension. */
  format?: OutputFormat;
  /** Input files to export from (loaded in memory); without them, `db`. */
  files?: readonly string[];
  db?: string;
  /** Only this capture's rows. */
  captureId?: number;
  kind?: InputKind;
  lenient?: boolean;
  warn?: WarningSink;
}

export async function exportTable(options: ExportOptions): Promise<{ rows: number }> {
  const format = options.format ?? formatForPath(options.output);
  if (format === undefined) {
    throw new UsageError(`cannot tell the format from ${options.output}: give --format (${OUTPUT_FORMATS.filter((f) => f !== 'table').join(', ')})`);
  }
  if (format === 'table') throw new UsageError('export writes files: use --format arrow, parquet, csv, json or ndjson');
  const key = KEYS.get(options.table);
  if (key === undefined) throw new UsageError(`no table or view ${options.table} (one of ${EXPORTABLE.join(', ')})`);
  const fromFiles = options.files !== undefined && options.files.length > 0;
  const db = await openDatabase(fromFiles ? IN_MEMORY : options.db, { mustExist: !fromFiles });
  try {
    if (fromFiles) await loadFiles(db, options.files!, { kind: options.kind, lenient: options.lenient, warn: options.warn });
    const where = options.captureId === undefined ? '' : ` WHERE capture_id = ${options.captureId}`;
    return await writeQueryOutput(db, `SELECT * FROM ${options.table}${where} ORDER BY ${key.join(', ')}`, { format, output: options.output });
  } finally {
    db.close();
  }
}
