/** Messages → view models for the staff outbox pages. */
import { displayPhone } from '../../platform/contact/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import type { MessageRow, MessageStatus } from './notifications.repository.ts';
import type { TemplateName } from './notifications.templates.ts';

/** What each message is, in words (never the template's code name). */
export const TEMPLATE_LABELS: Record<TemplateName, string> = {
  'case.acknowledgement': 'Request received',
  'case.status_changed': 'Status update',
  'case.message': 'Message about a request',
  'resident.sign_in_code': 'Sign in code',
  'resident.track_code': 'Tracking code',
  'complaint.acknowledgement': 'Complaint received',
  'complaint.extension': 'Complaint: more time needed',
  'complaint.response': 'Complaint response',
  'complaint.escalation_acknowledgement': 'Complaint: request to look again received',
  'complaint.final_response': 'Complaint: final response',
  'complaint.refusal': 'Complaint: not taken forward',
  'feedback.request': 'Request for feedback',
  'sar.bundle_ready': 'Copy of personal information ready',
  'case.sla_warning': 'Case due soon (to staff)',
  'case.sla_breach': 'Case overdue (to staff)',
  'case.email_undeliverable': 'Email bounced (to staff)',
  'case.message_undeliverable': 'Message undeliverable (to staff)',
  'case.assigned': 'Case assigned (to staff)',
  'case.transferred': 'Case transferred (to staff)',
  'staff.account_locked': 'Account locked (to staff)',
  'staff.account_unlocked': 'Account unlocked (to staff)',
};

/** The label of a stored template name; an unknown one (a retired template) reads as "Message". */
export const templateLabel = (template: string): string =>
  (TEMPLATE_LABELS as Record<string, string>)[template] ?? 'Message';

const CHANNEL_LABELS: Record<MessageRow['channel'], string> = {
  email: 'Email',
  sms: 'Text message',
  letter: 'Letter',
};

const STATUS_TAGS: Record<MessageStatus, { text: string; classes: string }> = {
  queued: { text: 'Queued', classes: 'govuk-tag--grey' },
  sending: { text: 'Sending', classes: 'govuk-tag--blue' },
  delivered: { text: 'Sent', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
  recorded: { text: 'Recorded', classes: 'govuk-tag--yellow' },
};

const PROVIDER_LABELS: Record<string, string> = {
  notify: 'GOV.UK Notify',
  smtp: 'Email server (SMTP)',
  local: 'Local outbox (not sent)',
};

export const MESSAGE_STATUSES = Object.keys(STATUS_TAGS) as MessageStatus[];

interface ListRow {
  id: string;
  created_at: Date;
  channel: MessageRow['channel'];
  template: string;
  status: MessageStatus;
  provider: string | null;
  attempts: number;
  case_reference: string | null;
}

/** Table rows for govukTable. No recipients or bodies in the list: open a message to see them. */
export function messageTableRows(rows: ListRow[]) {
  return rows.map((row) => [
    { text: formatDate(row.created_at, 'datetime') },
    { text: row.case_reference ?? '–', classes: 'app-nowrap' },
    { text: templateLabel(row.template) },
    { text: CHANNEL_LABELS[row.channel] },
    {
      html: `<strong class="govuk-tag ${STATUS_TAGS[row.status].classes}">${STATUS_TAGS[row.status].text}</strong>`,
    },
    {
      html: `<a class="govuk-link" href="/staff/messages/${row.id}">View<span class="govuk-visually-hidden"> message from ${formatDate(row.created_at, 'datetime')}</span></a>`,
    },
  ]);
}

const CODE_TEMPLATES = new Set(['resident.sign_in_code', 'resident.track_code']);

/**
 * One-time codes are hidden from staff: anyone who could read a live code could sign in as the resident.
 * Only a message that was recorded locally (no Notify or SMTP: the demo) shows it, because there the
 * outbox is the only way to receive it.
 */
function visibleBody(row: MessageRow): string {
  if (!CODE_TEMPLATES.has(row.template) || (row.status === 'recorded' && row.provider === 'local'))
    return row.body;
  return row.body.replace(/\b\d{6}\b/g, '••••••');
}

export function messageDetail(row: MessageRow & { case_reference: string | null }) {
  const tag = STATUS_TAGS[row.status];
  const rows: { key: { text: string }; value: { text?: string; html?: string } }[] = [
    {
      key: { text: 'Status' },
      value: { html: `<strong class="govuk-tag ${tag.classes}">${tag.text}</strong>` },
    },
    { key: { text: 'Message' }, value: { text: templateLabel(row.template) } },
    { key: { text: 'Channel' }, value: { text: CHANNEL_LABELS[row.channel] } },
    {
      key: { text: 'To' },
      value: {
        // A text message's number is stored in E.164 (+447700900188): shown as staff see numbers everywhere.
        text: (row.channel === 'sms' ? displayPhone(row.recipient) : row.recipient) || 'No contact details',
      },
    },
    { key: { text: 'Request' }, value: { text: row.case_reference ?? 'Not about a request' } },
    { key: { text: 'Queued' }, value: { text: formatDate(row.created_at, 'datetime') } },
    {
      key: { text: 'Sent' },
      value: { text: row.sent_at ? formatDate(row.sent_at, 'datetime') : 'Not sent' },
    },
    {
      key: { text: 'Sent by' },
      value: { text: row.provider ? (PROVIDER_LABELS[row.provider] ?? row.provider) : '–' },
    },
    { key: { text: 'Attempts' }, value: { text: String(row.attempts) } },
  ];
  if (row.provider_id) rows.push({ key: { text: 'Provider reference' }, value: { text: row.provider_id } });
  if (row.error) rows.push({ key: { text: 'Problem' }, value: { text: row.error } });
  return {
    summaryRows: rows,
    subject: row.subject,
    paragraphs: visibleBody(row).split(/\n{2,}/),
    language: row.language,
  };
}
