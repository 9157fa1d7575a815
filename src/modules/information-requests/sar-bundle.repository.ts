/**
 * Reads for the subject access bundle: everything Frontdoor holds about a person, across every module's
 * tables. This is deliberately the one place that reads other modules' tables wholesale (like `insight`
 * would): a SAR must not miss a table, and `test/sar-bundle.int.test.ts` fails when a table with a
 * `customer_id` column is not listed in `SAR_BUNDLE_COVERAGE` (sar-bundle.ts).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

/** The person and any duplicate records that were merged into them. */
export async function subjectIds(db: Q, customerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', customerId), eb('merged_into', '=', customerId)]))
    .execute();
  return rows.map((r) => r.id);
}

export const customers = (db: Q, ids: string[]) =>
  db
    .selectFrom('customers')
    .select([
      'id',
      'kind',
      'title',
      'given_name',
      'family_name',
      'organisation_name',
      'date_of_birth',
      'preferred_channel',
      'preferred_language',
      'communication_needs',
      'merged_into',
      'created_at',
      'updated_at',
    ])
    .where('id', 'in', ids)
    .execute();

export const contactPoints = (db: Q, ids: string[]) =>
  db
    .selectFrom('contact_points')
    .select(['id', 'kind', 'value', 'address', 'uprn', 'is_primary', 'verified_at', 'created_at'])
    .where('customer_id', 'in', ids)
    .orderBy('created_at')
    .execute();

export const vulnerabilities = (db: Q, ids: string[]) =>
  db
    .selectFrom('vulnerabilities as v')
    .leftJoin('staff_users as u', 'u.id', 'v.recorded_by')
    .select([
      'v.id',
      'v.reason',
      'v.consent_given',
      'v.review_date',
      'v.created_at',
      'v.ended_at',
      'u.display_name as recorded_by',
    ])
    .where('v.customer_id', 'in', ids)
    .orderBy('v.created_at')
    .execute();

export const relationships = (db: Q, ids: string[]) =>
  db
    .selectFrom('customer_relationships as r')
    .innerJoin('customers as a', 'a.id', 'r.customer_id')
    .innerJoin('customers as b', 'b.id', 'r.related_customer_id')
    .select([
      'r.id',
      'r.kind',
      'r.notes',
      'r.created_at',
      sql<string>`concat_ws(' ', a.given_name, a.family_name, a.organisation_name)`.as('person'),
      sql<string>`concat_ws(' ', b.given_name, b.family_name, b.organisation_name)`.as('related_person'),
    ])
    .where((eb) => eb.or([eb('r.customer_id', 'in', ids), eb('r.related_customer_id', 'in', ids)]))
    .orderBy('r.created_at')
    .execute();

export const cases = (db: Q, ids: string[]) =>
  db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .innerJoin('authorities as a', 'a.id', 'c.authority_id')
    .select([
      'c.id',
      'c.reference',
      's.name as service',
      's.definition as service_definition',
      'a.name as council',
      'c.status',
      'c.origin_channel',
      'c.received_at',
      'c.due_at',
      'c.closed_at',
      'c.answers',
      'c.location',
      'c.outcome',
      'c.guest_name',
      'c.guest_email',
      'c.guest_phone',
      sql<boolean>`c.representative_id = any(${sql.val(ids)}::uuid[])`.as('as_representative'),
    ])
    .where((eb) => eb.or([eb('c.customer_id', 'in', ids), eb('c.representative_id', 'in', ids)]))
    .orderBy('c.received_at')
    .execute();

export const caseEvents = (db: Q, caseIds: string[]) =>
  caseIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('case_events as e')
        .leftJoin('staff_users as u', 'u.id', 'e.actor_staff_id')
        .select([
          'e.id',
          'e.case_id',
          'e.kind',
          'e.visible_to_customer',
          'e.body',
          'e.data',
          'e.created_at',
          'u.display_name as staff',
        ])
        .where('e.case_id', 'in', caseIds)
        .orderBy('e.created_at')
        .execute();

export const attachments = (db: Q, caseIds: string[], ids: string[]) =>
  db
    .selectFrom('attachments')
    .select(['id', 'case_id', 'filename', 'content_type', 'size_bytes', 'created_at'])
    .where((eb) =>
      eb.or([
        eb('uploaded_by_customer_id', 'in', ids),
        ...(caseIds.length ? [eb('case_id', 'in', caseIds)] : []),
      ]),
    )
    .orderBy('created_at')
    .execute();

