/**
 * Domain → view models. Templates get ready-to-render rows (GOV.UK table rows, summary list rows, MOJ
 * timeline items); any HTML built here escapes every value.
 */
import { displayPhone } from '../../platform/contact/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { findLanguage, languageName } from '../../platform/i18n/index.ts';
import type { AddressValue, Channel } from '../../platform/db/index.ts';
import { addressLabel } from './customers.normalise.ts';
import { CONTACT_OUTCOMES, LOGGABLE_CHANNELS } from './customers.rules.ts';
import type { CustomerSummaryRow, InteractionRow, RelationshipRow } from './customers.repository.ts';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function displayName(c: {
  given_name: string | null;
  family_name: string | null;
  organisation_name: string | null;
}): string {
  const person = [c.given_name, c.family_name].filter(Boolean).join(' ');
  return person || c.organisation_name || 'Unnamed customer';
}

/** `j•••n@example.com`: enough to confirm with the caller, not enough to read out. */
export function maskEmail(email: string | null): string {
  if (!email) return '';
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  const local = email.slice(0, at);
  const masked = local.length <= 2 ? `${local[0]}•••` : `${local[0]}•••${local[local.length - 1]}`;
  return `${masked}${email.slice(at)}`;
}

function addressText(address: AddressValue | null, fallback: string | null): string {
  if (address) return addressLabel(address);
  return fallback ?? '';
}

export const CHANNEL_LABELS: Record<Channel, string> = {
  web: 'Online form',
  email: 'Email',
  phone: 'Phone call',
  webchat: 'Webchat',
  face_to_face: 'Face to face',
  sms: 'Text message',
  letter: 'Letter',
  open311: 'Street report (Open311)',
  social: 'Social media',
  api: 'Partner system',
};

