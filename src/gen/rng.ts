/**
 * Seeded pseudo-random numbers for the generator. Every consumer (workload,
 * token ids, speculative acceptance, step-time noise, trace sampling) gets its
 * own stream derived from (seed, stream name), so adding a draw in one place
 * never shifts the numbers another place sees for the same seed.
 *
 * xoshiro128** (Blackman & Vigna): 128-bit state, 32-bit output, fast with
 * Math.imul, good enough statistically for a simulation.
 */

/** splitmix32 step: scrambles a 32-bit counter into a well-mixed word (used for seeding and id derivation). */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a over a string: turns a stream name into a 32-bit salt. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const TWO_POW_32 = 4294967296;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is any non-negative safe integer; `stream` names an independent sequence. */
  constructor(seed: number, stream: string) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const salt = hashString(stream);
    this.s0 = mix32(lo ^ salt);
    this.s1 = mix32(hi ^ mix32(salt));
    this.s2 = mix32(this.s0 ^ 0x6a09e667);
    this.s3 = mix32(this.s1 ^ 0xbb67ae85);
    // An all-zero state is the one fixed point of xoshiro; make it impossible.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Box–Muller, two uniforms per draw, no cached spare so the stream stays simple). */
  normal(): number {
    const u1 = 1 - this.float(); // (0, 1]: log stays finite
    const u2 = this.float();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Lognormal with the given median (= e^mu) and log-space standard deviation. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
