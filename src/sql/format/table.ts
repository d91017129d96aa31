/**
 * A readable, aligned text table for people: numbers right-aligned with the
 * same decimals down a column, NULL spelled out, long cells cut with "…",
 * and at most `maxRows` rows followed by "… N more rows". With `color` the
 * header is bold and NULLs dim; otherwise the output is plain text.
 */
import chalk from 'chalk';
import { DuckDBTypeId } from '@duckdb/node-api';
import { DEFAULT_MAX_ROWS } from '../constants.js';
import type { Cell, QueryResult } from '../query.js';
import { isNumericType, jsonText } from './cells.js';

export interface TableFormatOptions {
  /** Rows shown before the "… N more rows" line; 0 shows all. */
  maxRows?: number;
  /** Longest cell shown, in characters. */
  maxCellWidth?: number;
  /** ANSI styling (for a terminal). */
  color?: boolean;
}

const DEFAULT_MAX_CELL_WIDTH = 48;
const NULL_TEXT = 'NULL';
const GAP = '  ';

/** Doubles shown with up to this many decimals (the CSV/JSON formats keep full precision). */
const DECIMALS = 3;

/** Non-integral doubles get DECIMALS places throughout their column, so the points line up. */
function doubleFormatter(values: readonly Cell[], rows: number): (value: number) => string {
  let fractional = false;
  for (let row = 0; row < rows && !fractional; row++) {
    const value = values[row];
    fractional = typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value);
  }
  return (value) => {
    if (!Number.isFinite(value)) return String(value);
    const magnitude = Math.abs(value);
    // Too small or too large for fixed notation to say anything useful.
    if ((magnitude !== 0 && magnitude < 10 ** -DECIMALS) || magnitude >= 1e15) return value.toExponential(DECIMALS);
    return fractional ? value.toFixed(DECIMALS) : String(value);
  };
}

function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

const displayWidth = (text: string) => [...text].length;

export function formatTable(result: QueryResult, options: TableFormatOptions = {}): string {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const maxCellWidth = options.maxCellWidth ?? DEFAULT_MAX_CELL_WIDTH;
  const style = options.color ? { header: chalk.bold, rule: chalk.dim, null: chalk.dim } : { header: String, rule: String, null: String };
  const shown = maxRows > 0 ? Math.min(result.rowCount, maxRows) : result.rowCount;

  const columns = result.columns.map((column, c) => {
    const values = result.values[c];
    const numeric = isNumericType(column.type);
    const formatDouble = column.type.typeId === DuckDBTypeId.DOUBLE || column.type.typeId === DuckDBTypeId.FLOAT ? doubleFormatter(values, shown) : undefined;
    const cells: { text: string; isNull: boolean }[] = [];
    for (let row = 0; row < shown; row++) {
      const value = values[row];
      if (value === null) cells.push({ text: NULL_TEXT, isNull: true });
      else if (typeof value === 'number' && formatDouble) cells.push({ text: formatDouble(value), isNull: false });
      else cells.push({ text: cut(typeof value === 'object' ? jsonText(value) : String(value), maxCellWidth), isNull: false });
    }
    const header = cut(column.name, maxCellWidth);
    const width = Math.max(displayWidth(header), ...cells.map((cell) => displayWidth(cell.text)));
    return { header, numeric, cells, width };
  });

  const pad = (text: string, width: number, right: boolean) => {
    const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
    return right ? fill + text : text + fill;
  };
  const lines = [
    columns.map((column) => style.header(pad(column.header, column.width, column.numeric))).join(GAP).trimEnd(),
    style.rule(columns.map((column) => '-'.repeat(column.width)).join(GAP)),
  ];
  for (let row = 0; row < shown; row++) {
    const line = columns.map((column) => {
      const cell = column.cells[row];
      const text = pad(cell.text, column.width, column.numeric);
      return cell.isNull ? style.null(text) : text;
    });
    lines.push(line.join(GAP).trimEnd());
  }
  if (result.rowCount === 0) lines.push('(no rows)');
  const hidden = result.rowCount - shown;
  if (hidden > 0) lines.push(`… ${hidden} more row${hidden === 1 ? '' : 's'} (${result.rowCount} in all; --max-rows 0 shows every row, --format csv for machines)`);
  return lines.join('\n') + '\n';
}
