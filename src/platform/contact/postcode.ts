/**
 * UK postcodes: the one normaliser. A postcode is an outward code (area letters, district digit, maybe
 * one more digit or letter: `SW1A`, `KB1`, `M1`) and an inward code (a digit and two letters: `1AA`).
 *
 * - {@link normalisePostcode}: how it is stored and shown, upper case with one space: `sw1a1aa` →
 *   `SW1A 1AA`; null when it is not a full postcode.
 * - {@link postcodeKey}: the same without the space (`SW1A1AA`), the key matching uses (the address
 *   gazetteer's `postcode_key`, the postcode at the end of `contact_points.normalised` for addresses).
 *
 * Pure functions; the table of cases is postcode.test.ts.
 */
const POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$/;

function parts(value: string | null | undefined): [string, string] | null {
  if (typeof value !== 'string') return null;
  const match = POSTCODE.exec(value.trim().toUpperCase());
  return match ? [match[1], match[2]] : null;
}

/** `kb12ab`, ` KB1  2AB ` → `KB1 2AB`; null when it is not a full UK postcode. */
export function normalisePostcode(value: string | null | undefined): string | null {
  const found = parts(value);
  return found ? `${found[0]} ${found[1]}` : null;
}

/** `KB1 2AB` → `KB12AB` (for matching); null when it is not a full UK postcode. */
export function postcodeKey(value: string | null | undefined): string | null {
  const found = parts(value);
  return found ? `${found[0]}${found[1]}` : null;
}
