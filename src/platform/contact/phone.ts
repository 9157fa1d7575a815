/**
 * Telephone numbers: the one place Frontdoor reads, stores, classifies and shows them.
 *
 * - {@link normalisePhone}: what someone typed → E.164 (`+447700900123`), the form every table stores
 *   (`contact_points.normalised`, `cases.guest_phone`) and every search matches; null when it is not a
 *   phone number. No country code means the UK: `07700 900123`, `+44 7700 900123`, `447700900123`,
 *   `0044 7700 900123`, `+44 (0)7700 900123` and `(01632) 960 001` are all understood.
 * - {@link canReceiveTexts}: only mobiles take text messages. A UK number is a mobile when
 *   libphonenumber's metadata says MOBILE: 07 mobiles, not 070 personal numbers or 076 pagers (which
 *   look like mobiles but are PERSONAL_NUMBER and PAGER). Abroad, where the numbering plan cannot tell
 *   mobiles from landlines (FIXED_LINE_OR_MOBILE, e.g. the US), we try.
 * - {@link displayPhone}: how to show a stored number: national format for UK numbers (`07700 900188`,
 *   `01632 960001`, `020 7946 0000`), international format otherwise (`+33 6 12 34 56 78`).
 *
 * Numbers must be ones the numbering plan allows (libphonenumber-js with the full `max` metadata, which
 * is also what tells the types apart). Ofcom's ranges reserved for drama (07700 900xxx, 01632 960xxx and
 * the other TV ranges) are accepted too, with the type of the range they imitate: they are never given
 * to anyone, so the demo data and the tests use them, and a real person cannot have one.
 * Pure functions, no I/O; the table of cases is phone.test.ts.
 */
import { parsePhoneNumberFromString, type NumberType, type PhoneNumber } from 'libphonenumber-js/max';

/** What a number is, as far as we care: who can take a text, what to call it. */
export type PhoneKind = 'mobile' | 'landline' | 'other';

/** Ofcom's ranges for TV and radio drama (UK national significant numbers, without the 0). */
const DRAMA_RANGES: readonly { from: string; to: string; kind: PhoneKind }[] = [
  { from: '7700900000', to: '7700900999', kind: 'mobile' },
  { from: '1632960000', to: '1632960999', kind: 'landline' },
  { from: '1134960000', to: '1134960999', kind: 'landline' },
  { from: '1144960000', to: '1144960999', kind: 'landline' },
  { from: '1154960000', to: '1154960999', kind: 'landline' },
  { from: '1164960000', to: '1164960999', kind: 'landline' },
  { from: '1174960000', to: '1174960999', kind: 'landline' },
  { from: '1184960000', to: '1184960999', kind: 'landline' },
  { from: '1214960000', to: '1214960999', kind: 'landline' },
  { from: '1314960000', to: '1314960999', kind: 'landline' },
  { from: '1414960000', to: '1414960999', kind: 'landline' },
  { from: '1514960000', to: '1514960999', kind: 'landline' },
  { from: '1614960000', to: '1614960999', kind: 'landline' },
  { from: '1914980000', to: '1914980999', kind: 'landline' },
  { from: '2079460000', to: '2079460999', kind: 'landline' },
  { from: '2380496000', to: '2380496999', kind: 'landline' },
  { from: '2392496000', to: '2392496999', kind: 'landline' },
  { from: '2896496000', to: '2896496999', kind: 'landline' },
  { from: '2920180000', to: '2920180999', kind: 'landline' },
  { from: '3069990000', to: '3069990999', kind: 'other' },
  { from: '8081570000', to: '8081570999', kind: 'other' },
  { from: '9098790000', to: '9098790999', kind: 'other' },
];

function dramaKind(number: PhoneNumber): PhoneKind | null {
  if (number.countryCallingCode !== '44') return null;
  const nsn = number.nationalNumber;
  const range = DRAMA_RANGES.find((r) => nsn.length === r.from.length && nsn >= r.from && nsn <= r.to);
  return range?.kind ?? null;
}

function kindOf(type: NumberType, countryCallingCode: string): PhoneKind {
  if (type === 'MOBILE') return 'mobile';
  // Only abroad: the UK plan always tells mobiles from landlines.
  if (type === 'FIXED_LINE_OR_MOBILE') return countryCallingCode === '44' ? 'landline' : 'mobile';
  if (type === 'FIXED_LINE') return 'landline';
  return 'other';
}

/** Spaces, dashes, dots, slashes, brackets and one leading +: nothing else belongs in a phone number. */
const PHONE_CHARACTERS = /^\+?[\d\s().\-/]+$/;

interface Understood {
  e164: string;
  kind: PhoneKind;
  number: PhoneNumber;
}

const understood = new Map<string, Understood | null>();

function understand(value: string): Understood | null {
  const input = value.trim();
  if (input === '' || input.length > 40 || !PHONE_CHARACTERS.test(input)) return null;
  const known = understood.get(input);
  if (known !== undefined) return known;
  const result = parse(input);
  if (understood.size >= 5_000) understood.clear();
  understood.set(input, result);
  return result;
}

function parse(input: string): Understood | null {
  // "+44 (0)7700 900123": the (0) is the UK trunk prefix written out of habit; it is not dialled.
  let text = input.replace(/\(0\)/g, '');
  const digits = text.replace(/\D/g, '');
  // 0044… is the international prefix; 447700900123 is a UK number written without its +.
  if (digits.startsWith('00')) text = `+${digits.slice(2)}`;
  else if (!text.startsWith('+') && digits.startsWith('44') && digits.length === 12) text = `+${digits}`;
  const number = parsePhoneNumberFromString(text, 'GB');
  if (!number) return null;
  const drama = dramaKind(number);
  if (drama) return { e164: number.number, kind: drama, number };
  if (!number.isValid()) return null;
  return { e164: number.number, kind: kindOf(number.getType(), number.countryCallingCode), number };
}

/** E.164 (`+447700900123`), assuming the UK when there is no country code; null when it is not a number. */
export function normalisePhone(value: string | null | undefined): string | null {
  return typeof value === 'string' ? (understand(value)?.e164 ?? null) : null;
}

/** Mobile, landline or other (personal numbers, pagers, freephone, non-geographic…); null when not a number. */
export function phoneKind(value: string | null | undefined): PhoneKind | null {
  return typeof value === 'string' ? (understand(value)?.kind ?? null) : null;
}

/** True for mobiles only (see the module comment): what a text message can be sent to. */
export function canReceiveTexts(value: string | null | undefined): boolean {
  return phoneKind(value) === 'mobile';
}

/** A UK number (+44, including the Crown Dependencies, which share it). */
export function isUkPhone(value: string | null | undefined): boolean {
  return normalisePhone(value)?.startsWith('+44') ?? false;
}

/**
 * A stored number as people write it: national format for UK numbers (`07700 900188`), international
 * otherwise (`+33 6 12 34 56 78`). Something that is not a number comes back as it was.
 */
export function displayPhone(value: string | null | undefined): string {
  if (!value) return '';
  const found = understand(value);
  if (!found) return value;
  return found.number.countryCallingCode === '44'
    ? found.number.formatNational()
    : found.number.formatInternational();
}
