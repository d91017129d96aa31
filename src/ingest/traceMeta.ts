/** The optional `{"meta": {...}}` first line of an engine trace (formats.md §1). */
import type { CaptureMeta } from '../capture/records.js';
import { intField, invalid, isAbsent, objectField, stringField, type LineRef } from './fields.js';
import { isMetaLine } from './jsonLines.js';

/** Known meta keys as spelled in the file → CaptureMeta field. Every other key goes to `extra` verbatim. */
const STRING_KEYS = {
  model: 'model',
  gpu: 'gpu',
  source: 'source',
  config_hash: 'configHash',
  vllm_version: 'vllmVersion',
  ready_response_hex: 'readyResponseHex',
} as const satisfies Record<string, keyof CaptureMeta>;

/** Sizes and counts: a value below 1 would be meaningless. */
const POSITIVE_INT_KEYS = {
  tp: 'tp',
  max_num_seqs: 'maxNumSeqs',
  block_size: 'blockSize',
} as const satisfies Record<string, keyof CaptureMeta>;

/** `value` is the whole parsed line, `{"meta": {...}}`; a known key set to null counts as absent. */
export function parseMeta(path: string, line: number, value: unknown): CaptureMeta {
  const at: LineRef = { path, line };
  if (!isMetaLine(value)) invalid(at, 'meta line', 'an object with a "meta" key', value);
  const fields = objectField(at, 'meta', (value as { meta: unknown }).meta);
  const meta: CaptureMeta = { extra: {} };
  for (const [key, item] of Object.entries(fields)) {
    if (Object.hasOwn(STRING_KEYS, key)) {
      if (!isAbsent(item)) meta[STRING_KEYS[key as keyof typeof STRING_KEYS]] = stringField(at, `meta.${key}`, item);
    } else if (Object.hasOwn(POSITIVE_INT_KEYS, key)) {
      if (!isAbsent(item)) meta[POSITIVE_INT_KEYS[key as keyof typeof POSITIVE_INT_KEYS]] = intField(at, `meta.${key}`, item, 1);
    } else {
      meta.extra[key] = item;
    }
  }
  return meta;
}
