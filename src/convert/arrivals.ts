/** Arrival times from a benchmark tool's per-request start times. */
import { secondsToMs, type ConvertedRequest } from './trace.js';

/** A converted request with the source's start time (seconds, on the tool's clock), when it recorded one. */
export interface StartedRequest {
  request: ConvertedRequest;
  startS?: number;
}

/**
 * Sets each request's arrival_ms to its start minus the earliest start among
 * these requests (the capture's zero), in ms. Returns that zero in the
 * tool's seconds, or undefined when no request has a start time.
 */
export function setArrivals(started: readonly StartedRequest[]): number | undefined {
  let zeroS: number | undefined;
  for (const { startS } of started) if (startS !== undefined && (zeroS === undefined || startS < zeroS)) zeroS = startS;
  if (zeroS === undefined) return undefined;
  for (const { request, startS } of started) if (startS !== undefined) request.line.arrival_ms = secondsToMs(startS - zeroS);
  return zeroS;
}
