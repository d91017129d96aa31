/**
 * From converted requests to the engine-trace file's text: each line passes
 * vcr's own engine-trace validation (the reader's parseTraceRecord, so a
 * converted trace can never fail to load) or is skipped with the reader's
 * reason; lines go out in finish order, as the format specifies.
 */
import { InputError } from '../ingest/errors.js';
import { parseTraceRecord } from '../ingest/traceRecord.js';
import type { SkipLog } from './skips.js';
import type { ConvertedRequest, TraceLine, TraceMeta } from './trace.js';

/** The skip reason for requests the engine-trace reader would refuse. */
export const INVALID_FOR_TRACE = 'not valid as an engine-trace record';

/** The lines the engine-trace reader accepts; the others go to `skipped` with its reason. */
export function acceptedLines(requests: readonly ConvertedRequest[], skipped: SkipLog): TraceLine[] {
  const accepted: TraceLine[] = [];
  for (const { from, line } of requests) {
    const violation = traceViolation(line);
    if (violation === undefined) accepted.push(line);
    else skipped.add(INVALID_FOR_TRACE, from, violation);
  }
  return accepted;
}

function traceViolation(line: TraceLine): string | undefined {
  try {
    // The path and line number only word the error; its reason is what the summary shows.
    parseTraceRecord('converted', 0, line);
    return undefined;
  } catch (error) {
    if (error instanceof InputError) return error.reason;
    throw error;
  }
}

/**
 * Finish order (end = arrival + TTFT + decode time) when every line has an
 * arrival, else the order given: without arrivals the end is unknown, and
 * readers place requests by arrival anyway. The sort is stable.
 */
export function inFinishOrder(lines: readonly TraceLine[]): TraceLine[] {
  if (!lines.every((line) => line.arrival_ms !== undefined)) return [...lines];
  const end = (line: TraceLine) => line.arrival_ms! + line.ttft_ms + decodeMs(line);
  return lines
    .map((line) => ({ line, end: end(line) }))
    .sort((a, b) => a.end - b.end)
    .map(({ line }) => line);
}

/** formats.md §1: sum(itl_ms), or mean_ms × count from itl_summary. */
function decodeMs(line: TraceLine): number {
  if (line.itl_ms !== undefined) return line.itl_ms.reduce((sum, gap) => sum + gap, 0);
  return line.itl_summary === undefined ? 0 : line.itl_summary.mean_ms * line.itl_summary.count;
}

/** The meta line, then one line per request, newline-terminated. */
export function engineTraceText(meta: TraceMeta, lines: readonly TraceLine[]): string {
  const metaFields = { ...(meta.model === undefined ? {} : { model: meta.model }), source: meta.source, ...meta.extra };
  const out = [JSON.stringify({ meta: metaFields })];
  for (const line of lines) out.push(JSON.stringify(line));
  return `${out.join('\n')}\n`;
}
