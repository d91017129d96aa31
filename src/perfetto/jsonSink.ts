/**
 * The Chrome JSON form (`--format json`) of the same event stream: groups are
 * processes, slice tracks are threads (named and sorted by metadata events),
 * slices are complete ("X") events, counter samples are "C" events named
 * after their track. Times are microseconds with three decimals, i.e. exact
 * nanoseconds. Flows, interning, counter units and the incremental clock are
 * native-only: Chrome JSON binds flows to slices by timestamp, which is
 * ambiguous where two slices meet on a lane.
 */
import { ARG_DOUBLE, ARG_INT, ARG_INT_LIST, ARG_LABEL, ARG_TEXT, argNameText, type ArgName, type EventArgs } from './args.js';
import type { ByteOutput } from './byteOutput.js';
import type { TraceTimeBase } from './clock.js';
import { TraceEventSink, type CounterSamples, type SliceCategory } from './sink.js';
import type { TrackLayout, TrackSpec } from './tracks.js';

const FLUSH_CHARS = 64 * 1024;

/** Integer ns → µs text with up to three decimals, without floating-point noise. */
export function nsToUsText(ns: number): string {
  const us = Math.floor(ns / 1000);
  const rest = ns - us * 1000;
  if (rest === 0) return String(us);
  return `${us}.${String(rest).padStart(3, '0').replace(/0+$/, '')}`;
}

/** `"name":` per arg name id. */
const keyTexts: string[] = [];

function keyText(id: ArgName): string {
  return (keyTexts[id] ??= `${JSON.stringify(argNameText(id))}:`);
}

function argsJson(args: EventArgs): string {
  let text = '{';
  for (let i = 0; i < args.length; i++) {
    if (i > 0) text += ',';
    text += keyText(args.names[i]);
    switch (args.kinds[i]) {
      case ARG_INT:
        text += String(args.numbers[i]);
        break;
      case ARG_DOUBLE:
        text += JSON.stringify(args.numbers[i]);
        break;
      case ARG_LABEL:
      case ARG_TEXT:
        text += JSON.stringify(args.strings[i]);
        break;
      case ARG_INT_LIST:
        text += `[${args.listSource.subarray(args.listFrom, args.listTo).join(',')}]`;
        break;
    }
  }
  return `${text}}`;
}

interface OpenSlice {
  tsNs: number;
  category: SliceCategory;
  name: string;
  args: string;
}

export class ChromeJsonSink extends TraceEventSink {
  private tracks: TrackSpec[] = [];
  private openSlices: OpenSlice[][] = [];
  private parts: string[] = [];
  private chars = 0;
  private first = true;

  constructor(private readonly output: ByteOutput) {
    super();
  }

  private emit(event: string): void {
    const text = this.first ? `\n${event}` : `,\n${event}`;
    this.first = false;
    this.parts.push(text);
    this.chars += text.length;
  }

  open(layout: TrackLayout, _time: TraceTimeBase): void {
    this.tracks = layout.tracks;
    this.openSlices = layout.tracks.map(() => []);
    this.parts.push('{"displayTimeUnit":"ns","traceEvents":[');
    for (const track of layout.tracks) {
      const name = JSON.stringify(track.name);
      if (track.kind === 'group') {
        this.emit(`{"ph":"M","pid":${track.pid},"name":"process_name","args":{"name":${name}}}`);
        this.emit(`{"ph":"M","pid":${track.pid},"name":"process_sort_index","args":{"sort_index":${track.rank}}}`);
      } else if (track.kind === 'slices') {
        this.emit(`{"ph":"M","pid":${track.pid},"tid":${track.tid},"name":"thread_name","args":{"name":${name}}}`);
        this.emit(`{"ph":"M","pid":${track.pid},"tid":${track.tid},"name":"thread_sort_index","args":{"sort_index":${track.rank}}}`);
      }
    }
  }

  protected writeBegin(track: number, tsNs: number, category: SliceCategory, name: string, _internName: boolean, args: EventArgs): void {
    this.openSlices[track].push({ tsNs, category, name, args: argsJson(args) });
  }

  protected writeEnd(track: number, tsNs: number, counters: CounterSamples | null, _flowOut: number, _flowsIn: Int32Array): void {
    const slice = this.openSlices[track].pop();
    if (!slice) throw new Error(`slice end without a begin on track ${this.tracks[track].name}`);
    const spec = this.tracks[track];
    this.emit(
      `{"ph":"X","cat":"${slice.category}","name":${JSON.stringify(slice.name)},"pid":${spec.pid},"tid":${spec.tid},` +
        `"ts":${nsToUsText(slice.tsNs)},"dur":${nsToUsText(tsNs - slice.tsNs)},"args":${slice.args}}`,
    );
    if (counters) for (let i = 0; i < counters.length; i++) this.writeCounter(counters.tracks[i], tsNs, counters.values[i]);
  }

  protected writeCounter(track: number, tsNs: number, value: number): void {
    const spec = this.tracks[track];
    this.emit(`{"ph":"C","name":"${spec.name}","pid":${spec.pid},"ts":${nsToUsText(tsNs)},"args":{"value":${JSON.stringify(value)}}}`);
  }

  get wantsFlush(): boolean {
    return this.chars >= FLUSH_CHARS;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.chars = 0;
    await this.output.write(chunk);
  }

  async finish(): Promise<void> {
    this.parts.push('\n]}\n');
    await this.flush();
  }
}
