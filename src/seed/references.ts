/**
 * Case references for demo data: 8 characters from an alphabet without look-alikes (no I, O, 0 or 1),
 * hyphenated 4-4, e.g. `KX7P-3RMD`. 32^8 = 2^40 references.
 *
 * Random references would collide (5 million of them from 2^40 give about 11 clashes), so demo references
 * are a keyed permutation (a 4-round Feistel network over 40 bits) of a counter: distinct counters give
 * distinct references, and the sequence still looks random. The key comes from the demo namespace, so
 * tests seeding their own namespaces in a shared database get unrelated references.
 */
import { fmix32, hashString } from './random.ts';

export const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const REFERENCE_PATTERN = /^[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]{4}$/;
const SPACE = 2 ** 40;
const HALF = 0xfffff; // 20 bits

export class ReferenceSequence {
  private readonly roundKeys: number[];

  constructor(key: string) {
    const [a, b] = hashString(`references|${key}`);
    this.roundKeys = [a, b, fmix32(a ^ 0x5bd1e995), fmix32(b ^ 0x1b873593)];
  }

  /** The reference for counter `n` (0 ≤ n < 2^40). */
  at(n: number): string {
    if (!Number.isInteger(n) || n < 0 || n >= SPACE)
      throw new RangeError(`reference counter out of range: ${n}`);
    let left = Math.floor(n / 2 ** 20);
    let right = n % 2 ** 20;
    for (const key of this.roundKeys) {
      const next = (left ^ (fmix32((right ^ key) >>> 0) & HALF)) >>> 0;
      left = right;
      right = next;
    }
    let value = left * 2 ** 20 + right;
    let out = '';
    for (let i = 0; i < 8; i += 1) {
      out = REFERENCE_ALPHABET[value % 32] + out;
      value = Math.floor(value / 32);
    }
    return `${out.slice(0, 4)}-${out.slice(4)}`;
  }
}
