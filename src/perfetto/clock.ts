/**
 * Time on the trace: integer nanoseconds. Inputs are milliseconds on the
 * capture clock; rounding ms × 10^6 to the nearest integer recovers the exact
 * nanosecond a decimal ms value denotes (doubles carry ~16 significant digits,
 * so this holds up to ~10^9 ms, about 11 days).
 */
export function msToNs(ms: number): number {
  return Math.round(ms * 1e6);
}

/**
 * Where capture time lands on the trace clock. Perfetto timestamps are
 * unsigned, so a capture with events before its zero (negative arrival_ms is
 * legal) is shifted right by `shiftNs`; normally the shift is 0 and trace
 * time equals capture time.
 */
export interface TraceTimeBase {
  shiftNs: number;
  /** Wall-clock epoch (ns since 1970) of trace time 0, when the capture knows it (OTLP export). */
  realtimeAtZeroNs?: bigint;
}

export function traceTimeBase(earliestMs: number, captureEpochNs?: bigint): TraceTimeBase {
  const shiftNs = earliestMs < 0 ? -msToNs(earliestMs) : 0;
  return {
    shiftNs,
    realtimeAtZeroNs: captureEpochNs === undefined ? undefined : captureEpochNs - BigInt(shiftNs),
  };
}
