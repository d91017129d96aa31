/**
 * Number → text for every report renderer, so the terminal, Markdown and
 * HTML forms print the same digits. Missing values (NaN, ±Infinity, null)
 * print as `n/a`; JSON keeps them as null (JSON.stringify's own rule).
 *
 * API:
 * - `NOT_AVAILABLE`: the placeholder text.
 * - `formatNumber(v)`: integers as-is, other values to 2 decimals.
 * - `fixed(digits)`: a formatter with a fixed number of decimals.
 * - `formatMs(v)`: milliseconds with precision that follows the magnitude (3 decimals below 1 ms, 2 below 100 ms, 1 above).
 * - `formatPercent(fraction, digits?)`: 0.1234 → `12.3%`.
 * - `formatSignedPercent(fraction, digits?)`: a relative error, always signed: `+4.2%`, `-0.8%`, `0.0%`.
 * - `formatRatio(v)`: a ratio such as a tail ratio, `3.42×`.
 * - `count(n, noun)`: `1 request`, `3 requests` (English plural by `s`).
 */

export const NOT_AVAILABLE = 'n/a';

export type NumberFormat = (value: number) => string;

const missing = (value: number | null | undefined): value is null | undefined => value === null || value === undefined || !Number.isFinite(value);

export function fixed(digits: number): NumberFormat {
  return (value) => (missing(value) ? NOT_AVAILABLE : value.toFixed(digits));
}

export function formatNumber(value: number): string {
  if (missing(value)) return NOT_AVAILABLE;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function formatMs(value: number): string {
  if (missing(value)) return NOT_AVAILABLE;
  const magnitude = Math.abs(value);
  const text = value.toFixed(magnitude < 1 ? 3 : magnitude < 100 ? 2 : 1);
  // A value that rounds to zero prints unsigned: "-0.000" reads as a real negative offset.
  return Number(text) === 0 ? text.replace('-', '') : text;
}

export function formatPercent(fraction: number, digits = 1): string {
  return missing(fraction) ? NOT_AVAILABLE : `${(fraction * 100).toFixed(digits)}%`;
}

export function formatSignedPercent(fraction: number, digits = 1): string {
  if (missing(fraction)) return NOT_AVAILABLE;
  const text = (fraction * 100).toFixed(digits);
  // -0.0 and 0.0 both mean "no error": print them unsigned.
  if (Number(text) === 0) return `${(0).toFixed(digits)}%`;
  return `${fraction > 0 ? '+' : ''}${text}%`;
}

export function formatRatio(value: number): string {
  return missing(value) ? NOT_AVAILABLE : `${value.toFixed(2)}×`;
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
