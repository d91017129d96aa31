/**
 * uint64 prefix-cache block hashes without precision loss. JSON.parse turns
 * every number into a double, so hashes above 2^53 come out rounded; the
 * reader recovers their exact digits from the line text with a small scan
 * of the `"block_hashes": [...]` array (not a general JSON parser) and hands
 * them on as bigints. Hashes may also be written as decimal strings.
 */
import { describe, fail, invalid, type JsonObject, type LineRef } from './fields.js';

const KEY = '"block_hashes"';
const UINT64_LIMIT = 1n << 64n;
const DIGITS = /^[0-9]+$/;

/**
 * Replaces the parsed `block_hashes` numbers of `record` (parsed from `text`)
 * with bigints made from their source digits. Elements that are not plain
 * digit runs (negative, fractional, strings) are left as parsed so validation
 * reports them as written.
 */
export function restoreExactBlockHashes(text: string, record: JsonObject): void {
  const parsed = record.block_hashes;
  if (!Array.isArray(parsed)) return;
  const tokens = findSourceTokens(text, parsed);
  if (tokens === undefined) return;
  record.block_hashes = parsed.map((value, i) => (typeof value === 'number' && DIGITS.test(tokens[i]) ? BigInt(tokens[i]) : value));
}

/**
 * The source text of each element of the `"block_hashes"` array that JSON.parse
 * read as `parsed`. The key can also occur in a nested object, so each
 * occurrence is checked against the parsed values (same length, each token
 * reading back to the same double); the last match wins, as duplicate keys
 * do in JSON.parse.
 */
function findSourceTokens(text: string, parsed: unknown[]): string[] | undefined {
  let found: string[] | undefined;
  for (let at = text.indexOf(KEY); at >= 0; at = text.indexOf(KEY, at + KEY.length)) {
    const tokens = arrayTokensAfterKey(text, at + KEY.length);
    if (tokens !== undefined && tokensMatch(tokens, parsed)) found = tokens;
  }
  return found;
}

function tokensMatch(tokens: string[], parsed: unknown[]): boolean {
  if (tokens.length !== parsed.length) return false;
  for (let i = 0; i < tokens.length; i++) {
    const value = parsed[i];
    const isString = tokens[i].charCodeAt(0) === 34; // '"'
    if (isString ? typeof value !== 'string' : Number(tokens[i]) !== value) return false;
  }
  return true;
}

/** Tokens of `: [a, b, ...]` starting at `from`, or undefined when the text there is not such an array. */
function arrayTokensAfterKey(text: string, from: number): string[] | undefined {
  let i = skipSpace(text, from);
  if (text[i] !== ':') return undefined;
  i = skipSpace(text, i + 1);
  if (text[i] !== '[') return undefined;
  i = skipSpace(text, i + 1);
  const tokens: string[] = [];
  if (text[i] === ']') return tokens;
  while (i < text.length) {
    const start = i;
    i = text[i] === '"' ? endOfString(text, i) : endOfBareToken(text, i);
    if (i === start) return undefined;
    tokens.push(text.slice(start, i));
    i = skipSpace(text, i);
    if (text[i] === ']') return tokens;
    if (text[i] !== ',') return undefined;
    i = skipSpace(text, i + 1);
  }
  return undefined;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Index just past the closing quote of the string opening at `i` (escapes skipped). */
function endOfString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++; // backslash: the next character is escaped
    else if (c === 34) return j + 1;
  }
  return i;
}

/** Index just past a number/literal token: it ends at `,`, `]` or whitespace. */
function endOfBareToken(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 44 || c === 93 || isSpace(c)) break;
    j++;
  }
  return j;
}

/**
 * Validates hashes given as bigints (restored digits), safe-integer numbers
 * or decimal strings; each must lie in [0, 2^64).
 */
export function blockHashesField(at: LineRef, value: unknown): BigUint64Array {
  if (!Array.isArray(value)) invalid(at, 'block_hashes', 'an array of uint64 integers', value);
  const out = new BigUint64Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const label = `block_hashes[${i}]`;
    let hash: bigint | undefined;
    if (typeof item === 'bigint') hash = item;
    else if (typeof item === 'string' && DIGITS.test(item)) hash = BigInt(item);
    else if (Number.isSafeInteger(item)) hash = BigInt(item as number);
    else if (Number.isInteger(item) && (item as number) > 0) {
      // Only reachable without the line text (a caller's own JSON.parse): the digits are already rounded.
      fail(at, `${label} must be a decimal string when above 2^53 (got ${describe(item)}, which JSON.parse has already rounded)`);
    }
    if (hash === undefined || hash < 0n || hash >= UINT64_LIMIT) invalid(at, label, 'an integer in [0, 2^64)', item);
    out[i] = hash;
  }
  return out;
}
