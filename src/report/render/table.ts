/**
 * The table model every renderer (terminal, Markdown, HTML) draws from. A
 * report builds tables once; the renderers only decide how they look.
 *
 * API:
 * - `Table { columns, rows }`; a `Column` has a header, an optional `align`
 *   (default: right when the column holds numbers, else left), an optional
 *   number `format` (default `formatNumber`) and `heat` (highlight the
 *   column's largest values).
 * - A `Cell` is a string, a number, null (printed `n/a`) or
 *   `toned(value, tone)`: a value with a meaning the renderers colour
 *   ('good' green, 'bad' red, 'warn' yellow, 'muted' dim).
 * - `cellText(column, cell)`: the text a renderer prints.
 * - `columnAlignment(table, i)`: resolved alignment.
 * - `heatLevels(table, i)`: per row, 0 (none), 1 (warm) or 2 (hot) — see
 *   `heatLevel` for the rule.
 */
import { formatNumber, NOT_AVAILABLE, type NumberFormat } from './format.js';

export type Tone = 'good' | 'bad' | 'warn' | 'muted';
export type CellValue = string | number | null;
export interface TonedCell {
  value: CellValue;
  tone: Tone;
}
export type Cell = CellValue | TonedCell;
export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
  format?: NumberFormat;
  /** Highlight the largest values of this column (shares, times): the reader's eye goes to where the time is. */
  heat?: boolean;
}

export interface Table {
  columns: Column[];
  rows: Cell[][];
}

export type HeatLevel = 0 | 1 | 2;

export function toned(value: CellValue, tone: Tone): TonedCell {
  return { value, tone };
}

export function cellValue(cell: Cell): CellValue {
  return cell !== null && typeof cell === 'object' ? cell.value : cell;
}

export function cellTone(cell: Cell): Tone | undefined {
  return cell !== null && typeof cell === 'object' ? cell.tone : undefined;
}

export function cellText(column: Column, cell: Cell): string {
  const value = cellValue(cell);
  if (value === null) return NOT_AVAILABLE;
  if (typeof value === 'string') return value;
  return (column.format ?? formatNumber)(value);
}

export function columnAlignment(table: Table, index: number): Align {
  const explicit = table.columns[index].align;
  if (explicit) return explicit;
  return table.rows.some((row) => typeof cellValue(row[index]) === 'number') ? 'right' : 'left';
}

/**
 * Heat rule: relative to the column's largest finite value M > 0, a value
 * equal to M is hot (2) and a value of at least M/2 is warm (1). So exactly
 * the dominant entries stand out, whatever the column's unit.
 */
export function heatLevel(value: number, columnMax: number): HeatLevel {
  if (!Number.isFinite(value) || !(columnMax > 0)) return 0;
  if (value >= columnMax) return 2;
  return value >= columnMax / 2 ? 1 : 0;
}

export function heatLevels(table: Table, index: number): HeatLevel[] {
  if (!table.columns[index].heat) return table.rows.map(() => 0);
  const values = table.rows.map((row) => cellValue(row[index]));
  let max = -Infinity;
  for (const value of values) if (typeof value === 'number' && Number.isFinite(value) && value > max) max = value;
  return values.map((value) => (typeof value === 'number' ? heatLevel(value, max) : 0));
}
