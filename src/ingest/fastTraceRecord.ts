/**
 * Fast path for one engine-trace request line. JSON.parse builds a JS array
 * of boxed numbers for every per-gap key only for parseTraceRecord to copy
 * it into a typed array, and the block-hash digits are then scanned a second
 * time; on long captures that dominates reading. This scanner walks the line
 * once and fills the typed arrays directly. It reads the line as bytes:
 * straight from the bytes the file was read into (fastTraceRecordBytes, what
 * the engine-trace reader calls), or a string's UTF-8 bytes
 * (fastTraceRecord); indexing a Uint8Array is much cheaper than charCodeAt.
 *
 * It accepts only what it can read with certainty to the exact record
 * `parseTraceRecord` would return for the same line (same fields, same
 * typed-array values bit for bit; the arrays of one record share one
 * ArrayBuffer). Everything else — non-ASCII lines, unknown or duplicate
 * keys, `null`, string escapes, ints spelled with a sign, fraction or
 * exponent, any value validation would reject — returns undefined, and the
 * reader takes the JSON.parse path, which yields the record or words the
 * error.
 */
import { isAscii } from 'node:buffer';
import { FINISH_REASONS, type FinishReason, type TraceRecord } from '../capture/records.js';

const QUOTE = 34; // "
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const COLON = 58;
const UPPER_E = 69;
const LEFT_BRACKET = 91;
const BACKSLASH = 92;
const RIGHT_BRACKET = 93;
const LOWER_E = 101;
const LEFT_BRACE = 123;
const RIGHT_BRACE = 125;

const INT32_MAX = 2 ** 31 - 1;
const TWO_POW_32 = 4294967296;

/**
 * A decimal literal with at most this many digits has an integer mantissa
 * below 2^53 and a fraction of at most 15 digits, so mantissa / 10^digits
 * is one correctly rounded division of two exact doubles: the same double
 * JSON.parse returns. Longer literals and exponents go through Number(),
 * which reads a JSON number token exactly as JSON.parse does.
 */
const MAX_FAST_DIGITS = 15;
/** 10^0..10^15, each exact as a double. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** uint64 hashes are assembled as two 32-bit words in the platform's byte order. */
const LO_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI_WORD = 1 - LO_WORD;
/** Hash literals are split into a head of up to 15 digits (exact double) and a tail of at most 5. */
const HASH_HEAD_DIGITS = 15;
const HASH_TAIL_DIGITS = 5;

/** Top-level keys, as bytes; the index is the key's bit in the duplicate mask. */
const KEYS = keyBytes([
  'prompt_tokens',
  'cached_tokens',
  'output_tokens',
  'ttft_ms',
  'concurrency',
  'arrival_ms',
  'itl_ms',
  'itl_tokens',
  'itl_ctx',
  'itl_summary',
  'block_hashes',
  'mm_hashes',
  'output_token_ids',
  'finish_reason',
]);
const PROMPT_TOKENS = 0;
const CACHED_TOKENS = 1;
const OUTPUT_TOKENS = 2;
const TTFT_MS = 3;
const CONCURRENCY = 4;
const ARRIVAL_MS = 5;
const ITL_MS = 6;
const ITL_TOKENS = 7;
const ITL_CTX = 8;
const ITL_SUMMARY = 9;
const BLOCK_HASHES = 10;
const MM_HASHES = 11;
const OUTPUT_TOKEN_IDS = 12;
const FINISH_REASON = 13;

const CTX_KEYS = keyBytes(['num_running', 'prefill_tokens']);
const SUMMARY_KEYS = keyBytes(['mean_ms', 'count']);

/**
 * The current line's bytes (it is ASCII, one byte per character, so byte
 * offsets are string offsets), followed by a 0 byte. No scan rule accepts
 * 0 (not a digit, space, delimiter or string character), so every loop
 * stops at the end of the line without a bounds check. The scanner is
 * synchronous, so one buffer and one cursor serve every call.
 */
let bytes = new Uint8Array(1 << 16);
let pos = 0;
/**
 * The line's array values, each array starting at a multiple of 8 bytes,
 * in key order; `used` bytes are taken. The readers return views into it,
 * and the finished record gets one copy of the used part as the single
 * ArrayBuffer behind all of its arrays: a backing store per array cost
 * more than reading the numbers.
 */
