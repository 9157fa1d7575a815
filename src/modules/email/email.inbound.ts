/**
 * Inbound email parsing (docs/email.md "Parsing"): one raw MIME message, as received by a mailbox, into
 * the normalised shape the rest of the email channel works on. One library (`mailparser`) reads the MIME;
 * this file decides what we keep and how it is named.
 *
 * - `receivedAt` is the receipt time given by the caller (IMAP INTERNALDATE, the relay's own clock), never
 *   the sender's Date header (kept apart as `sentAt`, for display only).
 * - A message without a Message-ID gets a stable one made from a hash of its bytes, so the same bytes
 *   arriving twice still de-duplicate. `dedupeKey` is Message-ID + mailbox: the same message delivered to
 *   two mailboxes is two receipts, the same message fetched twice from one is one. `fingerprint` tells a
 *   reused Message-ID (a different message) from a true duplicate (the same sender, date, subject and
 *   content, whatever relays added on the way).
 * - Addresses go through the one email normaliser (src/platform/contact); ones it rejects are dropped.
 * - Odd charsets (windows-1252, iso-2022-jp, …) are decoded by mailparser; `cid:` links in HTML are kept
 *   as they are, with the inline parts among the attachments (`inline`, `cid`).
 * - `winmail.dat` (application/ms-tnef) is kept as an attachment flagged `tnef: true`; it is not decoded.
 * - A delivery status notification's `message/delivery-status` part is kept as an attachment of that type
 *   (classify reads it), so the body text is only the human-readable part.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type HeaderLines } from 'mailparser';
import { normaliseEmail } from '../../platform/contact/index.ts';

export interface EmailAddress {
  /** Normalised (lower case, trimmed). */
  address: string;
  /** The display name, or null. */
  name: string | null;
}

export interface InboundAttachment {
  /** As sent, or null when the part has none. */
  filename: string | null;
  /** Lower case, without parameters: `image/png`. */
  contentType: string;
  size: number;
  content: Buffer;
  /** Shown within the body (Content-Disposition inline, or an image the HTML refers to by cid). */
  inline: boolean;
  /** The Content-ID without angle brackets, or null. */
  cid: string | null;
  /** Outlook's winmail.dat (application/ms-tnef): kept whole, not decoded. */
  tnef: boolean;
  /** SHA-256 of the content, hex. */
  sha256: string;
}

export interface InboundMessage {
  /** Without angle brackets. Synthesised (`messageIdSynthesised`) when the message has none. */
  messageId: string;
  messageIdSynthesised: boolean;
  inReplyTo: string | null;
  /** Oldest first, as in the header. */
  references: string[];
  from: EmailAddress | null;
  replyTo: EmailAddress[];
  to: EmailAddress[];
  cc: EmailAddress[];
  /** '' when there is none. */
  subject: string;
  /** The plain text body (made from the HTML when only HTML was sent); '' when none. */
  text: string;
  html: string | null;
  attachments: InboundAttachment[];
  /** The receipt time given by the caller: never the Date header. */
  receivedAt: Date;
  /** The sender's Date header, for display only; null when missing or unreadable. */
  sentAt: Date | null;
  /** The mailbox that received it, normalised. */
  mailbox: string;
  /** `<messageId> <mailbox>`: one receipt per message per mailbox. */
  dedupeKey: string;
  /** SHA-256 of sender, Date header, subject and content: tells a reused Message-ID from a duplicate. */
  fingerprint: string;
  /** SHA-256 of the raw bytes, hex (the original is kept as evidence). */
  rawSha256: string;
  size: number;
  /** Every header: lower-case name → raw values (unfolded), in order. */
  headers: ReadonlyMap<string, readonly string[]>;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** `<abc@x>` → `abc@x`; null when empty. */
function messageIdOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const id = value.trim().replace(/^<|>$/g, '').trim();
  return id === '' ? null : id;
}

function idList(value: unknown): string[] {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return values
    .flatMap((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : []))
    .map(messageIdOf)
    .filter((id): id is string => id !== null);
}

function addresses(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: EmailAddress[] = [];
  for (const entry of objects.flatMap((o) => o.value).flatMap((a) => (a.group ? a.group : [a]))) {
    const address = normaliseEmail(entry.address);
    if (address) out.push({ address, name: entry.name.trim() === '' ? null : entry.name.trim() });
  }
  return out;
}

