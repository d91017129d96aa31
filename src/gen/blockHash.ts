/**
 * Chained 64-bit hashes of full token blocks, as vLLM's prefix cache keys
 * them: hash(block i) = H(hash(block i-1), token ids of block i), so equal
 * hashes mean equal prefixes. A hash is kept as two uint32 halves (hi, lo) —
 * fast to compute with Math.imul — and written as an exact decimal
 * (ByteText.uint64). Nearly every value exceeds 2^53 (hi ≥ 2^21), which is the point:
 * readers must keep them exact.
 */

/** The parent of a prompt's first block (vLLM's NONE_HASH), fixed so hashes are comparable across runs. */
const ROOT_HI = 0x243f6a88;
const ROOT_LO = 0x85a308d3;

/** A request's hash chain, one entry per full block, in block order. */
export interface HashChain {
  hi: number[];
  lo: number[];
}

export function emptyChain(): HashChain {
  return { hi: [], lo: [] };
}

/**
 * Appends the hashes of full blocks `chain.hi.length .. floor(upTo / blockSize) - 1`
 * of `tokens` (blocks already in the chain are kept: they are its prefix).
 */
export function extendChain(chain: HashChain, tokens: ArrayLike<number>, blockSize: number, upTo: number = tokens.length): void {
  const fullBlocks = Math.floor(Math.min(upTo, tokens.length) / blockSize);
  for (let b = chain.hi.length; b < fullBlocks; b++) {
    const parentHi = b === 0 ? ROOT_HI : chain.hi[b - 1];
    const parentLo = b === 0 ? ROOT_LO : chain.lo[b - 1];
    // Two murmur3-style lanes with different seeds and word orders give the two halves.
    let a = parentLo ^ 0x3c6ef372;
    let c = parentHi ^ 0xa54ff53a;
    a = mixWord(a, parentHi);
    c = mixWord(c, parentLo);
    const start = b * blockSize;
    for (let i = start; i < start + blockSize; i++) {
      const token = tokens[i];
      a = mixWord(a, token);
      c = mixWord(c, token ^ 0x5bd1e995);
    }
    chain.hi.push(finalMix(c ^ blockSize));
    chain.lo.push(finalMix(a ^ blockSize));
  }
}

function mixWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The hash as an unsigned 64-bit bigint. */
export function hashToBigInt(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}