export const interactions = (db: Q, ids: string[]) =>
  db
    .selectFrom('interactions as i')
    .leftJoin('staff_users as u', 'u.id', 'i.agent_id')
    .select([
      'i.id',
      'i.channel',
      'i.direction',
      'i.occurred_at',
      'i.summary',
      'i.body',
      'i.outcome',
      'i.case_id',
      'u.display_name as agent',
    ])
    .where('i.customer_id', 'in', ids)
    .orderBy('i.occurred_at')
    .execute();

/** Emails they sent us: on their record or on their cases (the full text as received). */
export const emails = (db: Q, ids: string[], caseIds: string[]) =>
  db
    .selectFrom('emails')
    .select(['id', 'from_address', 'subject', 'body_text', 'received_at', 'case_id', 'attachments'])
    .where((eb) =>
      eb.or([eb('customer_id', 'in', ids), ...(caseIds.length ? [eb('case_id', 'in', caseIds)] : [])]),
    )
    .orderBy('received_at')
    .execute();

/** Their phone calls: the numbers, times and how each ended (the wrap-up is on the interaction). */
export const calls = (db: Q, ids: string[]) =>
  db
    .selectFrom('calls')
    .select([
      'id',
      'direction',
      'from_number',
      'to_number',
      'offered_at',
      'answered_at',
      'ended_at',
      'hangup_cause',
      'ivr_path',
      'interaction_id',
    ])
    .where('customer_id', 'in', ids)
    .orderBy('offered_at')
    .execute();

/** Their webchats: when, with whom (the council), how each ended; the messages come with them. */
export const chats = (db: Q, ids: string[]) =>
  db
    .selectFrom('chats')
    .select([
      'id',
      'resident_name',
      'status',
      'queued_at',
      'answered_at',
      'ended_at',
      'ended_by',
      'handover_reason',
      'outcome',
      'created_at',
    ])
    .where('customer_id', 'in', ids)
    .orderBy('created_at')
    .execute();

/** Every message of their chats (theirs, the assistant's and our staff's), in order. */
export const chatMessages = (db: Q, ids: string[]) =>
  db
    .selectFrom('chat_messages as m')
    .innerJoin('chats as c', 'c.id', 'm.chat_id')
    .select(['m.chat_id', 'm.seq', 'm.sender', 'm.body', 'm.created_at'])
    .where('c.customer_id', 'in', ids)
    .orderBy('m.chat_id')
    .orderBy('m.seq')
    .execute();

/** Texts they sent us (through GOV.UK Notify), with what we did with each. */
export const inboundTexts = (db: Q, ids: string[]) =>
  db
    .selectFrom('inbound_texts')
    .select(['id', 'from_number', 'body', 'received_at', 'outcome', 'case_id'])
    .where('customer_id', 'in', ids)
    .orderBy('received_at')
    .execute();

/** Callbacks promised to them, with the number, topic, times and outcome. */
export const callbacks = (db: Q, ids: string[]) =>
  db
    .selectFrom('callbacks')
    .select([
      'id',
      'phone',
      'topic',
      'best_time',
      'source',
      'due_at',
      'status',
      'attempts',
      'completed_at',
      'outcome',
      'notes',
    ])
    .where('customer_id', 'in', ids)
    .orderBy('created_at')
    .execute();

export const messages = (db: Q, ids: string[]) =>
  db
    .selectFrom('messages')
    .select(['id', 'channel', 'recipient', 'subject', 'body', 'status', 'created_at', 'sent_at', 'case_id'])
    .where('customer_id', 'in', ids)
    .orderBy('created_at')
    .execute();

export const formDrafts = (db: Q, ids: string[]) =>
  db
    .selectFrom('form_drafts as d')
    .innerJoin('services as s', 's.id', 'd.service_id')
    .select([
      'd.id',
      's.name as service',
      's.definition as service_definition',
      'd.answers',
      'd.created_at',
      'd.updated_at',
      'd.expires_at',
      'd.submitted_case_id',
    ])
    .where('d.customer_id', 'in', ids)
    .orderBy('d.created_at')
    .execute();

export const sessions = (db: Q, ids: string[]) =>
  db
    .selectFrom('sessions')
    // Not the id: a session's id is its cookie value.
    .select(['kind', 'created_at', 'last_seen_at', 'expires_at'])
    .where('customer_id', 'in', ids)
    .orderBy('created_at')
    .execute();

export const residentCodes = (db: Q, ids: string[]) =>
  db
    .selectFrom('resident_codes')
    .select(['id', 'purpose', 'created_at', 'expires_at', 'used_at', 'attempts'])
    .where('customer_id', 'in', ids)
    .orderBy('created_at')
    .execute();

