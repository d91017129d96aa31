import type { Capture, CaptureView, RequestRows, RequestRowSource } from './model.js';

/** Rows of an in-memory capture: subarray views, no copying. */
class InMemoryRows implements RequestRowSource {
  constructor(private readonly capture: Capture) {}

  rows(request: number): RequestRows {
    const { requests, gaps } = this.capture;
    const from = requests.gapOffset[request];
    const to = from + requests.gapCount[request];
    return {
      gapCount: to - from,
      gapStartMs: gaps.startMs.subarray(from, to),
      gapDurMs: gaps.durMs.subarray(from, to),
      gapTokens: gaps.tokens.subarray(from, to),
      gapNumRunning: gaps.numRunning.subarray(from, to),
      gapPrefillTokens: gaps.prefillTokens.subarray(from, to),
      tokenIds: requests.tokenIds.subarray(requests.tokenIdOffsets[request], requests.tokenIdOffsets[request + 1]),
      blockHashes: requests.blockHashes.subarray(requests.blockHashOffsets[request], requests.blockHashOffsets[request + 1]),
    };
  }
}

function anyAtLeastZero(column: Int32Array): boolean {
  for (let i = 0; i < column.length; i++) if (column[i] >= 0) return true;
  return false;
}

/** The streaming view of a capture already in memory. */
export function captureView(capture: Capture): CaptureView {
  return {
    tracePath: capture.tracePath,
    stepStatsPath: capture.stepStatsPath,
    meta: capture.meta,
    requests: capture.requests,
    rows: new InMemoryRows(capture),
    gapsHaveContext: anyAtLeastZero(capture.gaps.numRunning),
    steps: capture.steps,
    otlp: capture.otlp,
    stats: capture.stats,
  };
}