/** A code in words: `return_scheduled` → "Return scheduled". Free text comes out as it went in, capitalised. */
function codeLabel(code: string): string {
  const s = code.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Outcomes the demo history records on interactions besides the "Log a contact" form's own. */
const OTHER_OUTCOMES: Record<string, string> = {
  case_created: 'Request raised',
  update_given: 'Update given',
  answered: 'Answered',
  transferred: 'Transferred to the service team',
  abandoned: 'Call abandoned',
};

/** An interaction's outcome in words, never a raw code. */
export function outcomeLabel(outcome: string): string {
  return (
    (CONTACT_OUTCOMES as Record<string, string>)[outcome] ?? OTHER_OUTCOMES[outcome] ?? codeLabel(outcome)
  );
}

/** The search results table. */
export function searchResultRows(rows: CustomerSummaryRow[]) {
  return rows.map((r) => {
    const name = escapeHtml(displayName(r));
    const marker = r.vulnerable
      ? ' <strong class="govuk-tag govuk-tag--red" data-testid="vulnerable-marker">Vulnerable</strong>'
      : '';
    return [
      { html: `<a class="govuk-link" href="/staff/customers/${r.id}">${name}</a>${marker}` },
      { text: r.date_of_birth ? formatDate(r.date_of_birth, 'date') : 'Not known' },
      { text: addressText(r.address, r.address_value) || 'Not known' },
      { text: maskEmail(r.email) },
      { text: displayPhone(r.phone) },
      { text: String(r.open_cases), format: 'numeric' },
    ];
  });
}

/** Candidate rows for the duplicate check and the merge picker, with a chosen action link. */
export function candidateRows(
  rows: CustomerSummaryRow[],
  action: (id: string) => { href: string; text: string },
) {
  return rows.map((r) => {
    const name = escapeHtml(displayName(r));
    const link = action(r.id);
    return [
      { html: `<a class="govuk-link" href="/staff/customers/${r.id}">${name}</a>` },
      { text: r.date_of_birth ? formatDate(r.date_of_birth, 'date') : 'Not known' },
      { text: addressText(r.address, r.address_value) || 'Not known' },
      { text: maskEmail(r.email) },
      { text: displayPhone(r.phone) },
      {
        html: `<a class="govuk-link" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}<span class="govuk-visually-hidden"> ${name}</span></a>`,
      },
    ];
  });
}

type Row = { key: { text: string }; value: { text?: string; html?: string } };
const row = (key: string, value: string): Row => ({
  key: { text: key },
  value: { text: value || 'Not known' },
});

const NEEDS: Record<string, string> = {
  large_print: 'Large print',
  bsl: 'British Sign Language (BSL) interpreter',
  interpreter: 'Interpreter',
  easy_read: 'Easy read',
  text_relay: 'Text relay',
  braille: 'Braille',
  audio: 'Audio',
};
const PREFERRED_CHANNEL: Record<string, string> = {
  email: 'Email',
  sms: 'Text message',
  letter: 'Letter',
  phone: 'Phone',
};

export function communicationNeedLabels(needs: unknown): string[] {
  if (!Array.isArray(needs)) return [];
  return needs.map((n: unknown) => {
    // Stored as a code (`large_print`), a code with a language (`interpreter:ur`) or `{ kind, language }`.
    const need = typeof n === 'string' ? { kind: n.split(':')[0], language: n.split(':')[1] } : n;
    if (need && typeof need === 'object') {
      const o = need as { kind?: string; type?: string; language?: string; notes?: string };
      const kind = o.kind ?? o.type ?? 'need';
      const words = kind.replace(/_/g, ' ');
      const label = NEEDS[kind] ?? words.charAt(0).toUpperCase() + words.slice(1);
      // A language code (`ur`) by its name; a name typed in full ("Yoruba") as it is.
      const language = o.language ? (findLanguage(o.language)?.english ?? o.language) : '';
      return [label, language ? `(${language})` : '', o.notes ?? ''].filter(Boolean).join(' ');
    }
    return String(n);
  });
}

/**
 * A customer's language and communication needs in words, for every staff screen that shows the customer
 * (the case page, the single view): "Polish — interpreter needed", "Speaks Welsh", "Large print". Never a
 * code. Empty for an English speaker with no needs.
 */
export function languageAndNeeds(preferredLanguage: string | null | undefined, needs: unknown): string[] {
  const list: unknown[] = Array.isArray(needs) ? needs : [];
  const interpreterLanguage = (n: unknown): string | null | undefined => {
    if (typeof n === 'string') return n.startsWith('interpreter') ? (n.split(':')[1] ?? null) : undefined;
    if (
      n &&
      typeof n === 'object' &&
      ((n as { kind?: string }).kind ?? (n as { type?: string }).type) === 'interpreter'
    )
      return (n as { language?: string }).language ?? null;
    return undefined;
  };
  const interpreter = list.map(interpreterLanguage).find((l) => l !== undefined);
  const nameOf = (code: string) => findLanguage(code)?.english ?? code;
  const home = preferredLanguage && preferredLanguage !== 'en' ? nameOf(preferredLanguage) : null;
  const words: string[] = [];
  if (interpreter !== undefined) {
    const language = interpreter ? nameOf(interpreter) : home;
    words.push(language ? `${language} — interpreter needed` : 'Interpreter needed');
  } else if (home) words.push(`Speaks ${home}`);
  words.push(...communicationNeedLabels(list.filter((n) => interpreterLanguage(n) === undefined)));
  return words;
}

export function identityRows(c: {
  given_name: string | null;
  family_name: string | null;
  organisation_name: string | null;
  date_of_birth: string | null;
  preferred_channel: string;
  preferred_language: string;
  communication_needs: unknown;
  authority_name: string;
}): Row[] {
  const needs = communicationNeedLabels(c.communication_needs);
  return [
    row('Name', displayName(c)),
    row('Date of birth', c.date_of_birth ? formatDate(c.date_of_birth, 'date') : ''),
    row('Preferred contact', PREFERRED_CHANNEL[c.preferred_channel] ?? c.preferred_channel),
    row('Language', languageName(c.preferred_language)),
    {
      key: { text: 'Communication needs' },
      value: { text: needs.length ? needs.join('; ') : 'None recorded' },
    },
    row('Record held by', c.authority_name),
  ];
}

export function contactPointRows(
  points: {
    kind: 'email' | 'phone' | 'address';
    value: string;
    address: AddressValue | null;
    is_primary: boolean;
  }[],
): Row[] {
  const label = { email: 'Email', phone: 'Phone', address: 'Address' } as const;
  if (points.length === 0) return [{ key: { text: 'Contact details' }, value: { text: 'None recorded' } }];
  return points.map((p) => {
    const value =
      p.kind === 'phone'
        ? displayPhone(p.value)
        : p.kind === 'address'
          ? addressText(p.address, p.value)
          : p.value;
    return {
      key: { text: label[p.kind] },
      value: {
        html: `${escapeHtml(value)}${p.is_primary ? ' <span class="govuk-hint govuk-!-display-inline">(main)</span>' : ''}`,
      },
    };
  });
}

export function vulnerabilityItems(
  flags: { reason: string; consent_given: boolean; review_date: string | null }[],
) {
  return flags.map((f) => ({
    reason: f.reason,
    consent: f.consent_given
      ? 'Consent to share given'
      : 'No consent to share: do not pass on without a lawful reason',
    review: f.review_date ? `Review by ${formatDate(f.review_date, 'date')}` : 'No review date',
  }));
}

const RELATIONSHIP_TEXT: Record<RelationshipRow['kind'], { outgoing: string; incoming: string }> = {
  representative: { outgoing: 'Representative', incoming: 'Represents' },
  carer: { outgoing: 'Carer', incoming: 'Cares for' },
  next_of_kin: { outgoing: 'Next of kin', incoming: 'Is next of kin for' },
  other: { outgoing: 'Related to', incoming: 'Related to' },
};

export function relationshipRows(rows: RelationshipRow[]): Row[] {
  return rows.map((r) => ({
    key: { text: RELATIONSHIP_TEXT[r.kind][r.direction] },
    value: {
      html: `<a class="govuk-link" href="/staff/customers/${r.other_id}">${escapeHtml(displayName(r))}</a>${r.notes ? `<br><span class="govuk-body-s">${escapeHtml(r.notes)}</span>` : ''}`,
    },
  }));
}

export function caseRows(
  cases: {
    id: string;
    reference: string;
    service_name: string;
    authority_name: string;
    status: string;
    /** The status's staff label in its service's workflow (the queue and the case page use the same). */
    status_label: string | null;
    due_at: Date | null;
    received_at: Date;
    closed_at: Date | null;
  }[],
  now: Date,
) {
  return cases.map((k) => {
    const overdue = !k.closed_at && k.due_at && k.due_at.getTime() < now.getTime();
    const label = k.status_label ?? codeLabel(k.status);
    const status = k.closed_at ? `Closed (${label})` : label;
    return [
      {
        html: `<a class="govuk-link" href="/staff/cases/${escapeHtml(k.id)}">${escapeHtml(k.reference)}</a>`,
        classes: 'app-nowrap',
      },
      { text: k.service_name },
      { text: k.authority_name },
      {
        html: k.closed_at
          ? `<strong class="govuk-tag govuk-tag--grey">${escapeHtml(status)}</strong>`
          : `<strong class="govuk-tag govuk-tag--blue">${escapeHtml(status)}</strong>`,
      },
      {
        html: k.closed_at
          ? ''
          : k.due_at
            ? `${escapeHtml(formatDate(k.due_at, 'short'))}${overdue ? ' <strong class="govuk-tag govuk-tag--red">Overdue</strong>' : ''}`
            : 'No due date',
      },
      { text: formatDate(k.received_at, 'short') },
    ];
  });
}

/** MOJ timeline items, newest first. */
export function timelineItems(rows: InteractionRow[]) {
  return rows.map((i) => {
    const title = [
      CHANNEL_LABELS[i.channel],
      i.direction === 'outbound' ? '(outgoing)' : '',
      i.service_name ? `– ${i.service_name}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const tags: string[] = [];
    if (i.is_repeat)
      tags.push(
        '<strong class="govuk-tag govuk-tag--orange" data-testid="repeat-contact">Repeat contact</strong>',
      );
    if (i.resolved_at_first_contact)
      tags.push('<strong class="govuk-tag govuk-tag--green">Resolved at first contact</strong>');
    const outcome = i.outcome ? outcomeLabel(i.outcome) : null;
    const parts = [
      tags.length ? `<p class="govuk-body govuk-!-margin-bottom-2">${tags.join(' ')}</p>` : '',
      i.summary ? `<p class="govuk-body">${escapeHtml(i.summary).replace(/\r?\n/g, '<br>')}</p>` : '',
      outcome && !i.resolved_at_first_contact
        ? `<p class="govuk-body-s">Outcome: ${escapeHtml(outcome)}</p>`
        : '',
      i.case_reference ? `<p class="govuk-body-s">Case ${escapeHtml(i.case_reference)}</p>` : '',
    ];
    return {
      label: { text: title },
      byline: i.agent_name ? { text: i.agent_name } : undefined,
      datetime: { timestamp: i.occurred_at.toISOString(), format: 'datetime' },
      html: parts.join(''),
      attributes: { 'data-testid': 'timeline-item' },
    };
  });
}

/** GOV.UK pagination for the timeline. */
export function pagination(basePath: string, page: number, pageSize: number, total: number) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  const href = (p: number) => `${basePath}?page=${p}#timeline`;
  const items: { number?: number; href?: string; current?: boolean; ellipsis?: boolean }[] = [];
  for (let p = 1; p <= pages; p++) {
    if (p === 1 || p === pages || Math.abs(p - page) <= 1)
      items.push({ number: p, href: href(p), current: p === page });
    else if (items.length && !items[items.length - 1].ellipsis) items.push({ ellipsis: true });
  }
  return {
    previous: page > 1 ? { href: href(page - 1) } : undefined,
    next: page < pages ? { href: href(page + 1) } : undefined,
    items,
    landmarkLabel: 'Contact history pages',
  };
}

export function channelItems(selected: string | undefined) {
  return Object.entries(LOGGABLE_CHANNELS).map(([value, text]) => ({
    value,
    text,
    checked: value === selected,
  }));
}

export function outcomeItems(selected: string | undefined) {
  return Object.entries(CONTACT_OUTCOMES).map(([value, text]) => ({
    value,
    text,
    checked: value === selected,
  }));
}

export function serviceSelectItems(
  services: { id: string; name: string; authority_name: string }[],
  selected: string | undefined,
) {
  return [
    { value: '', text: 'Not about a particular service' },
    ...services.map((s) => ({
      value: s.id,
      text: `${s.name} (${s.authority_name})`,
      selected: s.id === selected,
    })),
  ];
}

export function caseSelectItems(
  cases: { id: string; reference: string; service_name: string }[],
  selected: string | undefined,
) {
  return [
    { value: '', text: 'No case' },
    ...cases.map((k) => ({
      value: k.id,
      text: `${k.reference} – ${k.service_name}`,
      selected: k.id === selected,
    })),
  ];
}
