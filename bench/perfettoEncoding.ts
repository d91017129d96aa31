/**
 * Perfetto encoding benchmark: the same decode-gap packets (a SLICE_BEGIN with
 * five debug annotations, a SLICE_END with two extra counter values) encoded
 * four ways, field keys from protos/:
 *   1. reflection, `TracePacket.encode(TracePacket.fromObject(obj)).finish()` per packet;
 *   2. reflection, `TracePacket.encode(obj, writer)` on reused objects into one Writer;
 *   3. direct protobufjs Writer calls (what pbjs static code compiles to,
 *      minus the per-field presence checks): the writer's first hot path;
 *   4. the writer's ProtoTraceSink: wire.ts put* functions over one byte
 *      array, a size bound reserved per packet (the current hot path).
 * All four produce the same bytes.
 * Run: npm run build && node dist/bench/perfettoEncoding.js [pairs]
 */
import protobuf from 'protobufjs';
import { argName, EventArgs } from '../src/perfetto/args.js';
import type { ByteOutput } from '../src/perfetto/byteOutput.js';
import { perfettoSchema } from '../src/perfetto/protoSchema.js';
import { ProtoTraceSink } from '../src/perfetto/protoSink.js';
import { CounterSamples, NO_FLOWS } from '../src/perfetto/sink.js';
import type { TrackLayout } from '../src/perfetto/tracks.js';

const ARG = { req: argName('req'), gapMs: argName('gap_ms'), tokens: argName('tokens'), numRunning: argName('num_running'), prefillTokens: argName('prefill_tokens') };

const pairs = Number(process.argv[2] ?? 100_000);
const { TracePacket } = perfettoSchema();

function beginObject(i: number) {
  return {
    timestamp: 1000 + (i % 997),
    trusted_packet_sequence_id: 1,
    sequence_flags: 2,
    track_event: {
      type: 1,
      track_uuid: 1 + (i % 32),
      category_iids: [1],
      name_iid: 1,
      debug_annotations: [
        { name_iid: 1, int_value: i },
        { name_iid: 2, double_value: 12.345 + (i % 100) },
        { name_iid: 3, int_value: 1 },
        { name_iid: 4, int_value: 32 },
        { name_iid: 5, int_value: 0 },
      ],
    },
  };
}

function endObject(i: number) {
  return { timestamp: 20_000, trusted_packet_sequence_id: 1, sequence_flags: 2, track_event: { type: 2, track_uuid: 1 + (i % 32), extra_counter_values: [32, 0] } };
}

function perPacketFromObject(): number {
  let bytes = 0;
  for (let i = 0; i < pairs; i++) {
    bytes += TracePacket.encode(TracePacket.fromObject(beginObject(i))).finish().length + 2;
    bytes += TracePacket.encode(TracePacket.fromObject(endObject(i))).finish().length + 2;
  }
  return bytes;
}

function reusedObjectsSharedWriter(): number {
  const w = protobuf.Writer.create();
  const begin = beginObject(0);
  const end = endObject(0);
  const annotations = begin.track_event.debug_annotations;
  let bytes = 0;
  for (let i = 0; i < pairs; i++) {
    begin.timestamp = 1000 + (i % 997);
    begin.track_event.track_uuid = 1 + (i % 32);
    end.track_event.track_uuid = 1 + (i % 32);
    annotations[0].int_value = i;
    annotations[1].double_value = 12.345 + (i % 100);
    w.uint32(10).fork();
    TracePacket.encode(begin, w);
    w.ldelim();
    w.uint32(10).fork();
    TracePacket.encode(end, w);
    w.ldelim();
    if (w.pos >= 65536) {
      bytes += w.finish().length;
      w.reset();
    }
  }
  return bytes + w.finish().length;
}