function headerMap(lines: HeaderLines): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    const value = (colon === -1 ? '' : line.slice(colon + 1)).replace(/\r?\n[ \t]+/g, ' ').trim();
    const values = map.get(key) ?? [];
    values.push(value);
    map.set(key, values);
  }
  return map;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Plain text from HTML, for messages sent as HTML only where mailparser gives no text (HTML inside
 * multipart/related): block ends become line breaks, tags go, common entities are decoded. For reading
 * and reference-finding only; the HTML itself is kept as sent.
 */
function textFromHtml(html: string): string {
  return dropElements(html, ['script', 'style', 'head'])
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h[1-6]|blockquote)\s*>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{1,10});/gi, (whole, name: string) => {
      if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    })
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The HTML without these elements and their content, by scanning (a regular expression with a lazy
 * match to the closing tag takes quadratic time on many unclosed tags). An unclosed one runs to the end.
 */
function dropElements(html: string, names: readonly string[]): string {
  const lower = html.toLowerCase();
  let out = '';
  let at = 0;
  for (;;) {
    let start = -1;
    let name = '';
    for (const n of names) {
      const found = lower.indexOf(`<${n}`, at);
      if (found !== -1 && (start === -1 || found < start)) [start, name] = [found, n];
    }
    if (start === -1) return out + html.slice(at);
    out += html.slice(at, start);
    const close = lower.indexOf(`</${name}`, start);
    if (close === -1) return out;
    const end = lower.indexOf('>', close);
    if (end === -1) return out;
    at = end + 1;
  }
}

const TNEF_TYPES = new Set(['application/ms-tnef', 'application/vnd.ms-tnef']);

/** Parses one raw message as received by `receipt.mailbox` at `receipt.receivedAt`. */
export async function parseInbound(
  raw: Buffer,
  receipt: { receivedAt: Date; mailbox: string },
): Promise<InboundMessage> {
  const parsed = await simpleParser(raw, {
    skipImageLinks: true,
    skipTextToHtml: true,
    // A DSN's machine-readable part stays a part of its own (read by classify), not text in the body.
    keepDeliveryStatus: true,
  });
  const rawSha256 = sha256(raw);
  const given = messageIdOf(parsed.messageId);
  const messageId = given ?? `${rawSha256.slice(0, 32)}@synthesised.frontdoor.invalid`;
  const mailbox = normaliseEmail(receipt.mailbox) ?? receipt.mailbox.trim().toLowerCase();
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  const cidsInHtml = new Set([...(html ?? '').matchAll(/cid:([^"'\s>)]+)/gi)].map((m) => m[1].toLowerCase()));

  const attachments: InboundAttachment[] = parsed.attachments.map((a) => {
    const contentType = a.contentType.toLowerCase().split(';')[0].trim();
    const cid = messageIdOf(a.contentId ?? a.cid);
    const filename = a.filename ?? null;
    return {
      filename,
      contentType,
      size: a.size,
      content: a.content,
      inline: a.contentDisposition === 'inline' || (cid !== null && cidsInHtml.has(cid.toLowerCase())),
      cid,
      tnef: TNEF_TYPES.has(contentType) || filename?.toLowerCase() === 'winmail.dat',
      sha256: sha256(a.content),
    };
  });

  const from = addresses(parsed.from)[0] ?? null;
  const headers = headerMap(parsed.headerLines);
  const dateHeader = headers.get('date')?.[0] ?? '';
  // mailparser gives the time of parsing for a missing or unreadable Date header: that is no sent time.
  const sentMs = Date.parse(dateHeader.replace(/\([^()]*\)/g, ' ').trim());
  const sentAt = Number.isNaN(sentMs) ? null : new Date(sentMs);
  const subject = parsed.subject ?? '';
  const text = parsed.text || (html ? textFromHtml(html) : '');
  const fingerprint = sha256(
    [from?.address ?? '', dateHeader, subject, text, html ?? '', ...attachments.map((a) => a.sha256)].join(
      '\n\u0000',
    ),
  );

  return {
    messageId,
    messageIdSynthesised: given === null,
    inReplyTo: idList(parsed.inReplyTo)[0] ?? null,
    references: idList(parsed.references),
    from,
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject,
    text,
    html,
    attachments,
    receivedAt: receipt.receivedAt,
    sentAt,
    mailbox,
    dedupeKey: `${messageId} ${mailbox}`,
    fingerprint,
    rawSha256,
    size: raw.length,
    headers,
  };
}
