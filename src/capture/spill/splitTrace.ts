/**
 * Reading a large engine trace on several threads. The file is cut into
 * parts at line boundaries; this thread reads the first part (the only one
 * that can hold the meta line) into the caller's builder while each later
 * part is read by a worker thread (tracePartWorker.ts) into a builder of its
 * own, spilling to a spill file of its own. The parts are then appended in
 * file order, so the columns, the spill index and every error are what one
 * thread reading the whole file would give:
 *
 * - a worker numbers its lines from 1; the lines of the parts before it are
 *   added when its rows are appended (source_line) and to its error's line;
 * - the first error in file order wins: the first part's own, else the
 *   earliest failing worker's, once every part before it is read.
 *
 * Only plain (not gzip) files split, and only without --lenient (whose
 * skipped-line log is one per stream); everything else reads on one thread.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openEngineTrace } from '../../ingest/engineTrace.js';
import { InputError } from '../../ingest/errors.js';
import { isGzip, startsWithBom, type ByteRange } from '../../ingest/lines.js';
import { NO_PROGRESS } from '../../util/progress.js';
import { PROGRESS_EVERY, type LoadOptions } from '../load.js';
import type { CaptureMeta } from '../records.js';
import type { SpilledPart, SpillingRequestBuilder } from './spillingBuilder.js';
import { SpillFile } from './spillFile.js';

/**
 * Below this a part is not worth a worker. Measured on the 2-core bench
 * machine (docs/benchmarks.md): a 40 MB trace read in two parts took 0.45 s
 * against 0.29-0.33 s on one thread (a worker takes 0.06-0.09 s to start, and
 * the two threads slow each other down: file reads, spill writes, GC); a
 * 211 MB trace broke even; a 1 GB trace took 3.3 s against 5.3-7.2 s.
 */
export const MIN_PART_BYTES = 64 << 20;
/** Bytes read at a time while looking for a line end. */
const PROBE_BYTES = 64 << 10;
const NEWLINE = 0x0a;

/** What a part's worker posts. */
export type PartMessage =
  | { type: 'progress'; records: number }
  | { type: 'done'; part: SpilledPart; lines: number }
  /** `line` within the part; `bug` for anything but an input error. */
  | { type: 'error'; line?: number; reason: string; bug?: boolean };

/** What a worker is started with (workerData). */
export interface PartJob {
  path: string;
  range: ByteRange;
  /** The descriptor of the spill file the part's blocks go to (owned by this thread). */
  spillFd: number;
}

/**
 * The byte ranges to read in parallel, each a whole number of lines, or
 * undefined when the file should be read on one thread: gzip, under two
 * parts' worth of bytes, or without a non-blank byte early in the first part
 * (the meta line, if any, must be read there).
 */
export async function planTraceSplit(path: string, threads: number, minPartBytes = MIN_PART_BYTES): Promise<ByteRange[] | undefined> {
  if (await isGzip(path)) return undefined;
  const size = (await stat(path)).size;
  const parts = Math.min(threads, Math.floor(size / minPartBytes));
  if (parts < 2) return undefined;
  const handle = await open(path, 'r');
  try {
    const probe = Buffer.alloc(PROBE_BYTES);
    const starts = [0];
    for (let k = 1; k < parts; k++) {
      const start = await lineStartAtOrAfter(handle, Math.floor((k * size) / parts), size, probe);
      if (start > starts[starts.length - 1] && start < size) starts.push(start);
    }
    if (starts.length < 2) return undefined;
    // The first part must hold the first non-blank line (the meta line, if any): something not blank within its first probe.
    const { bytesRead } = await handle.read(probe, 0, Math.min(PROBE_BYTES, starts[1]), 0);
    const bom = startsWithBom(probe.subarray(0, bytesRead)) ? 3 : 0;
    if (probe.subarray(bom, bytesRead).toString('latin1').trim().length === 0) return undefined;
    return starts.map((start, k) => ({ start, end: k + 1 < starts.length ? starts[k + 1] : size }));
  } finally {
    await handle.close();
  }
}

/** The offset just after the first line end at or after `from` (`size` when there is none). */
async function lineStartAtOrAfter(handle: Awaited<ReturnType<typeof open>>, from: number, size: number, probe: Buffer): Promise<number> {
  for (let at = from; at < size; at += PROBE_BYTES) {
    const { bytesRead } = await handle.read(probe, 0, PROBE_BYTES, at);
    const newline = probe.subarray(0, bytesRead).indexOf(NEWLINE);
    if (newline >= 0) return at + newline + 1;
  }
  return size;
}

/** How a part's read ended. */
type PartResult = Exclude<PartMessage, { type: 'progress' }>;

/** One later part, being read by its worker. */
interface PartReader {
  result: Promise<PartResult>;
  /** Records read so far, as last reported. */
  records(): number;
  worker: Worker;
}

function startPart(job: PartJob, onProgress: () => void): PartReader {
  const worker = new Worker(new URL('./tracePartWorker.js', import.meta.url), { workerData: job });
  let records = 0;
  // The first of these settles the part; later ones (the exit after a posted result) are no-ops.
  const result = new Promise<PartResult>((resolve) => {
    worker.on('message', (message: PartMessage) => {
      if (message.type !== 'progress') return resolve(message);
      records = message.records;
      onProgress();
    });
    worker.on('error', (error) => resolve({ type: 'error', reason: String(error.stack ?? error), bug: true }));
    worker.on('exit', (code) => resolve({ type: 'error', reason: `worker exited with code ${code} before it was done`, bug: true }));
  });
  return { result, worker, records: () => records };
}

/**
 * Reads the trace's `ranges` (planTraceSplit) into `builder`: the first here,
 * the others on worker threads, each spilling to a new file pushed onto
 * `files` (the caller closes them however this ends). Returns the meta line.
 */
export async function readSplitTrace(
  path: string,
  ranges: readonly ByteRange[],
  builder: SpillingRequestBuilder,
  files: SpillFile[],
  options: LoadOptions & { tempDir?: string },
): Promise<CaptureMeta> {
  const progress = options.progress ?? NO_PROGRESS;
  let own = 0;
  const parts: PartReader[] = [];
  const update = () => progress.update(parts.reduce((sum, part) => sum + part.records(), own));
  try {
    for (const range of ranges.slice(1)) {
      const file = new SpillFile(options.tempDir);
      files.push(file);
      parts.push(startPart({ path, range, spillFd: file.fd }, update));
    }
    const reader = await openEngineTrace(path, { warn: options.warn, range: ranges[0] });
    progress.phase(`reading ${basename(path)}`, 'records');
    for await (const record of reader.records) {
      builder.add(record);
      if (++own % PROGRESS_EVERY === 0) update();
    }
    let linesBefore = reader.linesRead();
    for (let k = 0; k < parts.length; k++) {
      const message = await parts[k].result;
      if (message.type === 'error') {
        if (message.bug) throw new Error(`${path}: reading bytes ${ranges[k + 1].start}-${ranges[k + 1].end} on a worker thread failed: ${message.reason}`);
        throw new InputError(path, message.line === undefined ? undefined : linesBefore + message.line, message.reason);
      }
      builder.appendPart(message.part, linesBefore, k + 1);
      linesBefore += message.lines;
    }
    update();
    return reader.meta;
  } finally {
    await Promise.all(parts.map((part) => part.worker.terminate()));
  }
}
