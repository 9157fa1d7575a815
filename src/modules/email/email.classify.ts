/**
 * Loops, bounces and automatic replies (docs/email.md "Loops and bounces"): what an inbound message is,
 * before anything answers it or threads it.
 *
 * - `autoReply`: never send an automatic message in answer to this one. True for automated mail (an
 *   `Auto-Submitted` value other than `no`; `Precedence: bulk | list | junk | auto_reply`; `List-Unsubscribe`;
 *   `X-Autoreply` / `X-Autorespond`; a null Return-Path; a mailer-daemon, postmaster, bounce or no-reply
 *   sender; a delivery report; a Message-ID on our own domain, i.e. our own mail come back) and for mail
 *   whose sender asks for none: `X-Auto-Response-Suppress` with `All` or `OOF`. Not for the partial values
 *   Outlook puts on ordinary mail (`DR, RN, NRN`: delivery and read receipts only).
 * - `outOfOffice`: an automatic reply to a person's mail (RFC 3834 `Auto-Submitted: auto-replied`, an
 *   "Automatic reply:" or "Out of office" subject): recorded on the thread, never reopens a case.
 * - `dsn`: the first failed (else first) recipient of a delivery status notification's
 *   `message/delivery-status` part. `permanent` means the address is undeliverable (5.1.x: no such user,
 *   no such domain); a full mailbox (x.2.2) is `mailboxFull` and never permanent.
 * - `mayAutoAcknowledge`: at most one automatic acknowledgement per sender in any 24 hours.
 *
 * Pure functions; the table of cases is email.classify.test.ts and the fixture corpus test.
 */
import { normaliseEmail } from '../../platform/contact/index.ts';
import type { InboundMessage } from './email.inbound.ts';

