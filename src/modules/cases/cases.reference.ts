/**
 * Case references residents read out over the phone: 8 characters from an alphabet without look-alikes
 * (no 0/O, no 1/I), written `XXXX-XXXX`, e.g. `KX7P-3RMD`. 32^8 ≈ 1.1 × 10^12 references, drawn with
 * `crypto.randomInt` so they cannot be guessed from one another; the database's unique index catches the
 * rare clash and `createCase` draws again. What people type back is read by `normaliseReference`
 * (platform/contact/reference.ts, the one normaliser for references).
 */
import { randomInt } from 'node:crypto';
import { REFERENCE_ALPHABET } from '../../platform/contact/index.ts';

export { REFERENCE_ALPHABET, REFERENCE_PATTERN, normaliseReference } from '../../platform/contact/index.ts';

/** A new random reference like `KX7P-3RMD`. */
export function generateReference(): string {
  let out = '';
  for (let i = 0; i < 8; i += 1) {
    if (i === 4) out += '-';
    out += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  }
  return out;
}
