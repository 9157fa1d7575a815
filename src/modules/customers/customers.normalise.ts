/**
 * Normalisers for the things staff type into the customer search box and the new-customer form.
 * Stored values (`customers.search_name`, `contact_points.normalised`) and search terms go through the
 * same functions, so "07700 900123" finds "+44 7700 900123" and "kb1 2ab" finds "KB1 2AB". Phone numbers,
 * email addresses, postcodes and case references have one normaliser each for the whole application
 * (platform/contact); this file adds names, addresses, dates of birth and the search box.
 * Pure functions: no I/O, unit-tested in customers.normalise.test.ts.
 */
import {
  normalisePhone,
  normalisePostcode,
  normaliseReference,
  postcodeKey,
} from '../../platform/contact/index.ts';

/** Lower-case "given family" with single spaces: the value `customers.search_name` holds. */
export function searchNameOf(givenName: string | null, familyName: string | null): string {
  return normaliseText(`${givenName ?? ''} ${familyName ?? ''}`);
}

/** Lower case, letters/digits/apostrophes/hyphens kept, everything else a single space. */
export function normaliseText(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'-]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/**
 * The searchable form of an address: upper case words, single spaces, the postcode last and without a
 * space, so a postcode search is `normalised = 'KB12AB' or normalised like '% KB12AB'` (served by the
 * trigram index) and an address search is a trigram word match on the whole string.
 */
export function normaliseAddress(parts: {
  line1?: string | null;
  line2?: string | null;
  town?: string | null;
  postcode?: string | null;
}): string {
  const words = [parts.line1, parts.line2, parts.town]
    .filter((p): p is string => Boolean(p && p.trim()))
    .map((p) => normaliseText(p).toUpperCase());
  const postcode = parts.postcode
    ? (postcodeKey(parts.postcode) ?? normaliseText(parts.postcode).toUpperCase().replace(/\s/g, ''))
    : '';
  return [...words, postcode].filter(Boolean).join(' ');
}

/** The address as one line for display: "10 High Street, Kingsbridge, KB1 2AB". */
export function addressLabel(parts: {
  line1?: string | null;
  line2?: string | null;
  town?: string | null;
  postcode?: string | null;
}): string {
  const postcode = parts.postcode ? (normalisePostcode(parts.postcode) ?? parts.postcode) : '';
  return [parts.line1, parts.line2, parts.town, postcode]
    .map((p) => (p ?? '').trim())
    .filter(Boolean)
    .join(', ');
}

/** What a whole query must look like to be read as a case reference: two groups of four, maybe split. */
const REFERENCE_SHAPE = /^[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}$/;

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function monthNumber(name: string): number | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n.length < 3) return null;
  const index = MONTHS.findIndex((m) => m.startsWith(n) || (n === 'sept' && m === 'september'));
  return index >= 0 ? index + 1 : null;
}

/** An ISO date (`1948-03-14`) when the parts make a real calendar date, else null. */
export function isoDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const DATE_PATTERNS: { re: RegExp; parts: (m: RegExpExecArray) => [number, number | null, number] }[] = [
  // 1948-03-14, 1948/3/14
  { re: /\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/, parts: (m) => [Number(m[1]), Number(m[2]), Number(m[3])] },
  // 14/3/1948, 14-03-1948, 14.3.1948
  { re: /\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b/, parts: (m) => [Number(m[3]), Number(m[2]), Number(m[1])] },
  // 14 March 1948, 14 Mar 1948, 14th March 1948
  {
    re: /\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9}\.?)\s+(\d{4})\b/,
    parts: (m) => [Number(m[3]), monthNumber(m[2]), Number(m[1])],
  },
];

/**
 * Finds a date of birth written as `14/3/1948`, `14 March 1948` or `1948-03-14` anywhere in `value`.
 * Returns the ISO date and the text with the date removed.
 */
export function extractDate(value: string): { date: string; rest: string } | null {
  for (const { re, parts } of DATE_PATTERNS) {
    const match = re.exec(value);
    if (!match) continue;
    const [year, month, day] = parts(match);
    if (month === null) continue;
    const date = isoDate(year, month, day);
    if (date)
      return {
        date,
        rest: (value.slice(0, match.index) + ' ' + value.slice(match.index + match[0].length)).trim(),
      };
  }
  return null;
}

/** What a search box query asks for. Every part is optional; `text` is what is left for name/address matching. */
export interface SearchCriteria {
  reference: string | null;
  email: string | null;
  phone: string | null;
  postcode: string | null;
  dateOfBirth: string | null;
  /** Lower-case words for name matching (and, upper-cased, address matching). */
  text: string | null;
}

const POSTCODE_IN_TEXT = /\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b/i;
const PHONE_IN_TEXT = /(?:\+|\b)[\d(][\d\s().-]{8,}\d\b/;

/**
 * Splits one search box query into the parts it contains: a case reference, an email address, a phone
 * number, a postcode, a date of birth and free text (names, address words). "Thompsen KB1 2AB" is a name
 * and a postcode; "07700 900123" is a phone number; "kx7p3rmd" is a reference.
 */
export function parseSearchQuery(raw: string): SearchCriteria {
  const criteria: SearchCriteria = {
    reference: null,
    email: null,
    phone: null,
    postcode: null,
    dateOfBirth: null,
    text: null,
  };
  let rest = raw.normalize('NFKC').trim().slice(0, 200);
  if (!rest) return criteria;

  const whole = REFERENCE_SHAPE.test(rest) ? normaliseReference(rest) : null;
  if (whole) {
    criteria.reference = whole;
    return criteria;
  }
  const tokens = rest.split(/\s+/);
  const emailToken = tokens.find((t) => t.includes('@'));
  if (emailToken) {
    criteria.email = emailToken
      .trim()
      .toLowerCase()
      .replace(/^[<(]+|[>),;.]+$/g, '');
    rest = tokens.filter((t) => t !== emailToken).join(' ');
  }
  const refToken = tokens.find(
    (t) =>
      normaliseReference(t) && /\d/.test(t) && /[A-Za-z]/.test(t) && t.replace(/[-\s]/g, '').length === 8,
  );
  if (refToken) {
    criteria.reference = normaliseReference(refToken);
    rest = rest.replace(refToken, ' ');
  }
  const date = extractDate(rest);
  if (date) {
    criteria.dateOfBirth = date.date;
    rest = date.rest;
  }
  const phone = PHONE_IN_TEXT.exec(rest);
  if (phone) {
    const normalised = normalisePhone(phone[0]);
    if (normalised) {
      criteria.phone = normalised;
      rest = rest.replace(phone[0], ' ');
    }
  }
  const postcode = POSTCODE_IN_TEXT.exec(rest);
  if (postcode) {
    criteria.postcode = postcodeKey(postcode[0]);
    rest = rest.replace(postcode[0], ' ');
  }
  const text = normaliseText(rest);
  criteria.text = text.length >= 2 ? text : null;
  return criteria;
}

/** True when the criteria ask for nothing (an empty or unusable query). */
export function isEmptyCriteria(c: SearchCriteria): boolean {
  return !c.reference && !c.email && !c.phone && !c.postcode && !c.dateOfBirth && !c.text;
}
