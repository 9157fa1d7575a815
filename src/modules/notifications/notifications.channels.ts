/**
 * Which channel a message goes by, and to whom. Pure functions, unit-tested beside this file.
 *
 * Order: the channel the caller asked for → the resident's preferred channel → whatever contact exists
 * (email, else a mobile number for a text message, else a postal address for a letter). A channel is only
 * chosen when we have somewhere to send it: "text me" with no mobile number falls through to the next.
 * A preference for phone calls cannot be honoured by a written message, so it falls through too.
 */
import type { AddressValue } from '../../platform/db/index.ts';
import type { MessageChannel } from './notifications.templates.ts';

export interface ContactDetails {
  email: string | null;
  /** E.164. */
  phone: string | null;
  /** Name and address lines for a letter, one per line. */
  postal: string | null;
}

export interface ResolvedRecipient {
  channel: MessageChannel;
  recipient: string;
}

/** A UK landline cannot receive texts; mobiles (+447…) and numbers abroad may. */
export function canReceiveTexts(e164: string): boolean {
  return !e164.startsWith('+44') || e164.startsWith('+447');
}

export function resolveRecipient(
  explicit: MessageChannel | null | undefined,
  preferred: 'email' | 'sms' | 'letter' | 'phone' | null | undefined,
  contacts: ContactDetails,
): ResolvedRecipient | null {
  const order: MessageChannel[] = [];
  if (explicit) order.push(explicit);
  if (preferred && preferred !== 'phone') order.push(preferred);
  order.push('email', 'sms', 'letter');
  for (const channel of order) {
    const recipient = recipientFor(channel, contacts);
    if (recipient) return { channel, recipient };
  }
  return null;
}

function recipientFor(channel: MessageChannel, contacts: ContactDetails): string | null {
  switch (channel) {
    case 'email':
      return contacts.email;
    case 'sms':
      return contacts.phone && canReceiveTexts(contacts.phone) ? contacts.phone : null;
    case 'letter':
      return contacts.postal;
  }
}

/** Lower-cased, trimmed; null when it is not an email address. */
export function normaliseEmail(value: string | null | undefined): string | null {
  const email = (value ?? '').trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 254 ? email : null;
}

/**
 * A phone number in E.164, assuming the UK without a country code (`07700 900123` → `+447700900123`).
 * Null when it cannot be a phone number.
 */
export function normalisePhone(value: string | null | undefined): string | null {
  let v = (value ?? '').trim();
  if (!v || !/^[+\d\s().-]+$/.test(v)) return null;
  v = v.replace(/\(0\)/g, '');
  let digits = v.replace(/\D/g, '');
  let international = v.startsWith('+');
  if (!international && digits.startsWith('00')) {
    digits = digits.slice(2);
    international = true;
  }
  if (!international) {
    if (digits.startsWith('0') && digits.length >= 10 && digits.length <= 11) digits = `44${digits.slice(1)}`;
    else return null;
  }
  if (digits.startsWith('440')) digits = `44${digits.slice(3)}`;
  if (digits.length < 8 || digits.length > 15 || digits.startsWith('0')) return null;
  if (digits.startsWith('44') && (digits.length < 11 || digits.length > 12)) return null;
  return `+${digits}`;
}

/** The lines of a letter's address block: the name, then the address. */
export function postalLines(name: string | null, address: AddressValue | null): string | null {
  if (!address?.line1 || !address.postcode) return null;
  return [name, address.line1, address.line2, address.town, address.postcode]
    .map((line) => line?.trim())
    .filter(Boolean)
    .join('\n');
}
