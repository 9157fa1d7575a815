/**
 * Which channel a message goes by, and to whom. Pure functions, unit-tested beside this file.
 *
 * Order: the channel the caller asked for → the channel the resident chose on the form for this request
 * (queueMessage reads it from the case) → the resident's preferred channel → whatever contact exists
 * (email, else a mobile number for a text message, else a postal address for a letter). A channel is only
 * chosen when we have somewhere to send it: "text me" with no mobile number falls through to the next.
 * A preference for phone calls cannot be honoured by a written message, so it falls through too.
 * Only mobiles take texts (`canReceiveTexts`, platform/contact/phone.ts): not landlines, 070 personal
 * numbers or 076 pagers.
 */
import { canReceiveTexts } from '../../platform/contact/index.ts';
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

/**
 * The channel a resident chose for one request with the forms' "How should we contact you?" question
 * (`contactBy` in every shipped form): `email`, `text` (a text message) or `letter`. null when the answer
 * names no written channel (a phone call) or there is none: the usual order applies then.
 */
export function channelOfContactAnswer(value: unknown): MessageChannel | null {
  switch (value) {
    case 'email':
      return 'email';
    case 'text':
      return 'sms';
    case 'letter':
      return 'letter';
    default:
      return null;
  }
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

/** The lines of a letter's address block: the name, then the address. */
export function postalLines(name: string | null, address: AddressValue | null): string | null {
  if (!address?.line1 || !address.postcode) return null;
  return [name, address.line1, address.line2, address.town, address.postcode]
    .map((line) => line?.trim())
    .filter(Boolean)
    .join('\n');
}
