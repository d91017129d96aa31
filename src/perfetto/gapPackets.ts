/**
 * The hot path of a trace: a decode slice's two packets (nearly all of a
 * trace's bytes), written in one straight run of byte stores.
 *
 * It writes exactly what PacketSequence's general decode-gap path writes
 * (a test compares the bytes), for the case that covers nearly every gap: all
 * its strings already interned on the sequence (so no interned_data), every
 * iid below 128, the event on the sequence's default track, and either both
 * per-gap counters on the sequence's default counter tracks or no counter at
 * all. The caller checks that case (GapIids.ready) and resolves the iids.
 *
 * Why a separate path: the general one calls a dozen small encoders per
 * packet, more than V8 inlines into one function, so most stay calls. Here
 * the fixed bytes are stores of constants and the only calls left are the
 * varint and double writers, which V8 inlines.
 */
import type { DecodeGap } from './decodeGap.js';
import { perfettoEventKeys } from './protoKeys.js';
import { closeDelimited, putDouble, putInt64, putVarint } from './wire.js';

const K = perfettoEventKeys();
const PACKET = K.packet;
const TIMESTAMP = K.timestamp;
const TRACK_EVENT = K.trackEvent;
const TYPE = K.type;
const SLICE_BEGIN = K.sliceBegin;
const SLICE_END = K.sliceEnd;
const CATEGORY_IIDS = K.categoryIids;
const NAME_IID = K.nameIid;
const DEBUG_ANNOTATIONS = K.debugAnnotations;
const ANNOTATION_NAME_IID = K.annotationNameIid;
const INT_VALUE = K.intValue;
const DOUBLE_VALUE = K.doubleValue;
const ARRAY_VALUES = K.arrayValues;
const EXTRA_COUNTER_VALUES = K.extraCounterValues;

/** Upper bound of a gap's packets besides its token ids. */
export const GAP_PACKETS_BOUND = 256;
/** Upper bound of one token id in the token_ids annotation. */
export const GAP_TOKEN_ID_BOUND = 14;

/** A sequence's iids for decode slices (all below 128); `ready` once every one the fast path needs is known. */
export class GapIids {
  ready = false;
  category = 0;
  name = 0;
  req = 0;
  gapMs = 0;
  tokens = 0;
  numRunning = 0;
  prefillTokens = 0;
  tokenIds = 0;
}

/** A debug annotation { name_iid, int_value } with a one-byte iid. */
function putIntAnnotation(buf: Uint8Array, p: number, iid: number, value: number): number {
  buf[p] = DEBUG_ANNOTATIONS;
  buf[p + 2] = ANNOTATION_NAME_IID;
  buf[p + 3] = iid;
  buf[p + 4] = INT_VALUE;
  const end = putInt64(buf, p + 5, value);
  buf[p + 1] = end - p - 2;
  return end;
}

/**
 * An int-list annotation's array_values: one nested DebugAnnotation
 * { int_value } per int of source[from, to). Each nested message is at most
 * 11 bytes, so its length is one byte, stored directly.
 */
export function putIntArrayValues(buf: Uint8Array, p: number, source: Int32Array, from: number, to: number): number {
  for (let j = from; j < to; j++) {
    buf[p] = ARRAY_VALUES;
    buf[p + 2] = INT_VALUE;
    const end = putInt64(buf, p + 3, source[j]);
    buf[p + 1] = end - p - 2;
    p = end;
  }
  return p;
}

/**
 * Writes the slice begin at `deltaNs` after the sequence's last timestamp
 * and its end `gap.endNs - gap.beginNs` later, at `p`; `head` is the
 * sequence's constant packet fields (sequence id and flags). Returns the end.
 */
export function putGapPackets(buf: Uint8Array, p: number, gap: DecodeGap, deltaNs: number, head: Uint8Array, iids: GapIids, withCounters: boolean): number {
  // Begin: packet { timestamp, head, track_event { type, category, name, annotations } }.
  let start = p;
  buf[p] = PACKET;
  p += 2;
  buf[p++] = TIMESTAMP;
  p = putVarint(buf, p, deltaNs);
  for (let i = 0; i < head.length; i++) buf[p++] = head[i];
  buf[p++] = TRACK_EVENT;
  let event = p++;
  buf[p] = TYPE;
  buf[p + 1] = SLICE_BEGIN;
  buf[p + 2] = CATEGORY_IIDS;
  buf[p + 3] = iids.category;
  buf[p + 4] = NAME_IID;
  buf[p + 5] = iids.name;
  p = putIntAnnotation(buf, p + 6, iids.req, gap.req);
  buf[p] = DEBUG_ANNOTATIONS;
  buf[p + 1] = 11;
  buf[p + 2] = ANNOTATION_NAME_IID;
  buf[p + 3] = iids.gapMs;
  buf[p + 4] = DOUBLE_VALUE;
  p = putDouble(buf, p + 5, gap.gapMs);
  p = putIntAnnotation(buf, p, iids.tokens, gap.tokens);
  if (withCounters) {
    p = putIntAnnotation(buf, p, iids.numRunning, gap.numRunning);
    p = putIntAnnotation(buf, p, iids.prefillTokens, gap.prefillTokens);
  }
  if (gap.tokenTo > gap.tokenFrom) {
    buf[p] = DEBUG_ANNOTATIONS;
    const annotation = p + 1;
    buf[p + 2] = ANNOTATION_NAME_IID;
    buf[p + 3] = iids.tokenIds;
    p = closeDelimited(buf, annotation, putIntArrayValues(buf, p + 4, gap.tokenIds, gap.tokenFrom, gap.tokenTo));
  }
  p = closeDelimited(buf, start + 1, closeDelimited(buf, event, p));

  // End: packet { timestamp, head, track_event { type, extra_counter_values × 2 } }.
  start = p;
  buf[p] = PACKET;
  p += 2;
  buf[p++] = TIMESTAMP;
  p = putVarint(buf, p, gap.endNs - gap.beginNs);
  for (let i = 0; i < head.length; i++) buf[p++] = head[i];
  buf[p++] = TRACK_EVENT;
  event = p++;
  buf[p++] = TYPE;
  buf[p++] = SLICE_END;
  if (withCounters) {
    buf[p++] = EXTRA_COUNTER_VALUES;
    p = putInt64(buf, p, gap.numRunning);
    buf[p++] = EXTRA_COUNTER_VALUES;
    p = putInt64(buf, p, gap.prefillTokens);
  }
  buf[event] = p - event - 1;
  buf[start + 1] = p - start - 2;
  return p;
}