/** The first ProtoTraceSink's hot path, kept here as the baseline: one shared protobufjs Writer, fork/ldelim per message. */
function directWriterCalls(): number {
  const w = protobuf.Writer.create();
  const defaults = { packet: 10, timestamp: 64, sequenceId: 80, sequenceFlags: 104, trackEvent: 90, type: 72, trackUuid: 88, categoryIids: 24, nameIid: 80 };
  const annotation = (nameIid: number, key: number, write: () => void) => {
    w.uint32(34).fork().uint32(8).uint32(nameIid).uint32(key);
    write();
    w.ldelim();
  };
  let bytes = 0;
  let ts = 0;
  let last = 0;
  for (let i = 0; i < pairs; i++) {
    const k = defaults;
    ts += 1000 + (i % 997);
    w.uint32(k.packet).fork().uint32(k.timestamp).uint32(ts - last).uint32(k.sequenceId).uint32(1).uint32(k.sequenceFlags).uint32(2);
    last = ts;
    w.uint32(k.trackEvent).fork().uint32(k.type).uint32(1).uint32(k.trackUuid).uint32(1 + (i % 32)).uint32(k.categoryIids).uint32(1).uint32(k.nameIid).uint32(1);
    annotation(1, 32, () => w.uint32(i));
    annotation(2, 41, () => w.double(12.345 + (i % 100)));
    annotation(3, 32, () => w.uint32(1));
    annotation(4, 32, () => w.uint32(32));
    annotation(5, 32, () => w.uint32(0));
    w.ldelim().ldelim();
    ts += 20_000;
    w.uint32(k.packet).fork().uint32(k.timestamp).uint32(ts - last).uint32(k.sequenceId).uint32(1).uint32(k.sequenceFlags).uint32(2);
    last = ts;
    w.uint32(k.trackEvent).fork().uint32(k.type).uint32(2).uint32(k.trackUuid).uint32(1 + (i % 32)).uint32(96).uint32(32).uint32(96).uint32(0);
    w.ldelim().ldelim();
    if (w.len >= 1 << 20) {
      bytes += w.finish().length;
      w.reset();
    }
  }
  return bytes + w.finish().length;
}

async function protoTraceSink(): Promise<number> {
  const output: ByteOutput = {
    bytes: 0,
    write(chunk) {
      (this as { bytes: number }).bytes += chunk.length;
      return undefined;
    },
  };
  const lanes = Array.from({ length: 32 }, (_, lane) => ({ uuid: lane + 1, name: `lane ${lane}`, kind: 'slices' as const, parent: 32, rank: lane, pid: 1, tid: lane + 1 }));
  const layout: TrackLayout = {
    tracks: [
      ...lanes,
      { uuid: 40, name: 'g', kind: 'group', parent: -1, rank: 0, pid: 1, tid: 0 },
      { uuid: 41, name: 'engine_running', kind: 'counter', parent: 32, rank: 32, pid: 1, tid: 0, counter: { valueType: 'int', unit: 'count' } },
      { uuid: 42, name: 'prefill_tokens', kind: 'counter', parent: 32, rank: 33, pid: 1, tid: 0, counter: { valueType: 'int', unit: 'count' } },
    ],
    requestTrack: new Int32Array(0),
    requestTrackCount: 32,
    laneOfTrack: Int32Array.from({ length: 35 }, (_, track) => (track < 32 ? track : -1)),
    laneCount: 32,
    lanesAreTracks: true,
    stepTrack: -1,
    journeyTrack: new Int32Array(0),
    counters: { activeRequests: -1, engineRunning: 33, prefillTokens: 34, schedRunning: -1, schedWaiting: -1, schedKvUsage: -1, schedAcceptRate: -1 },
  };
  const sink = new ProtoTraceSink(output);
  sink.open(layout, { shiftNs: 0 });
  const args = new EventArgs();
  const samples = new CounterSamples();
  let ts = 0;
  for (let i = 0; i < pairs; i++) {
    ts += 1000 + (i % 997);
    args.clear().int(ARG.req, i).double(ARG.gapMs, 12.345 + (i % 100)).int(ARG.tokens, 1).int(ARG.numRunning, 32).int(ARG.prefillTokens, 0);
    sink.beginSlice(i % 32, ts, 'request', 'decode', true, args);
    ts += 20_000;
    sink.endSlice(i % 32, ts, samples.clear().add(33, 32).add(34, 0), 0, NO_FLOWS);
    if (sink.wantsFlush) await sink.flush();
  }
  await sink.finish();
  return output.bytes;
}

/**
 * Best of five runs after a warm-up, in CPU time (user + system) rather than
 * wall time: on a shared 2-core machine the minimum CPU time is the figure
 * least disturbed by other load.
 */
async function time(name: string, run: () => number | Promise<number>): Promise<void> {
  let bytes = await run();
  let ms = Infinity;
  for (let repeat = 0; repeat < 5; repeat++) {
    const started = process.cpuUsage();
    bytes = await run();
    const used = process.cpuUsage(started);
    ms = Math.min(ms, (used.user + used.system) / 1000);
  }
  const packets = 2 * pairs;
  console.log(
    `${name.padEnd(44)} ${((ms / packets) * 1e6).toFixed(0).padStart(5)} ns/packet  ${(packets / ms / 1000).toFixed(2)} M packets/s  ${(bytes / packets).toFixed(1)} B/packet`,
  );
}

console.log(`${pairs} decode gaps (${2 * pairs} packets), node ${process.version}`);
await time('1. fromObject + encode per packet', perPacketFromObject);
await time('2. encode reused objects into one Writer', reusedObjectsSharedWriter);
await time('3. direct protobufjs Writer calls', directWriterCalls);
await time('4. ProtoTraceSink (wire.ts put* functions)', protoTraceSink);
