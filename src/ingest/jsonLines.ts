/** Line-level pieces shared by the JSON-lines readers. */
import { InputError } from './errors.js';
import { describe, fail, type JsonObject, type LineRef } from './fields.js';

/** Whitespace-only lines are skipped by every reader (they keep their number). */
export function isBlank(text: string): boolean {
  return text.length === 0 || text.trim().length === 0;
}

/** The one JSON.parse of a line. */
export function parseJsonLine(path: string, line: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(path, line, `invalid JSON (${(error as Error).message})`);
  }
}

/** For sniffing: undefined when the line is not JSON (the reader proper reports why). */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every line of a JSON-lines input is an object. */
export function lineObject(at: LineRef, value: unknown): JsonObject {
  if (!isJsonObject(value)) fail(at, `expected a JSON object (got ${describe(value)})`);
  return value;
}

/** A line is a meta line when it has a top-level `"meta"` key (formats.md §1). */
export function isMetaLine(value: unknown): boolean {
  return isJsonObject(value) && Object.hasOwn(value, 'meta');
}

export const LATE_META_REASON = 'unexpected "meta" line (only the first non-blank line can be meta)';
