/**
 * Type checks for the fields of one parsed JSON line. Each failure is an
 * InputError whose reason names the key as it is spelled in the file, what
 * was expected and what was found, e.g.
 * `ttft_ms must be a finite number >= 0 (got -3)`.
 * JSON `null` counts as absent for optional keys (Python writers emit
 * `None` for fields they did not record).
 */
import { InputError } from './errors.js';

export type JsonObject = Record<string, unknown>;

/** The file and 1-based line a value came from. */
export interface LineRef {
  path: string;
  line: number;
}

const INT32_MAX = 2 ** 31 - 1;
const MAX_SHOWN_STRING = 40;

/** A short rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > MAX_SHOWN_STRING ? `${value.slice(0, MAX_SHOWN_STRING)}...` : value);
    case 'object':
      return 'an object';
    default:
      return String(value);
  }
}

export function fail(at: LineRef, reason: string): never {
  throw new InputError(at.path, at.line, reason);
}

/** `label` is the key path as written in the file (`itl_ctx.num_running[3]`). */
export function invalid(at: LineRef, label: string, expected: string, value: unknown): never {
  if (value === undefined) fail(at, `missing required key ${label} (expected ${expected})`);
  fail(at, `${label} must be ${expected} (got ${describe(value)})`);
}

export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

export function objectField(at: LineRef, label: string, value: unknown): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(at, label, 'an object', value);
  return value as JsonObject;
}

/** A safe integer >= min (counts, token numbers). */
export function intField(at: LineRef, label: string, value: unknown, min = 0): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) invalid(at, label, `an integer >= ${min}`, value);
  return value as number;
}

/** A finite number, >= min when min is given (durations take min 0). */
export function numberField(at: LineRef, label: string, value: unknown, min?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (min !== undefined && value < min)) {
    invalid(at, label, min === undefined ? 'a finite number' : `a finite number >= ${min}`, value);
  }
  return value;
}

export function stringField(at: LineRef, label: string, value: unknown): string {
  if (typeof value !== 'string') invalid(at, label, 'a string', value);
  return value;
}

export function boolField(at: LineRef, label: string, value: unknown): boolean {
  if (typeof value !== 'boolean') invalid(at, label, 'true or false', value);
  return value;
}

function arrayField(at: LineRef, label: string, value: unknown, of: string): unknown[] {
  if (!Array.isArray(value)) invalid(at, label, `an array of ${of}`, value);
  return value;
}

/** Integers >= min that fit an Int32Array (token counts, token ids, batch sizes). */
export function int32ArrayField(at: LineRef, label: string, value: unknown, min: number): Int32Array {
  const items = arrayField(at, label, value, `integers >= ${min}`);
  const out = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (!Number.isInteger(v) || (v as number) < min) invalid(at, `${label}[${i}]`, `an integer >= ${min}`, v);
    if ((v as number) > INT32_MAX) invalid(at, `${label}[${i}]`, 'an integer < 2^31', v);
    out[i] = v as number;
  }
  return out;
}

/** Finite numbers >= min (gap durations). */
export function float64ArrayField(at: LineRef, label: string, value: unknown, min: number): Float64Array {
  const items = arrayField(at, label, value, `numbers >= ${min}`);
  const out = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) invalid(at, `${label}[${i}]`, `a finite number >= ${min}`, v);
    out[i] = v;
  }
  return out;
}

export function intArrayField(at: LineRef, label: string, value: unknown, min: number): number[] {
  const items = arrayField(at, label, value, `integers >= ${min}`);
  for (let i = 0; i < items.length; i++) intField(at, `${label}[${i}]`, items[i], min);
  return items as number[];
}

export function stringArrayField(at: LineRef, label: string, value: unknown): string[] {
  const items = arrayField(at, label, value, 'strings');
  for (let i = 0; i < items.length; i++) stringField(at, `${label}[${i}]`, items[i]);
  return items as string[];
}