let scratch = new ArrayBuffer(1 << 16);
let f64 = new Float64Array(scratch);
let i32 = new Int32Array(scratch);
let u32 = new Uint32Array(scratch);
let used = 0;

/** `bytes` as a Buffer, for the rare value read as a string (its bytes are ASCII, so latin1 is exact). */
let bytesAsBuffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

function reserveLine(length: number): void {
  if (bytes.length > length) return;
  bytes = new Uint8Array(Math.max(2 * bytes.length, length + 1));
  bytesAsBuffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The current line's characters [start, end). */
function lineSlice(start: number, end: number): string {
  return bytesAsBuffer.toString('latin1', start, end);
}

/**
 * The record `parseTraceRecord` would return for `text` (line number
 * `line`), or undefined when the line needs the general JSON.parse path:
 * the string form of fastTraceRecordBytes, with the reader's ASCII rule.
 */
export function fastTraceRecord(line: number, text: string): TraceRecord | undefined {
  const encoded = Buffer.from(text, 'utf8');
  // Only an ASCII line's bytes are its characters (a lone surrogate encodes as non-ASCII too).
  return isAscii(encoded) ? fastTraceRecordBytes(line, encoded, 0, encoded.length) : undefined;
}

/**
 * The same for a line given as bytes: source[start, end), which the caller
 * knows to be ASCII (one byte per character, as the line's string would be).
 */
export function fastTraceRecordBytes(line: number, source: Uint8Array, start: number, end: number): TraceRecord | undefined {
  reserveLine(end - start);
  bytes.set(source.subarray(start, end));
  return scanRecord(line, end - start);
}

/** Scans the line in `bytes`[0, end). */
function scanRecord(line: number, end: number): TraceRecord | undefined {
  const b = bytes;
  b[end] = 0;
  used = 0;
  pos = skipSpace(b, 0);
  if (b[pos] !== LEFT_BRACE) return undefined;
  pos = skipSpace(b, pos + 1);

  let seen = 0;
  let promptTokens = -1;
  let cachedTokens = 0;
  let outputTokens = -1;
  let ttftMs = -1;
  let concurrency = 1;
  let arrivalMs: number | undefined;
  let itlMs: Float64Array | undefined;
  let itlTokens: Int32Array | undefined;
  let itlCtx: TraceRecord['itlCtx'];
  let itlSummary: TraceRecord['itlSummary'];
  let blockHashes: BigUint64Array | undefined;
  let mmHashes: string[] | undefined;
  let outputTokenIds: Int32Array | undefined;
  let finishReason: FinishReason | undefined;

  for (;;) {
    const key = readKey(b, KEYS);
    if (key < 0 || (seen & (1 << key)) !== 0) return undefined;
    seen |= 1 << key;
    switch (key) {
      case PROMPT_TOKENS:
        promptTokens = readInt(b, Number.MAX_SAFE_INTEGER);
        if (promptTokens < 0) return undefined;
        break;
      case CACHED_TOKENS:
        cachedTokens = readInt(b, Number.MAX_SAFE_INTEGER);
        if (cachedTokens < 0) return undefined;
        break;
      case OUTPUT_TOKENS:
        outputTokens = readInt(b, Number.MAX_SAFE_INTEGER);
        if (outputTokens < 0) return undefined;
        break;
      case TTFT_MS:
        ttftMs = readNumber(b);
        // NaN (unreadable) fails too; -0 passes, as `-0 < 0` is false in numberField.
        if (!(ttftMs >= 0)) return undefined;
        break;
      case CONCURRENCY:
        concurrency = readInt(b, Number.MAX_SAFE_INTEGER);
        if (concurrency < 1) return undefined;
        break;
      case ARRIVAL_MS:
        arrivalMs = readNumber(b);
        if (Number.isNaN(arrivalMs)) return undefined;
        break;
      case ITL_MS:
        itlMs = readDurations(b);
        if (itlMs === undefined) return undefined;
        break;
      case ITL_TOKENS:
        itlTokens = readInt32s(b, 1);
        if (itlTokens === undefined) return undefined;
        break;
      case ITL_CTX:
        itlCtx = readItlCtx(b);
        if (itlCtx === undefined) return undefined;
        break;
      case ITL_SUMMARY:
        itlSummary = readItlSummary(b);
        if (itlSummary === undefined) return undefined;
        break;
      case BLOCK_HASHES:
        blockHashes = readHashes(b);
        if (blockHashes === undefined) return undefined;
        break;
      case MM_HASHES:
        mmHashes = readStrings(b);
        if (mmHashes === undefined) return undefined;
        break;
      case OUTPUT_TOKEN_IDS:
        outputTokenIds = readInt32s(b, 0);
        if (outputTokenIds === undefined) return undefined;
        break;
      case FINISH_REASON: {
        const reason = readPlainString(b);
        if (reason === undefined || !(FINISH_REASONS as readonly string[]).includes(reason)) return undefined;
        finishReason = reason as FinishReason;
        break;
      }
    }
    const more = nextMember(b);
    if (more < 0) return undefined;
    if (more === 0) break;
  }
  if (skipSpace(b, pos) !== end) return undefined;

  // The checks of parseTraceRecord / readGaps, as plain predicates.
  if (promptTokens < 0 || outputTokens < 0 || ttftMs < 0 || cachedTokens > promptTokens) return undefined;
  const maxGaps = Math.max(0, outputTokens - 1);
  if (itlSummary !== undefined && (itlSummary.count < Math.min(1, maxGaps) || itlSummary.count > maxGaps)) return undefined;
  if (outputTokens > 1 && itlMs === undefined && itlSummary === undefined) return undefined;
  const gapCount = itlMs === undefined ? 0 : itlMs.length;
  if (itlTokens !== undefined) {
    if (itlTokens.length !== gapCount) return undefined;
    let sum = 0;
    for (let i = 0; i < itlTokens.length; i++) sum += itlTokens[i];
    if (sum >= outputTokens) return undefined;
  } else if (itlMs !== undefined && gapCount !== maxGaps) {
    return undefined;
  }
  if (itlCtx !== undefined && (itlCtx.numRunning.length !== gapCount || itlCtx.prefillTokens.length !== gapCount)) return undefined;
  if (outputTokenIds !== undefined && outputTokenIds.length !== outputTokens) return undefined;

  // Same key order as parseTraceRecord, so records share one object shape.
  const record: TraceRecord = { line, promptTokens, cachedTokens, outputTokens, ttftMs, concurrency };
  const buffer = scratch.slice(0, used);
  if (arrivalMs !== undefined) record.arrivalMs = arrivalMs;
  if (itlSummary !== undefined) record.itlSummary = itlSummary;
  if (itlTokens !== undefined) record.itlTokens = new Int32Array(buffer, itlTokens.byteOffset, itlTokens.length);
  if (itlCtx !== undefined) {
    record.itlCtx = {
      numRunning: new Int32Array(buffer, itlCtx.numRunning.byteOffset, itlCtx.numRunning.length),
      prefillTokens: new Int32Array(buffer, itlCtx.prefillTokens.byteOffset, itlCtx.prefillTokens.length),
    };
  }
  if (itlMs !== undefined) record.itlMs = new Float64Array(buffer, itlMs.byteOffset, itlMs.length);
  if (blockHashes !== undefined) record.blockHashes = new BigUint64Array(buffer, blockHashes.byteOffset, blockHashes.length);
  if (mmHashes !== undefined) record.mmHashes = mmHashes;
  if (outputTokenIds !== undefined) record.outputTokenIds = new Int32Array(buffer, outputTokenIds.byteOffset, outputTokenIds.length);
  if (finishReason !== undefined) record.finishReason = finishReason;
  return record;
}

/*
 * The readers below take the line's bytes as `b` (a local is much cheaper
 * to index than the module variable) and move the shared cursor `pos`.
 * Each returns undefined, -1 or NaN, as documented, for anything it does
 * not accept.
 */

/** `{"num_running": [...], "prefill_tokens": [...]}`, both keys once, nothing else. */
function readItlCtx(b: Uint8Array): TraceRecord['itlCtx'] {
  if (b[pos] !== LEFT_BRACE) return undefined;
  pos = skipSpace(b, pos + 1);
  let numRunning: Int32Array | undefined;
  let prefillTokens: Int32Array | undefined;
  for (;;) {
    const key = readKey(b, CTX_KEYS);
    if (key < 0 || (key === 0 ? numRunning : prefillTokens) !== undefined) return undefined;
    const values = readInt32s(b, 0);
    if (values === undefined) return undefined;
    if (key === 0) numRunning = values;
    else prefillTokens = values;
    const more = nextMember(b);
    if (more < 0) return undefined;
    if (more === 0) break;
  }
  return numRunning !== undefined && prefillTokens !== undefined ? { numRunning, prefillTokens } : undefined;
}

/** `{"mean_ms": number >= 0, "count": int}`, both keys once, nothing else (the count range is checked by the caller). */
function readItlSummary(b: Uint8Array): TraceRecord['itlSummary'] {
  if (b[pos] !== LEFT_BRACE) return undefined;
  pos = skipSpace(b, pos + 1);
  let meanMs = -1;
  let count = -1;
  for (;;) {
    const key = readKey(b, SUMMARY_KEYS);
    if (key === 0 && meanMs < 0) {
      meanMs = readNumber(b);
      if (!(meanMs >= 0)) return undefined;
    } else if (key === 1 && count < 0) {
      count = readInt(b, Number.MAX_SAFE_INTEGER);
      if (count < 0) return undefined;
    } else {
      return undefined;
    }
    const more = nextMember(b);
    if (more < 0) return undefined;
    if (more === 0) break;
  }
  return meanMs >= 0 && count >= 0 ? { meanMs, count } : undefined;
}

function keyBytes(keys: string[]): Uint8Array[] {
  const utf8 = new TextEncoder();
  return keys.map((key) => utf8.encode(key));
}

/**
 * The index in `keys` of the object key at `pos`, leaving `pos` at its
 * value; -1 for anything else. The key must be spelled exactly as listed:
 * one with an escape never matches, so it lands in -1 too.
 */
function readKey(b: Uint8Array, keys: readonly Uint8Array[]): number {
  if (b[pos] !== QUOTE) return -1;
  const start = pos + 1;
  let close = start;
  while (b[close] !== QUOTE) {
    if (b[close] === 0) return -1;
    close++;
  }
  const length = close - start;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    if (key.length !== length) continue;
    let i = 0;
    while (i < length && b[start + i] === key[i]) i++;
    if (i < length) continue;
    pos = skipSpace(b, close + 1);
    if (b[pos] !== COLON) return -1;
    pos = skipSpace(b, pos + 1);
    return k;
  }
  return -1;
}

