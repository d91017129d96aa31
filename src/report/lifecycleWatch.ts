/**
 * `vcr report lifecycle --watch`: follows an OTLP file that a collector is
 * still writing and recomputes the report whenever complete lines arrive.
 *
 * - Plain files are read incrementally from the last byte offset; a trailing
 *   line without its newline is held back until it is complete.
 * - Gzip files, and the collector's binary encodings (length-prefixed
 *   frames, zstd), are not resumed mid-stream: on growth the file is read
 *   again from the start (a cut-off tail is a clean end: the readers keep
 *   the complete lines or frames) and only messages beyond those seen are
 *   decoded.
 * - A file that does not exist yet is waited for; one that shrinks was
 *   replaced, and is followed from its start.
 * Polling (not fs.watch): it behaves the same on every platform and on
 * network filesystems. The OTLP journey of a request spans lines exported
 * at different times, so every update re-assembles all lines seen.
 */
import { open, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { OtlpCapture } from '../capture/otlpRecords.js';
import { InputError, type LenientLog } from '../ingest/errors.js';
import { OtlpCaptureBuilder } from '../ingest/otlp/assemble.js';
import { sniffExportForm } from '../ingest/otlp/form.js';
import { readExportMessages, type ExportMessage } from '../ingest/otlp/messages.js';
import { decodeMessage } from '../ingest/otlp/reader.js';
import type { DecodedExport } from '../ingest/otlp/spans.js';
import { lifecycleReport, type LifecycleReport } from './lifecycle.js';

const NEWLINE = 0x0a;
/** Enough of the file to tell its encoding (form.ts looks at 8 bytes); every export message is longer. */
const SNIFF_BYTES = 8;

/** Accumulates the decoded lines of a growing OTLP file. */
export class OtlpFileFollower {
  private readonly decoded: { line: number; value: DecodedExport }[] = [];
  private size = -1;
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private linesSeen = 0;
  /** Read again from the start on growth (gzip, frames, zstd) rather than from the last offset; undefined until decided. */
  private reread: boolean | undefined;
  /** The first poll that found the file has been reported. */
  private announced = false;

  constructor(
    readonly path: string,
    private readonly lenient?: LenientLog,
  ) {}

  /** Reads what was appended since the last poll. True when the file exists and, after the first poll, new lines arrived. */
  async poll(): Promise<boolean> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    if (size < this.size) this.reset();
    const first = !this.announced;
    this.announced = true;
    if (size === this.size) return false;
    if (this.reread === undefined) {
      // Too short to tell its encoding: nothing to read yet (no export message is this short), though the file is there.
      if (size < SNIFF_BYTES) return first;
      const { form, gzip } = await sniffExportForm(this.path);
      this.reread = gzip || form !== 'lines';
    }
    this.size = size;
    const before = this.decoded.length;
    if (this.reread) await this.rereadAll();
    else await this.readAppended(size);
    return first || this.decoded.length > before;
  }

  /** The capture as of the lines read so far. */
  capture(): OtlpCapture {
    const builder = new OtlpCaptureBuilder();
    for (const { line, value } of this.decoded) builder.add(value, line);
    return builder.finish(this.path, this.linesSeen);
  }

  private reset(): void {
    this.decoded.length = 0;
    this.size = -1;
    this.offset = 0;
    this.pending = Buffer.alloc(0);
    this.linesSeen = 0;
    this.reread = undefined;
    this.announced = false;
  }

  private async readAppended(size: number): Promise<void> {
    const handle = await open(this.path, 'r');
    try {
      const chunk = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, this.offset);
      this.offset += bytesRead;
      let data = Buffer.concat([this.pending, chunk.subarray(0, bytesRead)]);
      let newline: number;
      while ((newline = data.indexOf(NEWLINE)) >= 0) {
        this.accept(data.subarray(0, newline).toString('utf8').replace(/\r$/, ''));
        data = data.subarray(newline + 1);
      }
      this.pending = Buffer.from(data);
    } finally {
      await handle.close();
    }
  }

  private async rereadAll(): Promise<void> {
    const seen = this.linesSeen;
    // The cut-off-tail warning would repeat on every poll of a file being written: it is expected here.
    for await (const message of readExportMessages(this.path, { warn: () => {} })) {
      if (message.line > seen) this.acceptMessage(message);
    }
  }

  private acceptMessage(message: ExportMessage): void {
    this.linesSeen = message.line;
    this.keep(message.line, () => decodeMessage(this.path, message));
  }

  private accept(text: string): void {
    const line = ++this.linesSeen;
    if (text.trim() === '') return;
    this.keep(line, () => decodeMessage(this.path, { line, text }));
  }

  /** Keeps one decoded message; a bad one is skipped and logged with --lenient, else it fails the watch. */
  private keep(line: number, decode: () => DecodedExport): void {
    try {
      this.decoded.push({ line, value: decode() });
    } catch (error) {
      if (this.lenient && error instanceof InputError) this.lenient.record(error);
      else throw error;
    }
  }
}


export interface WatchOptions {
  /** Poll period; default 500 ms. */
  intervalMs?: number;
  /** Stops the loop (Ctrl-C in the CLI). */
  signal: AbortSignal;
  /** Called with the first report once the file exists, then after every poll that brought new records. */
  onUpdate: (report: LifecycleReport) => void | Promise<void>;
  lenient?: LenientLog;
}

/** Follows `path` until `signal` aborts; resolves with the last report (undefined if the file never appeared). */
export async function watchLifecycle(path: string, options: WatchOptions): Promise<LifecycleReport | undefined> {
  const follower = new OtlpFileFollower(path, options.lenient);
  let last: LifecycleReport | undefined;
  while (!options.signal.aborted) {
    if (await follower.poll()) {
      last = lifecycleReport(follower.capture());
      await options.onUpdate(last);
    }
    await delay(options.intervalMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return last;
}
