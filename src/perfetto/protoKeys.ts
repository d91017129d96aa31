/**
 * The field keys (field number << 3 | wire type) and enum values an event
 * packet is made of, read once from the .proto files, so the hand-written
 * hot path (protoSink.ts) and upstream Perfetto agree by construction.
 */
import { enumValue, perfettoSchema, tagOf, type PerfettoSchema } from './protoSchema.js';

/** Field keys of everything an event packet contains, from the schema. */
export function eventKeys(schema: PerfettoSchema) {
  const { TracePacket, TrackEvent, DebugAnnotation, InternedData, root } = schema;
  const named = (type: string) => root.lookupType(`perfetto.protos.${type}`);
  const keys = {
    packet: tagOf(schema.Trace, 'packet'),
    timestamp: tagOf(TracePacket, 'timestamp'),
    sequenceId: tagOf(TracePacket, 'trusted_packet_sequence_id'),
    sequenceFlags: tagOf(TracePacket, 'sequence_flags'),
    internedData: tagOf(TracePacket, 'interned_data'),
    trackEvent: tagOf(TracePacket, 'track_event'),
    compressedPackets: tagOf(TracePacket, 'compressed_packets'),
    type: tagOf(TrackEvent, 'type'),
    trackUuid: tagOf(TrackEvent, 'track_uuid'),
    categoryIids: tagOf(TrackEvent, 'category_iids'),
    nameIid: tagOf(TrackEvent, 'name_iid'),
    name: tagOf(TrackEvent, 'name'),
    counterValue: tagOf(TrackEvent, 'counter_value'),
    doubleCounterValue: tagOf(TrackEvent, 'double_counter_value'),
    extraCounterUuids: tagOf(TrackEvent, 'extra_counter_track_uuids'),
    extraCounterValues: tagOf(TrackEvent, 'extra_counter_values'),
    extraDoubleCounterUuids: tagOf(TrackEvent, 'extra_double_counter_track_uuids'),
    extraDoubleCounterValues: tagOf(TrackEvent, 'extra_double_counter_values'),
    flowIds: tagOf(TrackEvent, 'flow_ids'),
    terminatingFlowIds: tagOf(TrackEvent, 'terminating_flow_ids'),
    debugAnnotations: tagOf(TrackEvent, 'debug_annotations'),
    annotationNameIid: tagOf(DebugAnnotation, 'name_iid'),
    intValue: tagOf(DebugAnnotation, 'int_value'),
    doubleValue: tagOf(DebugAnnotation, 'double_value'),
    stringValue: tagOf(DebugAnnotation, 'string_value'),
    stringValueIid: tagOf(DebugAnnotation, 'string_value_iid'),
    arrayValues: tagOf(DebugAnnotation, 'array_values'),
    eventCategories: tagOf(InternedData, 'event_categories'),
    eventNames: tagOf(InternedData, 'event_names'),
    debugAnnotationNames: tagOf(InternedData, 'debug_annotation_names'),
    debugAnnotationStringValues: tagOf(InternedData, 'debug_annotation_string_values'),
    // EventCategory, EventName and DebugAnnotationName share {iid = 1, name = 2}; InternedString is {iid = 1, str = 2}.
    internedIid: tagOf(named('EventName'), 'iid'),
    internedName: tagOf(named('EventName'), 'name'),
    internedStr: tagOf(named('InternedString'), 'str'),
    sliceBegin: enumValue(schema, 'TrackEvent.Type', 'TYPE_SLICE_BEGIN'),
    sliceEnd: enumValue(schema, 'TrackEvent.Type', 'TYPE_SLICE_END'),
    counter: enumValue(schema, 'TrackEvent.Type', 'TYPE_COUNTER'),
    needsIncrementalState: enumValue(schema, 'TracePacket.SequenceFlags', 'SEQ_NEEDS_INCREMENTAL_STATE'),
  };
  // The packet head and the decode slices' fields are written byte by byte (protoSink.ts): these must encode as one-byte varints.
  const oneByte = [
    'packet', 'timestamp', 'sequenceId', 'sequenceFlags', 'trackEvent', 'needsIncrementalState', 'type', 'sliceBegin', 'sliceEnd',
    'trackUuid', 'categoryIids', 'nameIid', 'debugAnnotations', 'annotationNameIid', 'intValue', 'doubleValue', 'arrayValues',
    'extraCounterValues',
  ] as const;
  for (const name of oneByte) {
    if (keys[name] >= 128) throw new Error(`${name} (${keys[name]}) does not encode as one byte`);
  }
  return keys;
}
export type EventKeys = ReturnType<typeof eventKeys>;

let cachedKeys: EventKeys | undefined;

/** The keys of the bundled schema, read once per process (the sink and the decode-gap writer share them). */
export function perfettoEventKeys(): EventKeys {
  return (cachedKeys ??= eventKeys(perfettoSchema()));
}