/** After an object member: 1 when another member follows (`pos` at its key), 0 past the closing brace, -1 otherwise. */
function nextMember(b: Uint8Array): number {
  pos = skipSpace(b, pos);
  const c = b[pos];
  if (c === COMMA) {
    pos = skipSpace(b, pos + 1);
    return 1;
  }
  if (c !== RIGHT_BRACE) return -1;
  pos++;
  return 0;
}

/*
 * The array readers are the per-gap hot loops: they keep the cursor in a
 * local `i` and read the common spellings inline, writing `pos` back once
 * at the closing bracket.
 */

/** An array of finite numbers >= 0 (`itl_ms`); -0 is kept, as float64ArrayField keeps it. */
function readDurations(b: Uint8Array): Float64Array | undefined {
  if (b[pos] !== LEFT_BRACKET) return undefined;
  let i = skipSpace(b, pos + 1);
  const start = used;
  let out = f64;
  let n = start / 8;
  if (b[i] !== RIGHT_BRACKET) {
    for (;;) {
      // Inline: digits with an optional fraction, at most 15 digits in all
      // (the division of readNumber). Anything else is re-read by readNumber.
      const first = i;
      let mantissa = 0;
      let dot = -1;
      for (let c = b[i]; ; c = b[++i]) {
        const d = c - ZERO;
        if (d >= 0 && d <= 9) mantissa = mantissa * 10 + d;
        else if (c === DOT && dot < 0) dot = i;
        else break;
      }
      let value: number;
      if (
        i !== first &&
        dot !== first &&
        dot !== i - 1 &&
        (b[first] !== ZERO || i === first + 1 || dot === first + 1) &&
        (b[i] | 32) !== LOWER_E && // e or E: an exponent follows
        i - first - (dot < 0 ? 0 : 1) <= MAX_FAST_DIGITS
      ) {
        value = dot < 0 ? mantissa : mantissa / POW10[i - dot - 1];
      } else {
        pos = first;
        value = readNumber(b);
        i = pos;
      }
      if (!(value >= 0)) return undefined;
      if (n === out.length) {
        growScratch();
        out = f64;
      }
      out[n++] = value;
      let c = b[i];
      if (isSpace(c)) c = b[(i = skipSpace(b, i))];
      if (c !== COMMA) break;
      i = skipSpace(b, i + 1);
    }
    if (b[i] !== RIGHT_BRACKET) return undefined;
  }
  pos = i + 1;
  used = 8 * n;
  return new Float64Array(scratch, start, n - start / 8);
}

