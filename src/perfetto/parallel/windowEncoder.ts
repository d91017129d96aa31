/**
 * Encoding one window of requests on its own: a lanes-only proto sink fed
 * the window's requests, its output collected instead of written. What a
 * window worker runs; the bytes equal what the writer's own sink writes for
 * that window (each window starts fresh lane sequences and a fresh chunk).
 */
import type { ByteOutput } from '../byteOutput.js';
import { ProtoTraceSink } from '../protoSink.js';
import type { EventCounts } from '../sink.js';
import type { TrackLayout } from '../tracks.js';
import { RequestEvents, type RequestSource, type RequestTimes } from '../timeline/requestEvents.js';
import { unpackWindowRows } from './windowRows.js';
import { spilledRowsIn, type SharedSpilledRows } from '../../capture/spill/spilledRows.js';

/** Everything every window needs, sent once to each worker (typed arrays on SharedArrayBuffers). */
export interface WindowEncoderInit {
  requests: RequestSource['requests'];
  layout: TrackLayout;
  times: RequestTimes;
  shiftNs: number;
  producingStep: Int32Array;
  /** Window starts (entity indices) and the entity count: timeline/windows.ts. */
  windows: Int32Array;
  compress: boolean;
  /** A spilled capture's rows, which the worker then reads itself; otherwise each job carries its window's rows. */
  spilledRows?: SharedSpilledRows;
}

export interface WindowJob {
  window: number;
  /** packWindowRows of the window's requests; absent when the init shares spilled rows. */
  rows?: ArrayBuffer;
}

export interface WindowResult {
  window: number;
  /** The window's output bytes, as the sink would write them. */
  chunks: Uint8Array[];
  counts: EventCounts;
  events: number;
}

export class WindowEncoder {
  private readonly source: RequestSource;
  private readonly events: RequestEvents;

  constructor(private readonly init: WindowEncoderInit) {
    const noRows = () => {
      throw new Error('request rows asked for outside a window job');
    };
    this.source = { requests: init.requests, rows: init.spilledRows ? spilledRowsIn(init.spilledRows) : { rows: noRows } };
    this.events = new RequestEvents(this.source, init.layout, init.times, init.shiftNs, init.producingStep);
  }

  async encode(job: WindowJob): Promise<WindowResult> {
    const chunks: Uint8Array[] = [];
    const output: ByteOutput = {
      bytes: 0,
      write(chunk: Uint8Array) {
        chunks.push(chunk);
        return undefined;
      },
    };
    if (job.rows) this.source.rows = unpackWindowRows(job.rows);
    const sink = new ProtoTraceSink(output, { compress: this.init.compress, lanesOnly: true });
    sink.open(this.init.layout, { shiftNs: this.init.shiftNs });
    await sink.startWindow(job.window);
    let events = 0;
    const { windows } = this.init;
    for (let entity = windows[job.window]; entity < windows[job.window + 1]; entity++) {
      events += this.events.emit(entity, sink);
      if (sink.wantsFlush) await sink.flush();
    }
    await sink.finish();
    return { window: job.window, chunks, counts: { ...sink.counts }, events };
  }
}
