/**
 * A window's request rows, packed into one ArrayBuffer so they move to a
 * worker thread without a copy (postMessage transfer): the main thread reads
 * them (from memory or the spill file) and the worker reads them back
 * through the same RequestRowSource interface the writer always uses.
 *
 * Layout: Int32 header [n, then per request: row, gap count, token id count],
 * padded to 8 bytes; Float64 section: per request its gap starts then gap
 * durations; Int32 section: per request its gap tokens, num_running,
 * prefill_tokens, then token ids. Block hashes are not carried: the trace
 * does not show them.
 */
import type { RequestRowSource, RequestRows } from '../../capture/model.js';

const NO_HASHES = new BigUint64Array(0);

export function packWindowRows(source: RequestRowSource, rows: ArrayLike<number>): ArrayBuffer {
  const all: RequestRows[] = [];
  let doubles = 0;
  let ints = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = source.rows(rows[i]);
    all.push(r);
    doubles += 2 * r.gapCount;
    ints += 3 * r.gapCount + r.tokenIds.length;
  }
  const headerInts = 1 + 3 * rows.length;
  const headerBytes = Math.ceil((4 * headerInts) / 8) * 8;
  const buffer = new ArrayBuffer(headerBytes + 8 * doubles + 4 * ints);
  const header = new Int32Array(buffer, 0, headerInts);
  const f64 = new Float64Array(buffer, headerBytes, doubles);
  const i32 = new Int32Array(buffer, headerBytes + 8 * doubles, ints);
  header[0] = rows.length;
  let d = 0;
  let n = 0;
  all.forEach((r, i) => {
    header.set([rows[i], r.gapCount, r.tokenIds.length], 1 + 3 * i);
    f64.set(r.gapStartMs.subarray(0, r.gapCount), d);
    f64.set(r.gapDurMs.subarray(0, r.gapCount), d + r.gapCount);
    d += 2 * r.gapCount;
    i32.set(r.gapTokens.subarray(0, r.gapCount), n);
    i32.set(r.gapNumRunning.subarray(0, r.gapCount), n + r.gapCount);
    i32.set(r.gapPrefillTokens.subarray(0, r.gapCount), n + 2 * r.gapCount);
    i32.set(r.tokenIds, n + 3 * r.gapCount);
    n += 3 * r.gapCount + r.tokenIds.length;
  });
  return buffer;
}

/** The rows packed by packWindowRows, as views into the buffer; asking for any other row is an error. */
export function unpackWindowRows(buffer: ArrayBuffer): RequestRowSource {
  const count = new Int32Array(buffer, 0, 1)[0];
  const headerInts = 1 + 3 * count;
  const header = new Int32Array(buffer, 0, headerInts);
  const headerBytes = Math.ceil((4 * headerInts) / 8) * 8;
  let doubles = 0;
  for (let i = 0; i < count; i++) doubles += 2 * header[2 + 3 * i];
  const f64 = new Float64Array(buffer, headerBytes, doubles);
  const i32 = new Int32Array(buffer, headerBytes + 8 * doubles);
  const byRow = new Map<number, RequestRows>();
  let d = 0;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const [row, gaps, ids] = [header[1 + 3 * i], header[2 + 3 * i], header[3 + 3 * i]];
    byRow.set(row, {
      gapCount: gaps,
      gapStartMs: f64.subarray(d, d + gaps),
      gapDurMs: f64.subarray(d + gaps, d + 2 * gaps),
      gapTokens: i32.subarray(n, n + gaps),
      gapNumRunning: i32.subarray(n + gaps, n + 2 * gaps),
      gapPrefillTokens: i32.subarray(n + 2 * gaps, n + 3 * gaps),
      tokenIds: i32.subarray(n + 3 * gaps, n + 3 * gaps + ids),
      blockHashes: NO_HASHES,
    });
    d += 2 * gaps;
    n += 3 * gaps + ids;
  }
  return {
    rows(request: number): RequestRows {
      const rows = byRow.get(request);
      if (!rows) throw new Error(`request ${request} is not in this window's rows`);
      return rows;
    },
  };
}
