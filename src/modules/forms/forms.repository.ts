/** All SQL of the forms engine: form_drafts, the addresses gazetteer, and the profile reads for prefill. */
import type { Db, NewRow, Tx } from '../../platform/db/index.ts';

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

export function lockDraft(trx: Tx, id: string) {
  return trx
    .selectFrom('form_drafts')
    .select(draftColumns)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export type DraftRow = NonNullable<Awaited<ReturnType<typeof findDraft>>>;

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

export function caseReferenceOf(db: Q, caseId: string) {
  return db
    .selectFrom('cases')
    .select(['id', 'reference', 'due_at', 'guest_email', 'guest_phone', 'customer_id'])
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
