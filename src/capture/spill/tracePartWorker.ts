/**
 * Worker thread entry: reads one later part of a split engine trace
 * (splitTrace.ts) into a spilling builder of its own, its blocks going to the
 * spill file it was given, and posts the builder's part back (transferred).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openTracePart } from '../../ingest/engineTrace.js';
import { InputError } from '../../ingest/errors.js';
import { SpillingRequestBuilder, type SpilledPart } from './spillingBuilder.js';
import { SpillWriter } from './spillFile.js';
import type { PartJob, PartMessage } from './splitTrace.js';

/** Progress is posted every this many records: less often than load.ts reports its own (PROGRESS_EVERY), as each post is a message to another thread. */
const POST_PROGRESS_EVERY = 8192;

if (!parentPort) throw new Error('tracePartWorker.ts runs as a worker thread');
const port = parentPort;
const job = workerData as PartJob;

/** Copies of the part's columns (a view's whole growable buffer would otherwise travel), and their buffers to transfer. */
function detached(part: SpilledPart): { part: SpilledPart; buffers: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  const copy = <T extends Float64Array | Int32Array | Uint8Array>(array: T): T => {
    const own = array.slice() as T;
    buffers.push(own.buffer as ArrayBuffer);
    return own;
  };
  const columns = Object.fromEntries(
    Object.entries(part.columns).map(([name, value]) => [name, ArrayBuffer.isView(value) ? copy(value as Float64Array) : value]),
  ) as unknown as SpilledPart['columns'];
  return {
    part: { ...part, columns, offset: copy(part.offset), blockHashes: copy(part.blockHashes), tokenIds: copy(part.tokenIds) },
    buffers,
  };
}

async function readPart(): Promise<PartMessage> {
  const builder = new SpillingRequestBuilder(new SpillWriter(job.spillFd));
  try {
    const reader = await openTracePart(job.path, job.range);
    let records = 0;
    for await (const record of reader.records) {
      builder.add(record);
      if (++records % POST_PROGRESS_EVERY === 0) port.postMessage({ type: 'progress', records } satisfies PartMessage);
    }
    return { type: 'done', part: builder.part(), lines: reader.linesRead() };
  } catch (error) {
    if (error instanceof InputError) return { type: 'error', line: error.line, reason: error.reason };
    return { type: 'error', reason: String((error as Error)?.stack ?? error), bug: true };
  }
}

const message = await readPart();
if (message.type === 'done') {
  const { part, buffers } = detached(message.part);
  port.postMessage({ ...message, part } satisfies PartMessage, buffers);
} else {
  port.postMessage(message);
}
