/**
 * Worker threads that encode windows of requests in parallel
 * (windowWorker.ts). Jobs go to the worker with the fewest outstanding;
 * results come back as promises, which the writer awaits in window order so
 * the file is the same as a single-threaded run's. Any worker failure fails
 * every outstanding job.
 */
import { Worker } from 'node:worker_threads';
import type { WindowEncoderInit, WindowJob, WindowResult } from './windowEncoder.js';
import type { SharedSpilledRows } from '../../capture/spill/spilledRows.js';

interface Pending {
  resolve: (result: WindowResult) => void;
  reject: (error: Error) => void;
}

type Reply = { type: 'result'; result: WindowResult } | { type: 'error'; window: number; message: string };

/** Copies a typed array onto a SharedArrayBuffer, so every worker reads the one copy. */
function shared<T extends Int32Array | Float64Array | Uint8Array>(array: T): T {
  const Kind = array.constructor as { new (buffer: SharedArrayBuffer): T };
  const copy = new Kind(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

/** The init message with its big columns shared rather than copied per worker. */
function sharedInit(init: WindowEncoderInit): WindowEncoderInit {
  const r = init.requests;
  return {
    ...init,
    requests: {
      count: r.count,
      gapCount: shared(r.gapCount),
      summaryGapCount: shared(r.summaryGapCount),
      outputTokens: shared(r.outputTokens),
      promptTokens: shared(r.promptTokens),
      cachedTokens: shared(r.cachedTokens),
      ttftMs: shared(r.ttftMs),
      firstChunkTokens: shared(r.firstChunkTokens),
      finishReason: shared(r.finishReason),
      meanItlMs: shared(r.meanItlMs),
      decodeMs: shared(r.decodeMs),
    },
    layout: { ...init.layout, requestTrack: shared(init.layout.requestTrack), laneOfTrack: shared(init.layout.laneOfTrack) },
    times: { arrivalNs: shared(init.times.arrivalNs), firstTokenNs: shared(init.times.firstTokenNs), endNs: shared(init.times.endNs) },
    producingStep: shared(init.producingStep),
    spilledRows: init.spilledRows && sharedSpilledRows(init.spilledRows),
  };
}

function sharedSpilledRows(rows: SharedSpilledRows): SharedSpilledRows {
  const { index, requests } = rows;
  return {
    fds: rows.fds,
    index: { file: shared(index.file), offset: shared(index.offset), blockHashes: shared(index.blockHashes), tokenIds: shared(index.tokenIds) },
    requests: { gapCount: shared(requests.gapCount), arrivalMs: shared(requests.arrivalMs), ttftMs: shared(requests.ttftMs) },
  };
}

export class WindowPool {
  private readonly workers: Worker[] = [];
  private readonly outstanding: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;

  constructor(size: number, init: WindowEncoderInit) {
    const message = { type: 'init', init: sharedInit(init) };
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./windowWorker.js', import.meta.url));
      worker.on('message', (reply: Reply) => this.onReply(i, reply));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`window worker exited with code ${code}`));
      });
      worker.postMessage(message);
      this.workers.push(worker);
      this.outstanding.push(0);
    }
  }

  encode(job: WindowJob): Promise<WindowResult> {
    if (this.failure) return Promise.reject(this.failure);
    let best = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.outstanding[i] < this.outstanding[best]) best = i;
    this.outstanding[best]++;
    const result = new Promise<WindowResult>((resolve, reject) => this.pending.set(job.window, { resolve, reject }));
    this.workers[best].postMessage({ type: 'job', job }, job.rows ? [job.rows] : []);
    return result;
  }

  private onReply(worker: number, reply: Reply): void {
    this.outstanding[worker]--;
    if (reply.type === 'error') return this.fail(new Error(`encoding window ${reply.window} failed: ${reply.message}`));
    const pending = this.pending.get(reply.result.window);
    this.pending.delete(reply.result.window);
    pending?.resolve(reply.result);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }

  async close(): Promise<void> {
    // Terminating is the normal end: a worker's exit code is then not a failure.
    this.failure ??= new Error('window pool closed');
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
