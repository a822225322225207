/**
 * A small seeded PRNG (sfc32, 128-bit state, seeded through splitmix32) with the helpers the
 * population generator needs. Same seed -> identical sequence, on every platform (32-bit integer
 * arithmetic only; no Math.random, no clock).
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex32(x: number): string {
  return HEX[(x >>> 24) & 255] + HEX[(x >>> 16) & 255] + HEX[(x >>> 8) & 255] + HEX[x & 255];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const init = splitmix32(seed);
    this.a = init();
    this.b = init();
    this.c = init();
    this.d = init();
    for (let i = 0; i < 12; i++) this.u32(); // warm up
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    if (max < min) throw new Error(`rng.int: empty range [${min}, ${max}]`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform real in [min, max). */
  real(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("rng.pick: empty array");
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks one of `items` with probability proportional to `weights` (same length, non-negative). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    if (!(total > 0)) throw new Error("rng.weighted: weights sum to zero");
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }

  /** Picks from [item, weight] pairs. */
  weightedPairs<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const p of pairs) total += p[1];
    if (!(total > 0)) throw new Error("rng.weightedPairs: weights sum to zero");
    let r = this.next() * total;
    for (const p of pairs) {
      r -= p[1];
      if (r < 0) return p[0];
    }
    return pairs[pairs.length - 1][0];
  }

  /** Approximately normal (Irwin-Hall sum of four uniforms, rescaled): cheap, bounded at mean ± 3.46 sd. */
  normal(mean = 0, sd = 1): number {
    const s = this.next() + this.next() + this.next() + this.next(); // mean 2, variance 1/3
    return mean + (s - 2) * Math.sqrt(3) * sd;
  }

  /** A uuid in version-4 format (random bits from this generator). */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    const bHex = hex32(((b & 0xffff0fff) | 0x00004000) >>> 0); // version nibble 4
    const cHex = hex32(((c & 0x3fffffff) | 0x80000000) >>> 0); // variant 10xx
    return `${hex32(a)}-${bHex.slice(0, 4)}-${bHex.slice(4)}-${cHex.slice(0, 4)}-${cHex.slice(4)}${hex32(d)}`;
  }
}

/** A 32-bit hash of a string (FNV-1a), for deriving sub-seeds and stable ids from names. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic uuid (v4 format) for a name, e.g. reference rows that have no generator stream. */
export function uuidFromString(s: string): string {
  return new Rng(hashString(s) ^ Math.imul(s.length, 0x9e3779b1)).uuid();
}