export interface DeliveryStatus {
  /** The enhanced status code: `5.1.1`. */
  status: string;
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded` (lower case). */
  action: string;
  /** The address we sent to (Original-Recipient, else Final-Recipient), normalised; null if unreadable. */
  recipient: string | null;
  /** The address cannot receive mail (a failure with status 5.1.x): mark the contact point undeliverable. */
  permanent: boolean;
  /** x.2.2: the mailbox is full. Not undeliverable; the address may work again. */
  mailboxFull: boolean;
  /** The Message-ID of the message that bounced, from the returned headers; null when not returned. */
  originalMessageId: string | null;
}

export type AutoReason =
  | 'auto-submitted'
  | 'precedence'
  | 'list-unsubscribe'
  | 'autoreply-header'
  | 'auto-response-suppress'
  | 'null-return-path'
  | 'automated-sender'
  | 'delivery-report'
  | 'own-message-id';

export interface Classification {
  autoReply: boolean;
  /** Why `autoReply` is true, in the order above; empty when it is false. */
  reasons: AutoReason[];
  outOfOffice: boolean;
  dsn: DeliveryStatus | null;
}

/** mailer-daemon, postmaster, bounce(s), no-reply / noreply / do-not-reply / donotreply, with any +tag. */
const AUTOMATED_LOCAL_PART = /^(mailer-daemon|postmaster|bounces?|no-?reply|do-?not-?reply)([+\-._].*)?$/;

/** True when the address is one no person reads (mailer-daemon, postmaster, bounces, no-reply). */
export function isAutomatedSender(address: string | null): boolean {
  const email = normaliseEmail(address);
  return email !== null && AUTOMATED_LOCAL_PART.test(email.slice(0, email.indexOf('@')));
}

const OUT_OF_OFFICE_SUBJECT =
  /^\s*(automatic reply|auto[- ]?reply|out of (the )?office|autosvar|abwesenheitsnotiz|r[ée]ponse automatique)\b/i;

const first = (message: InboundMessage, name: string): string | null =>
  message.headers.get(name)?.[0] ?? null;
const token = (value: string | null) => (value ?? '').split(';')[0].trim().toLowerCase();

/** Classifies a parsed message. `ownDomains`: the domains of our own Message-IDs (EMAIL_MESSAGE_ID_DOMAIN). */
export function classify(
  message: InboundMessage,
  settings: { ownDomains: readonly string[] },
): Classification {
  const reasons: AutoReason[] = [];
  const autoSubmitted = token(first(message, 'auto-submitted'));
  if (autoSubmitted !== '' && autoSubmitted !== 'no') reasons.push('auto-submitted');
  if (['bulk', 'list', 'junk', 'auto_reply'].includes(token(first(message, 'precedence'))))
    reasons.push('precedence');
  if (message.headers.has('list-unsubscribe')) reasons.push('list-unsubscribe');
  if (message.headers.has('x-autoreply') || message.headers.has('x-autorespond'))
    reasons.push('autoreply-header');
  const suppress = (first(message, 'x-auto-response-suppress') ?? '')
    .split(/[\s,]+/)
    .map((v) => v.toLowerCase());
  if (suppress.includes('all') || suppress.includes('oof')) reasons.push('auto-response-suppress');
  const returnPath = message.headers.get('return-path');
  if (returnPath && returnPath.some((v) => /^<\s*>$/.test(v.trim()))) reasons.push('null-return-path');
  if (isAutomatedSender(message.from?.address ?? null)) reasons.push('automated-sender');

  const contentType = first(message, 'content-type') ?? '';
  const report =
    /^\s*multipart\/report\b/i.test(contentType) &&
    /report-type\s*=\s*"?(delivery-status|global-delivery-status)"?/i.test(contentType);
  const dsn = report ? deliveryStatus(message) : null;
  if (report) reasons.push('delivery-report');

  const domain = message.messageId.slice(message.messageId.lastIndexOf('@') + 1).toLowerCase();
  if (!message.messageIdSynthesised && settings.ownDomains.some((d) => d.toLowerCase() === domain))
    reasons.push('own-message-id');

  const outOfOffice =
    !report &&
    (autoSubmitted === 'auto-replied' ||
      message.headers.has('x-autoreply') ||
      OUT_OF_OFFICE_SUBJECT.test(message.subject));
  return { autoReply: reasons.length > 0, reasons, outOfOffice, dsn };
}

/** Fields of a delivery-status part: groups separated by blank lines, continuation lines unfolded. */
function statusGroups(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split(/\n\s*\n/)
    .map((group) => {
      const fields = new Map<string, string>();
      for (const line of group.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((fields) => fields.size > 0);
}

/** `rfc822; Jo@Example.com` → `jo@example.com`. */
const recipientOf = (value: string | undefined) =>
  value === undefined ? null : normaliseEmail(value.replace(/^[^;]*;/, '').replace(/[<>]/g, ''));

function deliveryStatus(message: InboundMessage): DeliveryStatus | null {
  const part = message.attachments.find(
    (a) => a.contentType === 'message/delivery-status' || a.contentType === 'message/global-delivery-status',
  );
  if (!part) return null;
  const recipients = statusGroups(part.content.toString('utf8')).filter(
    (g) => g.has('final-recipient') || g.has('original-recipient'),
  );
  const chosen = recipients.find((g) => g.get('action')?.toLowerCase() === 'failed') ?? recipients[0];
  const code = /^([245])\.(\d{1,3})\.(\d{1,3})/.exec(chosen?.get('status') ?? '');
  if (!chosen || !code) return null;
  const action = (chosen.get('action') ?? '').toLowerCase();
  const returned = message.attachments.find((a) =>
    ['text/rfc822-headers', 'message/rfc822', 'message/global-headers', 'message/global'].includes(
      a.contentType,
    ),
  );
  const originalId = returned ? /^message-id:\s*<([^>\s]+)>/im.exec(returned.content.toString('utf8')) : null;
  return {
    status: code[0],
    action,
    recipient: recipientOf(chosen.get('original-recipient')) ?? recipientOf(chosen.get('final-recipient')),
    permanent: action === 'failed' && code[1] === '5' && code[2] === '1',
    mailboxFull: code[2] === '2' && code[3] === '2',
    originalMessageId: originalId ? originalId[1] : null,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * May this sender be sent an automatic acknowledgement now? No for an address no person reads, and no
 * when the last one to them went less than 24 hours ago (or is dated after `now`). Callers check
 * `classify(...).autoReply` first: this is the per-sender rate limit on top.
 */
export function mayAutoAcknowledge(sender: string | null, lastAckAt: Date | null, now: Date): boolean {
  if (normaliseEmail(sender) === null || isAutomatedSender(sender)) return false;
  if (lastAckAt === null) return true;
  const since = now.getTime() - lastAckAt.getTime();
  return since >= DAY_MS;
}
