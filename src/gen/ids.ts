/**
 * Deterministic random-looking identifiers (OTLP trace/span ids, request
 * ids), derived from (seed, kind, index) so they do not depend on the order
 * in which writers ask for them.
 */
import { hashString, mix32 } from './rng.js';

/** "00" … "ff". */
const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** `words` 32-bit words of hex (8 chars each) from a (seed, kind) salt and an item index. */
function hexId(salt: number, index: number, words: number): string {
  let state = mix32(salt ^ (index >>> 0)) ^ mix32(Math.floor(index / 4294967296) + 0x632be59b);
  let out = '';
  for (let w = 0; w < words; w++) {
    state = mix32(state + w);
    // An all-zero trace or span id is invalid in OTLP; a set bit in the first word rules it out.
    const word = w === 0 ? state | 0x10000000 : state;
    out += HEX_BYTE[word >>> 24] + HEX_BYTE[(word >>> 16) & 255] + HEX_BYTE[(word >>> 8) & 255] + HEX_BYTE[word & 255];
  }
  return out;
}

export class IdFactory {
  private readonly seedMix: number;
  /** Per-kind salts, computed once (ids are asked for millions of times). */
  private readonly salts = new Map<string, number>();

  constructor(seed: number) {
    this.seedMix = mix32((seed >>> 0) ^ mix32(Math.floor(seed / 4294967296)));
  }

  /** 32 hex chars. */
  traceId(kind: string, index: number): string {
    return hexId(this.salt(`trace:${kind}`), index, 4);
  }

  /** 16 hex chars. */
  spanId(kind: string, index: number): string {
    return hexId(this.salt(`span:${kind}`), index, 2);
  }

  /** The API layer's request id (`gen_ai.request.id` of llm_request). */
  apiRequestId(index: number): string {
    return `chatcmpl-${hexId(this.salt('request'), index, 4)}`;
  }

  /** The engine's id for the same request: the API id plus vLLM's choice index and random suffix. */
  coreRequestId(index: number): string {
    return `${this.apiRequestId(index)}-0-${hexId(this.salt('core-suffix'), index, 1)}`;
  }

  private salt(kind: string): number {
    let salt = this.salts.get(kind);
    if (salt === undefined) {
      salt = mix32(hashString(kind) ^ this.seedMix);
      this.salts.set(kind, salt);
    }
    return salt;
  }
}
