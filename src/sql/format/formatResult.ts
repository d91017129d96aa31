import type { OutputFormat } from '../constants.js';
import type { QueryResult } from '../query.js';
import { arrowIpcBytes, resultToArrow } from './arrow.js';
import { formatCsv } from './csv.js';
import { formatJson, formatNdjson } from './json.js';
import { formatTable, type TableFormatOptions } from './table.js';

/** The formats made from a query result (OUTPUT_FORMATS but parquet). */
export type ResultFormat = Exclude<OutputFormat, 'parquet'>;

/** Formats that are bytes, not text: never written to a terminal. */
export const BINARY_FORMATS: ReadonlySet<OutputFormat> = new Set(['arrow', 'parquet']);

/** Text for the text formats, Arrow IPC file bytes for `arrow`. */
export function formatResult(result: QueryResult, format: ResultFormat, options: TableFormatOptions = {}): string | Uint8Array {
  switch (format) {
    case 'table':
      return formatTable(result, options);
    case 'csv':
      return formatCsv(result);
    case 'json':
      return formatJson(result);
    case 'ndjson':
      return formatNdjson(result);
    case 'arrow':
      return arrowIpcBytes(resultToArrow(result));
  }
}