/**
 * An array of integers in [min, 2^31) written as plain digit runs (see
 * readInt; a leading zero ends the run and fails the delimiter check).
 */
function readInt32s(b: Uint8Array, min: number): Int32Array | undefined {
  if (b[pos] !== LEFT_BRACKET) return undefined;
  let i = skipSpace(b, pos + 1);
  const start = used;
  let out = i32;
  let n = start / 4;
  if (b[i] !== RIGHT_BRACKET) {
    for (;;) {
      let d = b[i] - ZERO;
      if (!(d >= 0 && d <= 9)) return undefined;
      let value = d;
      i++;
      if (value !== 0) {
        for (d = b[i] - ZERO; d >= 0 && d <= 9; d = b[++i] - ZERO) value = value * 10 + d;
        if (value > INT32_MAX) return undefined;
      }
      if (value < min) return undefined;
      if (n === out.length) {
        growScratch();
        out = i32;
      }
      out[n++] = value;
      let c = b[i];
      if (isSpace(c)) c = b[(i = skipSpace(b, i))];
      if (c !== COMMA) break;
      i = skipSpace(b, i + 1);
    }
    if (b[i] !== RIGHT_BRACKET) return undefined;
  }
  pos = i + 1;
  // Rounded up so the next array starts 8-aligned.
  used = 8 * Math.ceil(n / 2);
  return new Int32Array(scratch, start, n - start / 4);
}

