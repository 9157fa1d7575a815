/**
 * Letters through GOV.UK Notify (issue 17, item 5): Notify's address rules, checked before a letter is
 * sent so a letter Notify would refuse fails at once with a reason staff can act on (not after a round trip,
 * and never retried). The rules, as Notify states them: 3 to 7 lines; the last line a real UK postcode, or
 * the name of a country outside the UK for international post; no line starting with one of
 * `@ ( ) = [ ] " \ / , < >`.
 */
import { normalisePostcode } from '../../platform/contact/index.ts';

const BAD_FIRST = /^[@()=[\]"\\/,<>\u201c\u201d]/u;
const UK_NAMES = new Set([
  'united kingdom',
  'uk',
  'great britain',
  'england',
  'wales',
  'scotland',
  'northern ireland',
]);

let countries: Set<string> | null = null;
/** Country names in English (Intl's region names for every ISO 3166 two-letter code it knows). */
function countryNames(): Set<string> {
  if (countries) return countries;
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const found = new Set<string>();
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = names.of(code);
      if (name && name !== code) found.add(name.toLowerCase());
    }
  countries = found;
  return found;
}

/** The lines of a postal address as stored on a message (one per line, blank lines dropped). */
export function letterLines(recipient: string): string[] {
  return recipient
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Why Notify would refuse this address (in words for staff), or null when it meets the rules. */
export function letterAddressProblem(lines: readonly string[]): string | null {
  if (lines.length < 3) return 'The address needs at least 3 lines (a name, a street and a postcode)';
  if (lines.length > 7) return 'The address can have no more than 7 lines';
  const bad = lines.find((line) => BAD_FIRST.test(line));
  if (bad) return 'An address line cannot start with a symbol such as @, ( or /';
  const last = lines[lines.length - 1];
  if (normalisePostcode(last)) return null;
  const name = last.toLowerCase();
  if (UK_NAMES.has(name)) return 'The last line of a UK address must be its postcode';
  if (countryNames().has(name)) return null;
  return 'The last line must be a real UK postcode, or a country outside the UK';
}

/** Notify's letter personalisation: `address_line_1` … `address_line_7`. */
export function letterAddressFields(lines: readonly string[]): Record<string, string> {
  return Object.fromEntries(lines.map((line, i) => [`address_line_${i + 1}`, line]));
}
