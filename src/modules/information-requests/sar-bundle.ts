/**
 * The subject access bundle: everything Frontdoor holds about a person, assembled automatically for the
 * officer to review and release (machine-readable JSON and a readable HTML page).
 *
 * `SAR_BUNDLE_COVERAGE` names every table that has a `customer_id` column and says which section of the
 * bundle covers it. `test/sar-bundle.int.test.ts` compares it with the live database, so adding a table
 * that holds people's data without adding it here fails the build.
 */
import type { Db, Tx } from '../../platform/db/index.ts';
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

export interface SarBundleSections {
  profile: Rows<typeof repo.customers>;
  contactPoints: Rows<typeof repo.contactPoints>;
  vulnerabilities: Rows<typeof repo.vulnerabilities>;
  relationships: Rows<typeof repo.relationships>;
  cases: (Rows<typeof repo.cases>[number] & {
    events: Rows<typeof repo.caseEvents>;
    attachments: Rows<typeof repo.attachments>;
  })[];
  interactions: Rows<typeof repo.interactions>;
  messages: Rows<typeof repo.messages>;
  formDrafts: Rows<typeof repo.formDrafts>;
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
      cases: cases.map((c) => ({
        ...c,
        events: events.filter((e) => e.case_id === c.id),
        attachments: attachments.filter((a) => a.case_id === c.id),
      })),
      interactions,
      messages,
      formDrafts,
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

const label = (key: string) => {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (value instanceof Date) return value.toISOString().replace('T', ' ').slice(0, 16);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value))
    return value.replace('T', ' ').slice(0, 16);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${label(k)}: ${valueText(v)}`)
      .join('; ');
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
    ? String(value)
    : '';
}

/** Internal ids mean nothing to the reader; the JSON keeps them. */
/** Row ids are in the JSON (so each record can be referred to) but mean nothing to a reader. */
const HIDDEN_KEYS = new Set(['id', 'case_id', 'complaint_id', 'review_id', 'follow_up_id', 'merged_into']);

function toRecord(row: Record<string, unknown>): HtmlRecord {
  const rows: HtmlRecord['rows'] = [];
  const children: HtmlRecord['children'] = [];
  for (const [key, value] of Object.entries(row)) {
    if (HIDDEN_KEYS.has(key)) continue;
    if (
      Array.isArray(value) &&
      value.every((v) => v !== null && typeof v === 'object' && !(v instanceof Date))
    ) {
      children.push({ title: label(key), records: (value as Record<string, unknown>[]).map(toRecord) });
    } else {
      const text = valueText(value);
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