/**
 * `block_hashes` as decimal digit runs in [0, 2^64), exact. Each literal is
 * split into a head (its first 15 digits, an exact double) and a tail of
 * k <= 5 digits, so value = head * 10^k + tail; the product is formed on
 * the head's 32-bit halves, where every partial result stays below 2^53.
 */
function readHashes(b: Uint8Array): BigUint64Array | undefined {
  if (b[pos] !== LEFT_BRACKET) return undefined;
  let i = skipSpace(b, pos + 1);
  const start = used;
  let out = u32;
  let n = start / 8;
  if (b[i] !== RIGHT_BRACKET) {
    for (;;) {
      const first = i;
      let head = 0;
      let tail = 0;
      for (let d = b[i] - ZERO; d >= 0 && d <= 9; d = b[++i] - ZERO) {
        if (i - first < HASH_HEAD_DIGITS) head = head * 10 + d;
        else tail = tail * 10 + d;
      }
      const digits = i - first;
      // No digits, too many, or a leading zero (not JSON): the general path decides.
      if (digits === 0 || digits > HASH_HEAD_DIGITS + HASH_TAIL_DIGITS) return undefined;
      if (digits > 1 && b[first] === ZERO) return undefined;
      const scale = POW10[Math.max(0, digits - HASH_HEAD_DIGITS)];
      const headLo = head >>> 0;
      const low = headLo * scale + tail; // < 2^32 * 10^5 + 10^5 < 2^49
      const lo = low >>> 0;
      const hi = ((head - headLo) / TWO_POW_32) * scale + (low - lo) / TWO_POW_32;
      if (hi >= TWO_POW_32) return undefined; // >= 2^64
      if (2 * n === out.length) {
        growScratch();
        out = u32;
      }
      out[2 * n + LO_WORD] = lo;
      out[2 * n + HI_WORD] = hi;
      n++;
      let c = b[i];
      if (isSpace(c)) c = b[(i = skipSpace(b, i))];
      if (c !== COMMA) break;
      i = skipSpace(b, i + 1);
    }
    if (b[i] !== RIGHT_BRACKET) return undefined;
  }
  pos = i + 1;
  used = 8 * n;
  return new BigUint64Array(scratch, start, n - start / 8);
}

/** Doubles `scratch`, keeping its contents (views made before stay valid by offset). */
function growScratch(): void {
  const bigger = new ArrayBuffer(2 * scratch.byteLength);
  new Uint8Array(bigger).set(new Uint8Array(scratch));
  scratch = bigger;
  f64 = new Float64Array(bigger);
  i32 = new Int32Array(bigger);
  u32 = new Uint32Array(bigger);
}

