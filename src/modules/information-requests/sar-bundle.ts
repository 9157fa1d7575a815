/**
 * The subject access bundle: everything Frontdoor holds about a person, assembled automatically for the
 * officer to review and release (machine-readable JSON and a readable HTML page).
 *
 * `SAR_BUNDLE_COVERAGE` names every table that has a `customer_id` column and says which section of the
 * bundle covers it. `test/sar-bundle.int.test.ts` compares it with the live database, so adding a table
 * that holds people's data without adding it here fails the build.
 */
import type { Db, Tx } from '../../platform/db/index.ts';
import { languageName } from '../../platform/i18n/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { communicationNeedLabels } from '../customers/index.ts';
import { templateLabel } from '../notifications/index.ts';
import { answersInWords } from '../services/index.ts';
import * as repo from './sar-bundle.repository.ts';

/** Table (with a `customer_id` column) → the bundle section that holds its rows. */
export const SAR_BUNDLE_COVERAGE: Readonly<Record<string, keyof SarBundleSections>> = Object.freeze({
  customers: 'profile',
  contact_points: 'contactPoints',
  vulnerabilities: 'vulnerabilities',
  customer_relationships: 'relationships',
  cases: 'cases',
  interactions: 'interactions',
  messages: 'messages',
  emails: 'emails',
  calls: 'calls',
  callbacks: 'callbacks',
  chats: 'chats',
  inbound_texts: 'texts',
  form_drafts: 'formDrafts',
  sessions: 'signIns',
  resident_codes: 'signInCodes',
  complaints: 'complaints',
  information_requests: 'informationRequests',
  sar_bundles: 'previousBundles',
  feedback_requests: 'feedbackRequests',
  feedback: 'feedback',
  compliments: 'compliments',
});

/** Tables reached through another (no `customer_id` of their own) and where they appear. */
export const SAR_BUNDLE_LINKED_TABLES: Readonly<Record<string, string>> = Object.freeze({
  case_events: 'cases[].events',
  attachments: 'cases[].attachments',
  complaint_stages: 'complaints[].stages',
  complaint_remedies: 'complaints[].remedies',
  information_request_reviews: 'informationRequests[] (review_*)',
  follow_ups: 'feedback[] (follow_up_*)',
  audit_log: 'accessLog',
});

type Rows<T extends (...args: never[]) => Promise<unknown[]>> = Awaited<ReturnType<T>>;

/** A form's answers as the person gave them: each question with the answer in words. */
type AnswersInWords = { question: string; answer: string }[];
type WithAnswersInWords<T> = Omit<T, 'answers' | 'service_definition'> & { answers: AnswersInWords };

export interface SarBundleSections {
  profile: Rows<typeof repo.customers>;
  contactPoints: Rows<typeof repo.contactPoints>;
  vulnerabilities: Rows<typeof repo.vulnerabilities>;
  relationships: Rows<typeof repo.relationships>;
  cases: (WithAnswersInWords<Rows<typeof repo.cases>[number]> & {
    events: Rows<typeof repo.caseEvents>;
    attachments: Rows<typeof repo.attachments>;
  })[];
  interactions: Rows<typeof repo.interactions>;
  messages: Rows<typeof repo.messages>;
  emails: Rows<typeof repo.emails>;
  calls: Rows<typeof repo.calls>;
  callbacks: Rows<typeof repo.callbacks>;
  chats: (Rows<typeof repo.chats>[number] & { messages: Rows<typeof repo.chatMessages> })[];
  texts: Rows<typeof repo.inboundTexts>;
  formDrafts: WithAnswersInWords<Rows<typeof repo.formDrafts>[number]>[];
  signIns: Rows<typeof repo.sessions>;
  signInCodes: Rows<typeof repo.residentCodes>;
  complaints: (Rows<typeof repo.complaints>[number] & {
    stages: Rows<typeof repo.complaintStages>;
    remedies: Rows<typeof repo.complaintRemedies>;
  })[];
  informationRequests: Rows<typeof repo.informationRequests>;
  previousBundles: Rows<typeof repo.sarBundles>;
  feedbackRequests: Rows<typeof repo.feedbackRequests>;
  feedback: Rows<typeof repo.feedback>;
  compliments: Rows<typeof repo.compliments>;
  accessLog: Rows<typeof repo.accessLog>;
}

export interface SarBundle {
  format: 'frontdoor-sar-bundle';
  version: 1;
  generatedAt: string;
  /** The customer record asked about, and any duplicates merged into it. */
  customerIds: string[];
  sections: SarBundleSections;
}

