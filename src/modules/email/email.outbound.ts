/**
 * The threading headers of our outbound email (docs/email.md "Outbound headers"), for the SMTP adapter in
 * notifications: our own Message-ID on our domain, In-Reply-To and References to the thread, the case
 * reference in the subject, the case's signed reply address as Reply-To, and `Auto-Submitted:
 * auto-generated` (with `X-Auto-Response-Suppress: All`, so Exchange sends no out-of-office back) on
 * automated mail. Pure.
 */
import { signReplyAddress, subjectWithReference } from './email.threading.ts';

export interface OutboundThreadingSettings {
  /** The domain of our Message-IDs (EMAIL_MESSAGE_ID_DOMAIN, else MAIL_FROM's domain). */
  messageIdDomain: string;
  /** The mailbox replies reach, sub-addressed per case (EMAIL_REPLY_ADDRESS); null: no signed Reply-To. */
  replyAddress: string | null;
  /** EMAIL_REPLY_SECRET (or the one derived from the session secret outside production). */
  replySecret: string | null;
}

export interface OutboundThreadingInput {
  /** Our message id (a uuid): the local part of the Message-ID. */
  id: string;
  subject: string;
  caseReference?: string | null;
  /** The Message-ID (with or without angle brackets) this message answers. */
  inReplyTo?: string | null;
  /** The thread's Message-IDs, oldest first. */
  references?: readonly string[];
  /** Sent by the system, not written by a person for this message (RFC 3834). */
  automated?: boolean;
}

export interface OutboundThreading {
  /** `<id@domain>` */
  messageId: string;
  subject: string;
  replyTo: string | null;
  inReplyTo: string | null;
  /** Angle-bracketed ids, oldest first, the answered message last; at most 10 (the first and last 9). */
  references: string[];
  headers: Record<string, string>;
}

/** `<a@b>` or `a@b` → `<a@b>`; null when it cannot be a Message-ID (no @, spaces or brackets inside). */
function bracketed(id: string | null | undefined): string | null {
  if (typeof id !== 'string') return null;
  const bare = id.trim().replace(/^<|>$/g, '');
  return /^[^\s<>@]+@[^\s<>@]+$/.test(bare) ? `<${bare}>` : null;
}

const MAX_REFERENCES = 10;

export function outboundThreading(
  input: OutboundThreadingInput,
  settings: OutboundThreadingSettings,
): OutboundThreading {
  const inReplyTo = bracketed(input.inReplyTo);
  const ids = (input.references ?? []).map(bracketed).filter((id): id is string => id !== null);
  if (inReplyTo) ids.push(inReplyTo);
  let references = [...new Set(ids.reverse())].reverse(); // each once, keeping its last position
  if (references.length > MAX_REFERENCES)
    references = [references[0], ...references.slice(references.length - (MAX_REFERENCES - 1))];
  const reference = input.caseReference ?? null;
  const headers: Record<string, string> = {};
  if (input.automated) {
    headers['Auto-Submitted'] = 'auto-generated';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  return {
    messageId: `<${input.id}@${settings.messageIdDomain.toLowerCase()}>`,
    subject: reference ? subjectWithReference(input.subject, reference) : input.subject,
    replyTo:
      reference && settings.replyAddress && settings.replySecret
        ? signReplyAddress(reference, { secret: settings.replySecret, address: settings.replyAddress })
        : null,
    inReplyTo,
    references,
    headers,
  };
}
