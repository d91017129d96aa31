/**
 * A capture too large for memory: one streaming pass over the inputs keeps
 * the fixed-width request columns (tens of bytes per request) and the step
 * and OTLP tables, and appends each request's variable-length rows (gaps,
 * token ids, block hashes — the part that grows with tokens) to a temporary
 * spill file as one block. Consumers then load a request's block when they
 * reach it (`rows(request)`, one positioned read) and drop it when done, so
 * memory is O(requests + what is open at once), never O(gaps). Gzip inputs
 * work the same: the input is read once, the spill file is plain.
 */
import type { CaptureView } from '../model.js';
import type { CaptureMeta } from '../records.js';
import { captureStats, readCaptureStreams, type CaptureSources, type LoadOptions } from '../load.js';
import { SpillFile } from './spillFile.js';
import { SpillingRequestBuilder } from './spillingBuilder.js';
import { planTraceSplit, readSplitTrace } from './splitTrace.js';

/** A CaptureView over a spill file; `close()` releases (and removes) the file. */
export interface SpilledCapture extends CaptureView {
  close(): void;
}

export interface SpillOptions extends LoadOptions {
  /** Directory for the spill file (default: the OS temp dir). */
  tempDir?: string;
  /**
   * Threads reading the engine trace (default 1): a large plain trace is cut
   * into up to this many parts at line boundaries, all but the first read by
   * worker threads (splitTrace.ts); the capture is the same either way. Needs
   * the built module (a worker loads tracePartWorker.js).
   */
  readThreads?: number;
  /** Smallest part worth a thread (splitTrace.ts MIN_PART_BYTES); the default suits every capture, tests make it small. */
  minReadPartBytes?: number;
}

/** Reads the capture's streams once, spilling per-request rows; the caller must `close()` the result. */
export async function spillCapture(sources: CaptureSources, options: SpillOptions = {}): Promise<SpilledCapture> {
  const files = [new SpillFile(options.tempDir)];
  const close = () => files.forEach((file) => file.close());
  try {
    const builder = new SpillingRequestBuilder(files[0]);
    const trace = sources.trace;
    const split = trace && !options.lenient && (options.readThreads ?? 1) > 1 ? await planTraceSplit(trace, options.readThreads ?? 1, options.minReadPartBytes) : undefined;
    let meta: CaptureMeta | undefined;
    if (trace && split) meta = await readSplitTrace(trace, split, builder, files, options);
    const streams = await readCaptureStreams(sources, builder, options, split !== undefined);
    const { requests, rows, laneCount } = builder.finish(files);
    return {
      tracePath: sources.trace,
      stepStatsPath: sources.stepStats,
      meta: meta ?? streams.meta,
      requests,
      rows,
      gapsHaveContext: builder.gapsHaveContext,
      steps: streams.steps,
      otlp: streams.otlp,
      stats: captureStats(requests, builder.gaps, laneCount, streams.idleIntervals),
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** Runs `body` on the spilled capture and releases the spill file however it ends. */
export async function withSpilledCapture<T>(sources: CaptureSources, options: SpillOptions, body: (capture: SpilledCapture) => Promise<T>): Promise<T> {
  const capture = await spillCapture(sources, options);
  try {
    return await body(capture);
  } finally {
    capture.close();
  }
}
