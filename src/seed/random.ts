/**
 * Deterministic randomness for demo data: a small seeded PRNG (mulberry32), string and integer hashing,
 * and UUIDs derived from (key, counter) so that the same seed always produces the same rows, ids included.
 * Never `Math.random`: a seed must reproduce a data set exactly (bug reports, benchmarks, screenshots).
 */

/** murmur3's 32-bit finaliser: a bijection on uint32 with good avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes any number of integers into one uint32. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) h = fmix32((h ^ fmix32(part >>> 0)) + 0x7f4a7c15);
  return h;
}

/** A 64-bit hash of a string as two uint32 words (cyrb53-style, without the 53-bit truncation). */
export function hashString(text: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

/** The seeded generator every piece of demo data draws from. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator for a named sub-stream, so adding draws in one place does not shift every other one. */
  static derive(seed: number, ...labels: (string | number)[]): Random {
    const parts = labels.map((label) => (typeof label === 'number' ? label : hashString(label)[0]));
    return new Random(hash32(seed, ...parts));
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.int(items.length)];
  }

  /** Up to `n` distinct items, in the list's order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const chosen = new Set<number>();
    const wanted = Math.min(n, items.length);
    while (chosen.size < wanted) chosen.add(this.int(items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i]);
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Log-normally distributed around `median`; `spread` is the standard deviation of the log. */
  logNormal(median: number, spread: number): number {
    const u = 1 - this.next();
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(spread * z);
  }
}

/** Picks from weighted choices in O(log n) with a prebuilt cumulative table. */
export class WeightedPicker<T> {
  private readonly items: T[];
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    const kept = entries.filter(([, weight]) => weight > 0);
    if (kept.length === 0) throw new RangeError('a weighted picker needs at least one positive weight');
    this.items = kept.map(([item]) => item);
    this.cumulative = new Float64Array(kept.length);
    let sum = 0;
    kept.forEach(([, weight], i) => {
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  pick(random: Random): T {
    const target = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(word: number): string {
  return HEX[word >>> 24] + HEX[(word >>> 16) & 0xff] + HEX[(word >>> 8) & 0xff] + HEX[word & 0xff];
}

/**
 * A version-4-shaped UUID that is a pure function of `(key, counter)`. The first 32 bits count up from a
 * key-dependent start, so ids from one key never collide and consecutive ids land next to each other in a
 * B-tree (bulk inserts stay fast at millions of rows, as with UUIDv7); the other 96 bits are mixed from
 * key and counter, so ids from different keys collide only if all three mixed words do (about 2^-90).
 */
export function hashUuid(key: readonly [number, number], counter: number): string {
  const c = counter >>> 0;
  const hi = Math.floor(counter / 4294967296) >>> 0;
  const lane = (i: number) =>
    fmix32(c ^ fmix32(key[0] ^ fmix32((key[1] + Math.imul(i + 1, 0x9e3779b9) + hi) >>> 0)));
  const w0 = (fmix32(key[0] ^ key[1]) + c) >>> 0;
  const w1 = ((lane(1) & 0xffff0fff) | 0x00004000) >>> 0;
  const w2 = ((lane(2) & 0x3fffffff) | 0x80000000) >>> 0;
  const w3 = lane(3);
  const a = hex32(w0);
  const b = hex32(w1);
  const c2 = hex32(w2);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c2.slice(0, 4)}-${c2.slice(4)}${hex32(w3)}`;
}

/** A stream of deterministic UUIDs for one purpose (customers, cases, events…) of one run. */
export class IdStream {
  private readonly key: [number, number];
  private counter = 0;

  constructor(...labels: (string | number)[]) {
    this.key = hashString(labels.join('|'));
  }

  next(): string {
    const id = hashUuid(this.key, this.counter);
    this.counter += 1;
    return id;
  }

  /** The id at a fixed position, independent of how many have been drawn. */
  at(index: number): string {
    return hashUuid(this.key, index);
  }
}