export const SECTION_TITLES: Record<keyof SarBundleSections, string> = {
  profile: 'Your details',
  contactPoints: 'How to contact you',
  vulnerabilities: 'Support needs we have recorded',
  relationships: 'People connected to you',
  cases: 'Your requests and what happened to them',
  interactions: 'Your contacts with us',
  messages: 'Messages we sent you',
  emails: 'Emails you sent us',
  calls: 'Your phone calls with us',
  callbacks: 'Times we promised to call you back',
  chats: 'Your webchats with us',
  texts: 'Texts you sent us',
  formDrafts: 'Forms you started',
  signIns: 'When you were signed in',
  signInCodes: 'Sign-in codes we sent you',
  complaints: 'Your complaints',
  informationRequests: 'Your requests for information',
  previousBundles: 'Copies of your information we gave you before',
  feedbackRequests: 'When we asked for your feedback',
  feedback: 'Feedback you gave us',
  compliments: 'Compliments and comments you made',
  accessLog: 'Who looked at or changed your records',
};

const inWords = (definition: unknown, answers: unknown): AnswersInWords =>
  answersInWords(definition, answers as Record<string, unknown> | null).map(({ question, answer }) => ({
    question,
    answer,
  }));

/** A case's status as the resident is told it (the workflow's resident label), never its code. */
function statusInWords(definition: unknown, code: string): string {
  const statuses = (definition as { workflow?: { statuses?: { code: string; customerLabel?: string }[] } })
    ?.workflow?.statuses;
  return statuses?.find((st) => st.code === code)?.customerLabel ?? words(code);
}

