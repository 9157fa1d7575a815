/** All SQL of the forms engine: form_drafts, the addresses gazetteer, and the profile reads for prefill. */
import { sql } from 'kysely';
import {
  PREPARED,
  reusableQuery,
  type Db,
  type NewRow,
  type Tx,
  type WriteBatch,
} from '../../platform/db/index.ts';
import { newCaseFactsColumns, ruleTeamCodesOf } from '../cases/index.ts';

type Q = Db | Tx;

export async function insertDraft(db: Q, row: NewRow<'form_drafts'>): Promise<void> {
  await db.insertInto('form_drafts').values(row).execute();
}

const draftColumns = [
  'id',
  'authority_id',
  'service_id',
  'form_version',
  'answers',
  'token',
  'binding_hash',
  'customer_id',
  'staff_user_id',
  'channel',
  'created_at',
  'updated_at',
  'expires_at',
  'submitted_case_id',
] as const;

export function findDraft(db: Q, id: string) {
  return db.selectFrom('form_drafts').select(draftColumns).where('id', '=', id).executeTakeFirst();
}

export type DraftRow = NonNullable<Awaited<ReturnType<typeof findDraft>>>;

/**
 * Everything the submission needs in ONE read (it runs on every form submission): the draft, its service
 * with the authority's contact facts (the columns the cases module's `loadCaseService` reads, but not the
 * definition: the cases module keeps each version validated in memory, and a miss loads it), the
 * reference of the case it became if it was submitted already, and the facts for routing a new case
 * from this draft at `at` (the cases module's `newCaseFactsColumns`).
 */
const draftForSubmit = reusableQuery((db: Q, id: string, at: Date) => {
  const facts = newCaseFactsColumns({
    authorityId: sql.ref('s.authority_id'),
    serviceId: sql.ref('s.id'),
    serviceTeamId: sql.ref('s.team_id'),
    ruleTeamCodes: ruleTeamCodesOf(sql.ref('s.definition')),
    customerId: sql.ref('d.customer_id'),
    at,
  });
  return db
    .selectFrom('form_drafts as d')
    .innerJoin('services as s', 's.id', 'd.service_id')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .leftJoin('cases as c', 'c.id', 'd.submitted_case_id')
    .select([
      'd.id',
      'd.authority_id',
      'd.service_id',
      'd.form_version',
      'd.answers',
      'd.token',
      'd.binding_hash',
      'd.customer_id',
      'd.staff_user_id',
      'd.channel',
      'd.created_at',
      'd.updated_at',
      'd.expires_at',
      'd.submitted_case_id',
      'c.reference as submitted_reference',
      's.authority_id as service_authority_id',
      's.team_id as service_team_id',
      's.slug as service_slug',
      's.name as service_name',
      's.sla as service_sla',
      's.definition_version as service_definition_version',
      's.updated_at as service_updated_at',
      's.active as service_active',
      'a.name as authority_name',
      'a.phone as authority_phone',
      'a.website as authority_website',
      facts.teams.as('facts_teams'),
      facts.candidates.as('facts_candidates'),
      facts.customer.as('facts_customer'),
      facts.lastInbound.as('facts_last_inbound'),
    ])
    .where('d.id', '=', id)
    .modifyEnd(PREPARED);
});

export async function findDraftForSubmit(db: Q, id: string, at: Date) {
  const [row] = await draftForSubmit(db, id, at);
  return row;
}

export async function updateDraftAnswers(
  db: Q,
  id: string,
  answers: Record<string, unknown>,
  at: Date,
  expiresAt: Date,
): Promise<void> {
  await db
    .updateTable('form_drafts')
    .set({ answers: JSON.stringify(answers), updated_at: at, expires_at: expiresAt })
    .where('id', '=', id)
    .where('submitted_case_id', 'is', null)
    .execute();
}

export async function markDraftSubmitted(db: Q, id: string, caseId: string, at: Date): Promise<void> {
  await db
    .updateTable('form_drafts')
    .set({ submitted_case_id: caseId, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Marks the draft submitted as a write of the case's batch, only if the case row was inserted (`gate`). */
export function markDraftSubmittedInBatch(
  batch: WriteBatch,
  id: string,
  caseId: string,
  at: Date,
  gate: string,
): void {
  batch.update('form_drafts', { submitted_case_id: caseId, updated_at: at }, { id }, { gate });
}

export function caseReferenceOf(db: Q, caseId: string) {
  return db
    .selectFrom('cases')
    .select([
      'id',
      'reference',
      'due_at',
      'guest_email',
      'guest_phone',
      'customer_id',
      // How the acknowledgement went out (null: there was nobody to send it to).
      (eb) =>
        eb
          .selectFrom('messages')
          .select('messages.channel')
          .whereRef('messages.case_id', '=', 'cases.id')
          .where('messages.template', '=', 'case.acknowledgement')
          .where('messages.recipient', '!=', '')
          .limit(1)
          .as('acknowledged_by'),
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('contact_points')
              .select('contact_points.id')
              .whereRef('contact_points.customer_id', '=', 'cases.customer_id')
              .where('contact_points.kind', '=', 'phone'),
          )
          .as('customer_has_phone'),
    ])
    .where('id', '=', caseId)
    .executeTakeFirst();
}

/** Deletes unsubmitted drafts past their expiry (and detaches their uploads). Returns how many. */
export async function deleteExpiredDrafts(db: Q, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('form_drafts')
    .where('submitted_case_id', 'is', null)
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Files uploaded to expired, unsubmitted drafts that never became part of a case. */
export function uploadsOfExpiredDrafts(db: Q, now: Date) {
  return db
    .selectFrom('attachments as a')
    .innerJoin('form_drafts as d', 'd.id', 'a.draft_id')
    .select(['a.id', 'a.storage_key'])
    .where('a.case_id', 'is', null)
    .where('d.submitted_case_id', 'is', null)
    .where('d.expires_at', '<', now)
    .execute();
}

export async function deleteAttachments(db: Q, ids: string[]): Promise<void> {
  if (ids.length) await db.deleteFrom('attachments').where('id', 'in', ids).execute();
}

// --- gazetteer ---

export function addressesByPostcode(db: Q, key: string) {
  return db
    .selectFrom('addresses')
    .select(['uprn', 'line1', 'line2', 'town', 'postcode'])
    .where('postcode_key', '=', key)
    .orderBy('line1')
    .limit(100)
    .execute();
}

export async function insertAddresses(db: Q, rows: NewRow<'addresses'>[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const result = await db
      .insertInto('addresses')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.column('uprn').doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

// --- customer profile (prefill): read-only use of the customers module's tables ---

export function customerForPrefill(db: Q, customerId: string) {
  return db
    .selectFrom('customers')
    .select(['id', 'given_name', 'family_name', 'date_of_birth', 'merged_into'])
    .where('id', '=', customerId)
    .executeTakeFirst();
}

export function contactPointsForPrefill(db: Q, customerId: string) {
  return db
    .selectFrom('contact_points')
    .select(['kind', 'value', 'address', 'uprn', 'is_primary'])
    .where('customer_id', '=', customerId)
    .orderBy('is_primary', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

export function activeServicesForStaff(db: Q) {
  return db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .select(['s.slug', 's.name', 's.category', 'a.name as authority_name'])
    .where('s.active', '=', true)
    .orderBy('s.category')
    .orderBy('s.name')
    .execute();
}
