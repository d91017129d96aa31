import type { QueryResult } from '../query.js';
import { plainText } from './cells.js';

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes inside. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Header line, then one line per row; NULL is an empty field, lists/structs are JSON text, numbers full precision. */
export function formatCsv(result: QueryResult): string {
  const lines = [result.columns.map((column) => csvField(column.name)).join(',')];
  for (let row = 0; row < result.rowCount; row++) {
    lines.push(result.values.map((column) => csvField(plainText(column[row]))).join(','));
  }
  return lines.join('\n') + '\n';
}
