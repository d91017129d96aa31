/**
 * The journey events a fit reads, picked once per request with the same
 * "first"/"last" conventions as the SQL `request_stages` view: first QUEUED,
 * first SCHEDULED, first FIRST_TOKEN, first ARRIVED; last FINISHED, last
 * DEPARTED.
 */
import type { JourneyEvent, JourneyEventType, JourneyRequest } from '../capture/otlpRecords.js';

export type JourneyMarks = Partial<Record<JourneyEventType, JourneyEvent>>;

const LAST_WINS: ReadonlySet<JourneyEventType> = new Set(['FINISHED', 'DEPARTED', 'ABORTED']);

/** Events are sorted by time, so the first occurrence is the earliest and the last the latest. */
export function journeyMarks(request: JourneyRequest): JourneyMarks {
  const marks: JourneyMarks = {};
  for (const event of request.events) {
    if (marks[event.type] === undefined || LAST_WINS.has(event.type)) marks[event.type] = event;
  }
  return marks;
}

/** Exact µs between two events (from their epoch ns, not the rounded ms). */
export function betweenUs(from: JourneyEvent, to: JourneyEvent): number {
  return Number(to.timeNs - from.timeNs) / 1000;
}

/** Prompt length: prefill.total_tokens of the QUEUED event, else the API span's prompt tokens. */
export function promptTokens(request: JourneyRequest, marks: JourneyMarks): number | undefined {
  return marks.QUEUED?.prefillTotalTokens ?? request.promptTokens;
}

/** Output length: the API span's completion tokens, else decode.done_tokens at FINISHED. */
export function outputTokens(request: JourneyRequest, marks: JourneyMarks): number | undefined {
  return request.completionTokens ?? marks.FINISHED?.decodeDoneTokens;
}