/** Assembles the bundle for `customerId` (and records merged into it). Read-only. */
export async function buildSarBundle(db: Db | Tx, customerId: string, now: Date): Promise<SarBundle> {
  const ids = await repo.subjectIds(db, customerId);
  if (ids.length === 0) throw new Error('no such customer');
  const cases = await repo.cases(db, ids);
  const caseIds = cases.map((c) => c.id);
  const complaints = await repo.complaints(db, ids);
  const complaintIds = complaints.map((c) => c.id);
  const [
    profile,
    contactPoints,
    vulnerabilities,
    relationships,
    events,
    attachments,
    interactions,
    messages,
    emails,
    calls,
    callbacks,
    chats,
    chatMessages,
    texts,
    formDrafts,
    signIns,
    signInCodes,
    stages,
    remedies,
    informationRequests,
    previousBundles,
    feedbackRequests,
    feedback,
    compliments,
    accessLog,
  ] = await Promise.all([
    repo.customers(db, ids),
    repo.contactPoints(db, ids),
    repo.vulnerabilities(db, ids),
    repo.relationships(db, ids),
    repo.caseEvents(db, caseIds),
    repo.attachments(db, caseIds, ids),
    repo.interactions(db, ids),
    repo.messages(db, ids),
    repo.emails(db, ids, caseIds),
    repo.calls(db, ids),
    repo.callbacks(db, ids),
    repo.chats(db, ids),
    repo.chatMessages(db, ids),
    repo.inboundTexts(db, ids),
    repo.formDrafts(db, ids),
    repo.sessions(db, ids),
    repo.residentCodes(db, ids),
    repo.complaintStages(db, complaintIds),
    repo.complaintRemedies(db, complaintIds),
    repo.informationRequests(db, ids),
    repo.sarBundles(db, ids),
    repo.feedbackRequests(db, ids),
    repo.feedback(db, ids),
    repo.compliments(db, ids),
    repo.accessLog(db, ids, caseIds),
  ]);
  return {
    format: 'frontdoor-sar-bundle',
    version: 1,
    generatedAt: now.toISOString(),
    customerIds: ids,
    sections: {
      profile,
      contactPoints,
      vulnerabilities,
      relationships,
      cases: cases.map(({ service_definition: definition, ...c }) => ({
        ...c,
        status: statusInWords(definition, c.status),
        answers: inWords(definition, c.answers),
        events: events.filter((e) => e.case_id === c.id),
        attachments: attachments.filter((a) => a.case_id === c.id),
      })),
      interactions,
      messages,
      emails,
      calls,
      callbacks,
      chats: chats.map((c) => ({ ...c, messages: chatMessages.filter((m) => m.chat_id === c.id) })),
      texts,
      formDrafts: formDrafts.map(({ service_definition: definition, ...d }) => ({
        ...d,
        answers: inWords(definition, d.answers),
      })),
      signIns,
      signInCodes,
      complaints: complaints.map((c) => ({
        ...c,
        stages: stages.filter((s) => s.complaint_id === c.id),
        remedies: remedies.filter((r) => r.complaint_id === c.id),
      })),
      informationRequests,
      previousBundles,
      feedbackRequests,
      feedback,
      compliments,
      accessLog,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The readable version

export interface HtmlRecord {
  rows: { key: string; value: string }[];
  children: { title: string; records: HtmlRecord[] }[];
}

/** `status_changed` or `case.viewed` → "Status changed", "Case viewed". */
function words(code: string): string {
  const text = code
    .replace(/[._-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Column names a reader would not guess from the name alone. */
const KEY_LABELS: Record<string, string> = {
  kind: 'Type',
  given_name: 'First name',
  family_name: 'Last name',
  organisation_name: 'Organisation',
  preferred_channel: 'How you prefer us to contact you',
  preferred_language: 'Language',
  communication_needs: 'Help you need to communicate with us',
  created_at: 'Created',
  updated_at: 'Last changed',
  uprn: 'Property reference (UPRN)',
  is_primary: 'Main contact',
  verified_at: 'Confirmed',
  origin_channel: 'How you contacted us',
  received_at: 'Received',
  due_at: 'Due',
  closed_at: 'Closed',
  as_representative: 'Made for someone else',
  visible_to_customer: 'Shown to you',
  staff: 'Member of staff',
  size_bytes: 'Size (bytes)',
  content_type: 'Type of file',
  occurred_at: 'When',
  sent_at: 'Sent',
  expires_at: 'Expires',
  last_seen_at: 'Last active',
  used_at: 'Used',
  actor_type: 'Who',
  record_type: 'Record',
  amount_pence: 'Amount (pence)',
  regime: 'Type of request',
  workflow_type: 'Complaints procedure',
  at: 'When',
  teamName: 'Team',
};

const CHANNELS: Record<string, string> = {
  email: 'Email',
  sms: 'Text message',
  letter: 'Letter',
  phone: 'Phone',
  web: 'Online',
  face_to_face: 'Face to face',
  api: 'Another system',
};

/** Internal ids mean nothing to a reader (the JSON keeps them, so each record can be referred to). */
const isIdKey = (key: string) => key === 'id' || /_id$|Id$/.test(key) || key === 'merged_into';

const label = (key: string) => KEY_LABELS[key] ?? words(key);

function valueText(value: unknown, key = ''): string {
  if (value === null || value === undefined || value === '') return '';
  if (value instanceof Date) return formatDate(value, 'datetime');
  if (Array.isArray(value)) return value.map((v) => valueText(v, key)).join(', ');
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    // A status or a team as events hold them: its label or name, not its code.
    if (typeof o.label === 'string') return o.label;
    if (typeof o.name === 'string' && !('line1' in o)) return o.name;
    return Object.entries(o)
      .filter(([k]) => !isIdKey(k))
      .map(([k, v]) => [k, valueText(v, k)])
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${label(k)}: ${v}`)
      .join('; ');
  }
  if (typeof value !== 'string') return typeof value === 'number' ? String(value) : '';
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDate(value, 'datetime');
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
  if (/language$/i.test(key)) return languageName(value);
  if (key === 'template') return templateLabel(value);
  if (/channel$/i.test(key)) return CHANNELS[value] ?? words(value);
  // Codes (`person`, `status_changed`, `case.viewed`) read as words.
  if (
    /^[a-z]+([._][a-z]+)*$/.test(value) &&
    /(^|_)(kind|status|purpose|direction|outcome|decision|regime|type|action|code)$/i.test(key)
  )
    return words(value);
  return value;
}

function toRecord(row: Record<string, unknown>): HtmlRecord {
  const rows: HtmlRecord['rows'] = [];
  const children: HtmlRecord['children'] = [];
  // A question before its answer (jsonb keeps keys in its own order).
  const entries = Object.entries(row).sort(([a], [b]) => Number(b === 'question') - Number(a === 'question'));
  for (const [key, value] of entries) {
    if (isIdKey(key)) continue;
    if (key === 'communication_needs') {
      const needs = communicationNeedLabels(value).join(', ');
      if (needs) rows.push({ key: label(key), value: needs });
      continue;
    }
    if (
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((v) => v !== null && typeof v === 'object' && !(v instanceof Date))
    ) {
      children.push({ title: label(key), records: (value as Record<string, unknown>[]).map(toRecord) });
    } else {
      const text = valueText(value, key);
      if (text !== '') rows.push({ key: label(key), value: text });
    }
  }
  return { rows, children };
}

/** The bundle as sections of records, ready for the HTML template (no logic left in the template). */
export function bundleForHtml(bundle: SarBundle): { title: string; count: number; records: HtmlRecord[] }[] {
  return (Object.keys(SECTION_TITLES) as (keyof SarBundleSections)[]).map((key) => {
    const rows = bundle.sections[key] as unknown as Record<string, unknown>[];
    return { title: SECTION_TITLES[key], count: rows.length, records: rows.map(toRecord) };
  });
}
