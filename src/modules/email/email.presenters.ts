/**
 * Emails → view models for the staff pages (the triage queue, one email, the case's email thread):
 * reasons and authentication verdicts in words, times and ages, ready-to-render rows. No logic in
 * templates.
 */
import type { StaffCaseEmail } from '../cases/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { fileSizeText } from '../cases/index.ts';
import type { AuthResult, AuthVerdict } from './email.authentication.ts';
import { senderTrusted } from './email.authentication.ts';
import type * as repo from './email.repository.ts';

/** Why an email waits in triage, in words (the `reason` ingestEmail gave it). */
const REASONS: Record<string, string> = {
  'not-a-party': 'Sender is not on the case',
  'unknown-sender': 'Sender not known',
  'new-subject': 'New subject on a reply',
  'sender-not-verified': 'Sender failed authentication',
  'no-sender': 'No sender address',
  new: 'New email from a known customer',
  'closed-case': 'Reply to a closed case',
};

export function reasonText(reason: string | null): string {
  return (reason && REASONS[reason]) ?? 'Needs someone to look at it';
}

const STATES: Record<string, string> = {
  threaded: 'Added to a case',
  new_case: 'Made a new case',
  triage: 'Waiting in triage',
  no_action: 'No action needed',
  recorded: 'Recorded only',
};

/** "3 hours", "2 days": how long an email has waited. */
export function ageText(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60_000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

const senderText = (address: string | null, name: string | null) =>
  address ? (name ? `${name} <${address}>` : address) : 'No sender';

const RESULT_WORDS: Record<AuthResult, string> = {
  pass: 'pass',
  fail: 'fail',
  softfail: 'soft fail',
  neutral: 'neutral',
  none: 'none',
  temperror: 'could not check',
  permerror: 'broken record',
  policy: 'policy',
};

/** The authentication verdict in words: verified or not, then SPF, DKIM and DMARC and where it came from. */
export function authText(auth: Record<string, unknown>): string {
  const verdict = auth as Partial<AuthVerdict>;
  if (!verdict.source || verdict.source === 'none')
    return 'Not checked: the mailbox’s server gave no verdict we trust';
  const full: AuthVerdict = {
    spf: verdict.spf ?? 'none',
    dkim: verdict.dkim ?? 'none',
    dmarc: verdict.dmarc ?? 'none',
    aligned: verdict.aligned ?? { dkim: false, spf: false },
    header: verdict.header ?? null,
    source: verdict.source,
  };
  const word = (r: AuthResult) => RESULT_WORDS[r] ?? r;
  const how = full.source === 'verified' ? 'checked by Frontdoor' : 'from the mail server’s header';
  return `${senderTrusted(full) ? 'Sender verified' : 'Sender not verified'} (SPF ${word(full.spf)}, DKIM ${word(full.dkim)}, DMARC ${word(full.dmarc)}; ${how})`;
}

type QueueRow = Awaited<ReturnType<typeof repo.triageQueue>>[number];

/** Rows of the triage table (GOV.UK table cells). */
export function triageRows(rows: QueueRow[], now: Date) {
  return rows.map((r) => [
    {
      html: `<a class="govuk-link" href="/staff/email/${r.id}">${escapeHtml(formatDate(r.received_at, 'datetime'))}</a>`,
    },
    { text: ageText(r.received_at, now) },
    { text: r.mailbox_name },
    { text: senderText(r.from_address, r.from_name) },
    { text: r.subject || '(no subject)' },
    { text: reasonText(r.reason) },
    { text: r.suggested_reference ?? '' },
  ]);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** One email for its staff page. */
export function emailDetail(email: repo.EmailRow, now: Date) {
  return {
    id: email.id,
    subject: email.subject || '(no subject)',
    from: senderText(email.from_address, email.from_name),
    fromAddress: email.from_address,
    to: [...(email.recipients.to ?? []), ...(email.recipients.cc ?? []).map((a) => `${a} (cc)`)].join(', '),
    mailbox: `${email.mailbox_name} (${email.mailbox_address})`,
    received: formatDate(email.received_at, 'datetime'),
    age: ageText(email.received_at, now),
    auth: authText(email.auth),
    state: STATES[email.state] ?? email.state,
    inTriage: email.state === 'triage',
    reason: email.state === 'triage' ? reasonText(email.reason) : null,
    trimmed: email.trimmed_text || email.body_text || '(no text)',
    full: email.body_text,
    attachments: email.attachments.map((a) => ({
      name: a.filename ?? '(no name)',
      type: a.contentType,
      size: fileSizeText(a.size),
      inline: a.inline,
    })),
  };
}

type Thread = Awaited<ReturnType<typeof repo.caseThread>>;

/** One item of a case's email thread, as the staff case page shows it (the cases module's shape), with its time. */
export type CaseEmailItem = StaffCaseEmail & { at: Date };

const SENT_STATUS: Record<string, string> = {
  queued: 'Queued',
  sending: 'Sending',
  delivered: 'Sent',
  failed: 'Failed',
  recorded: 'Recorded',
};

/** The case's emails in and out, oldest first. */
export function caseThreadItems(thread: Thread): CaseEmailItem[] {
  const received: CaseEmailItem[] = thread.received.map((e) => ({
    direction: 'in',
    at: e.received_at,
    date: formatDate(e.received_at, 'datetime'),
    who: `From ${senderText(e.from_address, e.from_name)}`,
    subject: e.subject || '(no subject)',
    text: e.trimmed_text || e.body_text || '(no text)',
    full: e.body_text,
    originalHref: `/staff/email/${e.id}/original`,
    status: e.state === 'recorded' ? 'Recorded only (automatic reply)' : null,
  }));
  const sent: CaseEmailItem[] = thread.sent.map((m) => {
    const at = m.sent_at ?? m.created_at;
    return {
      direction: 'out',
      at,
      date: formatDate(at, 'datetime'),
      who: `To ${m.recipient}`,
      subject: m.subject,
      text: null,
      full: null,
      originalHref: null,
      status: SENT_STATUS[m.status] ?? m.status,
    };
  });
  return [...received, ...sent].sort((a, b) => a.at.getTime() - b.at.getTime());
}