function readStrings(b: Uint8Array): string[] | undefined {
  if (b[pos] !== LEFT_BRACKET) return undefined;
  pos = skipSpace(b, pos + 1);
  const out: string[] = [];
  if (b[pos] !== RIGHT_BRACKET) {
    for (;;) {
      const value = readPlainString(b);
      if (value === undefined) return undefined;
      out.push(value);
      pos = skipSpace(b, pos);
      if (b[pos] !== COMMA) break;
      pos = skipSpace(b, pos + 1);
    }
    if (b[pos] !== RIGHT_BRACKET) return undefined;
  }
  pos++;
  return out;
}

/**
 * A string with no escapes and no raw control characters (which JSON
 * forbids; the 0 byte after the line is one), or undefined.
 */
function readPlainString(b: Uint8Array): string | undefined {
  if (b[pos] !== QUOTE) return undefined;
  const start = pos + 1;
  for (let i = start; ; i++) {
    const c = b[i];
    if (c === QUOTE) {
      pos = i + 1;
      return lineSlice(start, i);
    }
    if (c === BACKSLASH || c < 32) return undefined;
  }
}

/**
 * A non-negative integer <= max written as a plain digit run (`5.0`, `1e3`
 * and `-0` are JSON integers too, but rare enough to leave to the general
 * path); -1 otherwise. A leading zero stops the run after `0`, so `01`
 * fails at the next delimiter check. Accumulating in a double is exact up
 * to 2^53, and a longer run can only round to >= 2^53 > max.
 */
function readInt(b: Uint8Array, max: number): number {
  let i = pos;
  let d = b[i] - ZERO;
  if (!(d >= 0 && d <= 9)) return -1;
  let value = d;
  i++;
  if (value !== 0) {
    for (d = b[i] - ZERO; d >= 0 && d <= 9; d = b[++i] - ZERO) value = value * 10 + d;
    if (value > max) return -1;
  }
  pos = i;
  return value;
}

/**
 * A JSON number token at `pos`, as the double JSON.parse gives it; NaN when
 * the text there is not a number token or the value is not finite (what
 * follows the token is checked by the caller).
 */
function readNumber(b: Uint8Array): number {
  const start = pos;
  let i = start;
  const negative = b[i] === MINUS;
  if (negative) i++;
  let d = b[i] - ZERO;
  if (!(d >= 0 && d <= 9)) return NaN;
  let mantissa = d;
  let digits = 1;
  i++;
  if (mantissa !== 0) {
    for (d = b[i] - ZERO; d >= 0 && d <= 9; d = b[++i] - ZERO) mantissa = mantissa * 10 + d;
    digits = i - start - (negative ? 1 : 0);
  }
  let fraction = 0;
  if (b[i] === DOT) {
    const fractionStart = ++i;
    for (d = b[i] - ZERO; d >= 0 && d <= 9; d = b[++i] - ZERO) mantissa = mantissa * 10 + d;
    fraction = i - fractionStart;
    if (fraction === 0) return NaN;
    digits += fraction;
  }
  const c = b[i];
  if (c === LOWER_E || c === UPPER_E || digits > MAX_FAST_DIGITS) return exactNumber(b, start, i);
  pos = i;
  const magnitude = fraction === 0 ? mantissa : mantissa / POW10[fraction];
  return negative ? -magnitude : magnitude;
}

/**
 * The rare number spellings: an exponent (its part from `i` on) or more
 * digits than the fast division can take. Number() reads a JSON number
 * token exactly as JSON.parse does.
 */
function exactNumber(b: Uint8Array, start: number, i: number): number {
  const c = b[i];
  if (c === LOWER_E || c === UPPER_E) {
    i++;
    if (b[i] === PLUS || b[i] === MINUS) i++;
    const exponentStart = i;
    while (b[i] >= ZERO && b[i] <= ZERO + 9) i++;
    if (i === exponentStart) return NaN;
  }
  pos = i;
  const value = Number(lineSlice(start, i));
  return Number.isFinite(value) ? value : NaN;
}

function skipSpace(b: Uint8Array, i: number): number {
  while (isSpace(b[i])) i++;
  return i;
}

/** JSON's four whitespace characters (nothing else: JSON.parse rejects e.g. U+00A0); one compare for the rest of ASCII. */
function isSpace(c: number): boolean {
  return c <= 32 && (c === 32 || c === 9 || c === 10 || c === 13);
}
