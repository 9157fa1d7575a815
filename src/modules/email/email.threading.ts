/**
 * Threading keys (docs/email.md "Threading"): what an inbound email carries that can tie it to a case,
 * and what our outbound email carries so that replies can be tied back.
 *
 * - A signed reply address per case: `reply+kx7p-3rmd-<mac>@domain`, where the mac is HMAC-SHA256 of the
 *   reference under EMAIL_REPLY_SECRET, truncated to 50 bits and written in Crockford base32. Reading it
 *   back is case-insensitive and forgives hand-retyped look-alikes (`l`/`1`/`i`, `o`/`0`).
 * - The reference in the subject, `[Ref: KX7P-3RMD]`, and a reference anywhere in the body.
 * - `threadCandidates`: the keys in the order they are to be tried (signed address, In-Reply-To and
 *   References, subject reference, body reference). Looking them up is the caller's job.
 *
 * Pure functions; the table of cases is email.threading.test.ts and the fixture corpus test.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { normaliseReference, referencesInBody } from '../../platform/contact/index.ts';
import type { InboundMessage } from './email.inbound.ts';

/** References in an email body (the one reader is platform/contact's; kept here for this module's callers). */
export { referencesInBody };

/** Crockford's base32: no I, L, O or U, so what is read back can be forgiven (o → 0, i/l → 1). */
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const MAC_LENGTH = 10;

function mac(secret: string, reference: string): string {
  const digest = createHmac('sha256', secret).update(`frontdoor reply address\n${reference}`).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 7)) bits = (bits << 8n) | BigInt(byte);
  bits >>= 6n; // 56 bits → the top 50
  let out = '';
  for (let i = 0; i < MAC_LENGTH; i += 1) {
    out = CROCKFORD[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

/** A mac as typed back: lower case, o → 0, i/l → 1 (Crockford's decoding rules); null if not one. */
function readMac(typed: string): string | null {
  const value = typed.toLowerCase().replace(/o/g, '0').replace(/[il]/g, '1');
  return value.length === MAC_LENGTH && [...value].every((c) => CROCKFORD.includes(c)) ? value : null;
}

/**
 * A reference as typed back inside an address or subject: the reference alphabet has an L but no 1 or I,
 * so a retyped 1 or i can only have been an l.
 */
function readReference(typed: string): string | null {
  return normaliseReference(typed.replace(/[1iI]/g, 'L'));
}

/**
 * The signed reply address for a case: `reply@council.example` and `KX7P-3RMD` →
 * `reply+kx7p-3rmd-<mac>@council.example`. Any local part works as the base (sub-addressing with `+`,
 * which Microsoft 365 and Gmail deliver to the base mailbox).
 */
export function signReplyAddress(reference: string, settings: { secret: string; address: string }): string {
  const ref = normaliseReference(reference);
  if (!ref) throw new Error('signReplyAddress: not a case reference');
  const at = settings.address.lastIndexOf('@');
  if (at < 1) throw new Error('signReplyAddress: the reply address has no @');
  const local = settings.address.slice(0, at).split('+')[0].toLowerCase();
  const domain = settings.address.slice(at + 1).toLowerCase();
  return `${local}+${ref.toLowerCase()}-${mac(settings.secret, ref)}@${domain}`;
}

/**
 * The case reference a signed reply address stands for, or null when the address is not one or its mac
 * is wrong. Case-insensitive; forgives `l`/`1`/`i` and `o`/`0` in what a person retyped, and a reference
 * written without its hyphen. The domain is not checked: only the secret can make a valid mac.
 */
export function verifyReplyAddress(address: string, secret: string): string | null {
  const match = /^[^@\s+]+\+([^@\s]+)-([^@\s-]+)@[^@\s]+$/.exec(address.trim());
  if (!match) return null;
  const reference = readReference(match[1]);
  const given = readMac(match[2]);
  if (!reference || !given) return null;
  const expected = mac(secret, reference);
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected)) ? reference : null;
}

/** Whitespace runs are bounded so that no subject or body can make the patterns backtrack for long. */
const SUBJECT_TAG =
  /\[\s{0,3}ref\s{0,3}[:#]?\s{0,3}([a-z0-9][a-z0-9 \-\u2010-\u2015]{6,9}[a-z0-9])\s{0,3}\]/i;

/** `Your report` → `Your report [Ref: KX7P-3RMD]`; unchanged when the subject already carries it. */
export function subjectWithReference(subject: string, reference: string): string {
  const ref = normaliseReference(reference);
  if (!ref) throw new Error('subjectWithReference: not a case reference');
  if (referenceInSubject(subject) === ref) return subject;
  return `${subject.trim()} [Ref: ${ref}]`;
}

/** The reference in a subject's `[Ref: KX7P-3RMD]` tag (any case, `Ref#`, no hyphen), or null. */
export function referenceInSubject(subject: string): string | null {
  const match = SUBJECT_TAG.exec(subject);
  return match ? readReference(match[1]) : null;
}

/**
 * What a subject is about, for comparing a reply with its case: reply and forward prefixes (`Re:`, `RE:`,
 * `Fwd:`, `FW:`, `AW:`, `SV:`, `Antw:`, `Automatic reply:`) and the reference tag taken off.
 */
export function subjectTopic(subject: string): string {
  let topic = subject.replace(new RegExp(SUBJECT_TAG.source, 'gi'), ' ');
  const prefix = /^\s{0,3}(re|fw|fwd|aw|sv|antw|vs|automatic reply|auto)\s{0,3}(\[\d+\])?\s{0,3}:\s*/i;
  while (prefix.test(topic)) topic = topic.replace(prefix, '');
  return topic.replace(/\s+/g, ' ').trim();
}

export type ThreadKey =
  | { kind: 'reply-address'; reference: string; address: string }
  | { kind: 'message-id'; messageId: string }
  | { kind: 'subject-reference'; reference: string }
  | { kind: 'body-reference'; reference: string };

/**
 * The keys that may tie an inbound message to a case, in the order to try them: a verified signed reply
 * address (To, Cc, then the envelope headers Delivered-To / X-Original-To), In-Reply-To then References
 * nearest first, the subject's reference tag, then references in the body. Each key once. Finding the
 * case, and checking the sender is a party to it, is the caller's job.
 */
export function threadCandidates(message: InboundMessage, settings: { secret: string | null }): ThreadKey[] {
  const keys: ThreadKey[] = [];
  if (settings.secret) {
    const envelope = ['delivered-to', 'x-original-to', 'envelope-to'].flatMap(
      (name) => message.headers.get(name) ?? [],
    );
    const addresses = [...message.to, ...message.cc].map((a) => a.address).concat(envelope);
    const seen = new Set<string>();
    for (const address of addresses) {
      const reference = verifyReplyAddress(address, settings.secret);
      if (!reference || seen.has(reference)) continue;
      seen.add(reference);
      keys.push({ kind: 'reply-address', reference, address: address.trim().toLowerCase() });
    }
  }
  const ids = [message.inReplyTo, ...[...message.references].reverse()].filter(
    (id): id is string => typeof id === 'string' && id !== '',
  );
  for (const messageId of new Set(ids)) keys.push({ kind: 'message-id', messageId });
  const inSubject = referenceInSubject(message.subject);
  if (inSubject) keys.push({ kind: 'subject-reference', reference: inSubject });
  for (const reference of referencesInBody(message.text)) keys.push({ kind: 'body-reference', reference });
  return keys;
}