export const complaints = (db: Q, ids: string[]) =>
  db
    .selectFrom('complaints as x')
    .innerJoin('cases as c', 'c.id', 'x.case_id')
    .select([
      'x.id',
      'c.reference',
      'x.workflow_type',
      'x.stage',
      'x.status',
      'x.received_on',
      'x.matter_date',
      'x.summary',
      'x.desired_outcome',
      'x.reasonable_adjustments',
      'x.refusal_reason',
      'x.refusal_details',
      'x.refused_on',
      'x.closed_on',
    ])
    .where('x.customer_id', 'in', ids)
    .orderBy('x.received_on')
    .execute();

export const complaintStages = (db: Q, complaintIds: string[]) =>
  complaintIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('complaint_stages as g')
        .leftJoin('staff_users as u', 'u.id', 'g.handler_id')
        .select([
          'g.id',
          'g.complaint_id',
          'g.stage',
          'g.started_on',
          'g.acknowledged_on',
          'g.respond_by',
          'g.extension_days',
          'g.extension_reason',
          'g.responded_on',
          'g.decision',
          'g.reasons',
          'g.response_text',
          'g.escalation_reason',
          'u.display_name as handler',
        ])
        .where('g.complaint_id', 'in', complaintIds)
        .orderBy('g.stage')
        .execute();

export const complaintRemedies = (db: Q, complaintIds: string[]) =>
  complaintIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('complaint_remedies')
        .select(['id', 'complaint_id', 'kind', 'description', 'amount_pence', 'due_on', 'completed_on'])
        .where('complaint_id', 'in', complaintIds)
        .orderBy('created_at')
        .execute();

export const informationRequests = (db: Q, ids: string[]) =>
  db
    .selectFrom('information_requests as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .leftJoin('information_request_reviews as v', 'v.request_id', 'r.id')
    .select([
      'r.id',
      'v.id as review_id',
      'c.reference',
      'r.regime',
      'r.status',
      'r.received_on',
      'r.request_text',
      'r.due_on',
      'r.responded_on',
      'r.outcome',
      'r.response_text',
      'r.exemptions',
      'v.requested_on as review_requested_on',
      'v.completed_on as review_completed_on',
      'v.outcome as review_outcome',
    ])
    .where('r.customer_id', 'in', ids)
    .orderBy('r.received_on')
    .execute();

export const sarBundles = (db: Q, ids: string[]) =>
  db
    .selectFrom('sar_bundles')
    .select(['id', 'status', 'generated_at', 'released_at'])
    .where('customer_id', 'in', ids)
    .orderBy('generated_at')
    .execute();

export const feedbackRequests = (db: Q, ids: string[]) =>
  db
    .selectFrom('feedback_requests')
    .select(['id', 'channel', 'case_id', 'created_at', 'expires_at', 'responded_at'])
    .where('customer_id', 'in', ids)
    .orderBy('created_at')
    .execute();

export const feedback = (db: Q, ids: string[]) =>
  db
    .selectFrom('feedback as f')
    .leftJoin('follow_ups as u', 'u.feedback_id', 'f.id')
    .select([
      'f.id',
      'u.id as follow_up_id',
      'f.kind',
      'f.case_id',
      'f.channel',
      'f.satisfaction',
      'f.effort',
      'f.comment',
      'f.created_at',
      'u.status as follow_up_status',
      'u.note as follow_up_note',
    ])
    .where('f.customer_id', 'in', ids)
    .orderBy('f.created_at')
    .execute();

export const compliments = (db: Q, ids: string[]) =>
  db
    .selectFrom('compliments as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select(['m.id', 'm.kind', 'm.body', 'm.received_on', 'm.channel', 't.name as team'])
    .where('m.customer_id', 'in', ids)
    .orderBy('m.received_on')
    .execute();

/** Who looked at or changed the person's records (and their cases), and what they did themselves. */
export const accessLog = (db: Q, ids: string[], caseIds: string[]) =>
  db
    .selectFrom('audit_log as l')
    .leftJoin('staff_users as u', (join) =>
      join.onRef(sql`u.id::text`, '=', sql`l.actor_id`).on('l.actor_type', '=', 'staff'),
    )
    .select([
      'l.id',
      'l.at',
      'l.actor_type',
      'u.display_name as staff',
      'l.action',
      'l.record_type',
      'l.outcome',
      'l.reason',
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('l.record_type', '=', 'customer'), eb('l.record_id', 'in', ids)]),
        ...(caseIds.length
          ? [eb.and([eb('l.record_type', '=', 'case'), eb('l.record_id', 'in', caseIds)])]
          : []),
        eb.and([eb('l.actor_type', '=', 'customer'), eb('l.actor_id', 'in', ids)]),
      ]),
    )
    .orderBy('l.at')
    .limit(20_000)
    .execute();
