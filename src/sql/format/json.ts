import type { QueryResult } from '../query.js';
import { jsonText } from './cells.js';

function rowObject(result: QueryResult, row: number): string {
  return `{${result.columns.map((column, c) => `${JSON.stringify(column.name)}:${jsonText(result.values[c][row])}`).join(',')}}`;
}

/** A JSON array of row objects. */
export function formatJson(result: QueryResult): string {
  const rows: string[] = [];
  for (let row = 0; row < result.rowCount; row++) rows.push(rowObject(result, row));
  return rows.length === 0 ? '[]\n' : `[\n${rows.join(',\n')}\n]\n`;
}

/** One JSON object per line. */
export function formatNdjson(result: QueryResult): string {
  let text = '';
  for (let row = 0; row < result.rowCount; row++) text += rowObject(result, row) + '\n';
  return text;
}
