/** All SQL for the cases module's tables: cases, case_events, attachments, one_time_codes (+ reads of services). */
import { sql } from 'kysely';
import { type Db, type NewRow, type Tx, type WriteBatch } from '../../platform/db/index.ts';

type Q = Db | Tx;

const serviceColumns = [
  's.id',
  's.authority_id',
  's.team_id',
  's.slug',
  's.name',
  's.sla',
  's.definition',
  's.definition_version',
  's.updated_at',
  's.active',
  'a.name as authority_name',
  'a.phone as authority_phone',
  'a.website as authority_website',
] as const;

export function findServiceRowById(db: Q, id: string) {
  return db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .select(serviceColumns)
    .where('s.id', '=', id)
    .executeTakeFirst();
}

export function findServiceRowBySlug(db: Q, slug: string) {
  return db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .select(serviceColumns)
    .where('s.slug', '=', slug)
    .executeTakeFirst();
}

export type ServiceRow = NonNullable<Awaited<ReturnType<typeof findServiceRowById>>>;

export async function findCaseByIdempotencyKey(db: Q, key: string) {
  return db
    .selectFrom('cases')
    .select(['id', 'reference', 'status', 'team_id', 'due_at', 'received_at', 'service_id'])
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/**
 * A new case as the first write of a batch: inserted unless a unique column clashes (`idempotency_key`,
 * `reference`), returning its id only when it was inserted, so the batch's other writes (gated on it)
 * happen only for a new case. A concurrent insert with the same key waits for the other transaction.
 */
export function insertCaseInBatch(batch: WriteBatch, row: NewRow<'cases'> & { id: string }): string {
  return batch.insert('cases', row, { onConflictDoNothing: true, returning: ['id'] });
}

/** A timeline event, written by the batch only if its write `gate` returned a row. */
export function insertEventInBatch(
  batch: WriteBatch,
  row: NewRow<'case_events'> & { id: string },
  gate: string,
): void {
  batch.insert('case_events', row, { gate });
}

/** An interaction, written by the batch only if its write `gate` returned a row. */
export function insertInteractionInBatch(batch: WriteBatch, row: NewRow<'interactions'>, gate: string): void {
  batch.insert('interactions', row, { gate });
}

/** {@link linkAttachments} as a write of the batch, only if its write `gate` returned a row. */
export function linkAttachmentsInBatch(
  db: Q,
  batch: WriteBatch,
  ids: readonly string[],
  link: { caseId: string; eventId: string; authorityId: string },
  gate: string,
): void {
  if (ids.length === 0) return;
  batch.add(
    db
      .updateTable('attachments')
      .set({ case_id: link.caseId, case_event_id: link.eventId })
      .where('id', 'in', [...ids])
      .where('authority_id', '=', link.authorityId)
      .where((eb) => eb.or([eb('case_id', 'is', null), eb('case_id', '=', link.caseId)]))
      .where(sql<boolean>`exists (select from ${sql.id(gate)})`),
  );
}

export async function insertEvent(db: Q, row: NewRow<'case_events'>): Promise<string> {
  const { id } = await db.insertInto('case_events').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function insertInteraction(db: Q, row: NewRow<'interactions'>): Promise<string> {
  const { id } = await db.insertInto('interactions').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function linkAttachments(
  db: Q,
  ids: readonly string[],
  link: { caseId: string; eventId?: string | null; authorityId: string },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('attachments')
    .set({ case_id: link.caseId, ...(link.eventId ? { case_event_id: link.eventId } : {}) })
    .where('id', 'in', [...ids])
    .where('authority_id', '=', link.authorityId)
    .where((eb) => eb.or([eb('case_id', 'is', null), eb('case_id', '=', link.caseId)]))
    .execute();
}

/** The case and its service, locked for the rest of the transaction (status changes serialise per case). */
export function lockCaseWithService(trx: Tx, caseId: string) {
  return trx
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select([
      'c.id',
      'c.authority_id',
      'c.reference',
      'c.status',
      'c.customer_id',
      'c.guest_email',
      'c.guest_phone',
      'c.guest_name',
      'c.received_at',
      'c.due_at',
      'c.sla_paused_at',
      'c.closed_at',
      's.id as service_id',
    ])
    .where('c.id', '=', caseId)
    .forUpdate('c')
    .executeTakeFirst();
}

export type LockedCase = NonNullable<Awaited<ReturnType<typeof lockCaseWithService>>>;

export async function updateCase(
  db: Q,
  caseId: string,
  values: {
    status?: string;
    due_at?: Date | null;
    sla_paused_at?: Date | null;
    closed_at?: Date | null;
    updated_at: Date;
  },
): Promise<void> {
  await db.updateTable('cases').set(values).where('id', '=', caseId).execute();
}

/** Completed pauses recorded on the timeline (`sla_resumed` events carry `{ from, to }`). */
export async function completedPauses(db: Q, caseId: string): Promise<{ from: Date; to: Date }[]> {
  const rows = await db
    .selectFrom('case_events')
    .select('data')
    .where('case_id', '=', caseId)
    .where('kind', '=', 'sla_resumed')
    .orderBy('created_at')
    .execute();
  return rows.flatMap((r) => {
    const from = typeof r.data.from === 'string' ? new Date(r.data.from) : null;
    const to = typeof r.data.to === 'string' ? new Date(r.data.to) : null;
    return from && to && !Number.isNaN(from.getTime()) && !Number.isNaN(to.getTime()) ? [{ from, to }] : [];
  });
}

export function listEvents(db: Q, caseId: string, customerVisibleOnly: boolean) {
  let query = db
    .selectFrom('case_events as e')
    .leftJoin('staff_users as u', 'u.id', 'e.actor_staff_id')
    .select([
      'e.id',
      'e.kind',
      'e.visible_to_customer',
      'e.body',
      'e.data',
      'e.actor_staff_id',
      'e.actor_customer_id',
      'e.created_at',
      'u.display_name as staff_name',
    ])
    .where('e.case_id', '=', caseId);
  if (customerVisibleOnly) query = query.where('e.visible_to_customer', '=', true);
  return query.orderBy('e.created_at', 'desc').orderBy('e.id').execute();
}

export function attachmentsOfCase(db: Q, caseId: string) {
  return db
    .selectFrom('attachments')
    .select(['id', 'filename', 'size_bytes', 'case_event_id', 'question_id'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();
}

const caseViewColumns = [
  'c.id',
  'c.authority_id',
  'c.reference',
  'c.status',
  'c.customer_id',
  'c.received_at',
  'c.due_at',
  'c.closed_at',
  'c.sla_paused_at',
  'c.guest_email',
  'c.guest_phone',
  'c.service_id',
  's.name as service_name',
  's.slug as service_slug',
] as const;

export function findCaseForView(db: Q, caseId: string) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(caseViewColumns)
    .where('c.id', '=', caseId)
    .executeTakeFirst();
}

export function findCaseRowByReference(db: Q, reference: string) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(caseViewColumns)
    .where('c.reference', '=', reference)
    .executeTakeFirst();
}

export type CaseViewRow = NonNullable<Awaited<ReturnType<typeof findCaseForView>>>;

/** Label of the most recent customer-visible status event (what the resident last saw). */
export async function lastVisibleStatus(db: Q, caseId: string): Promise<string | null> {
  const row = await db
    .selectFrom('case_events')
    .select(sql<string>`data->>'to'`.as('status'))
    .where('case_id', '=', caseId)
    .where('visible_to_customer', '=', true)
    .where('kind', 'in', ['created', 'status_changed', 'reopened'])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.status ?? null;
}

/** The status a case had before it last closed (the `from` of its last move into a closed status), or null. */
export async function statusBeforeClosing(
  db: Q,
  caseId: string,
  closed: readonly string[],
): Promise<string | null> {
  if (closed.length === 0) return null;
  const row = await db
    .selectFrom('case_events')
    .select(sql<string>`data->>'from'`.as('from'))
    .where('case_id', '=', caseId)
    .where('kind', '=', 'status_changed')
    .where(sql<string>`data->>'to'`, 'in', [...closed])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.from ?? null;
}

export function casesOfCustomer(db: Q, customerId: string, limit: number) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select([
      ...caseViewColumns,
      's.definition',
      's.definition_version',
      's.updated_at as service_updated_at',
    ])
    .where('c.customer_id', '=', customerId)
    .orderBy('c.created_at', 'desc')
    .limit(limit)
    .execute();
}

/** Emails and phone numbers (normalised) a customer record holds: used to match a tracking request. */
export async function customerContactValues(
  db: Q,
  customerId: string,
): Promise<{ kind: string; normalised: string }[]> {
  return db
    .selectFrom('contact_points')
    .select(['kind', 'normalised'])
    .where('customer_id', '=', customerId)
    .where('kind', 'in', ['email', 'phone'])
    .execute();
}

// --- attachments ---

export async function insertAttachment(db: Q, row: NewRow<'attachments'>): Promise<string> {
  const { id } = await db.insertInto('attachments').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Which of these storage keys have an `attachments` row (committed rows, unless `db` is a transaction). */
export async function existingStorageKeys(db: Q, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom('attachments')
      .select('storage_key')
      .where('storage_key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const row of rows) found.add(row.storage_key);
  }
  return found;
}

/** An attachment with what the download check needs: its case's team and sensitivity, its draft's owner. */
export function findAttachment(db: Q, id: string) {
  return db
    .selectFrom('attachments as a')
    .leftJoin('cases as c', 'c.id', 'a.case_id')
    .leftJoin('services as s', 's.id', 'c.service_id')
    .leftJoin('form_drafts as d', 'd.id', 'a.draft_id')
    .select([
      'a.id',
      'a.authority_id',
      'a.filename',
      'a.content_type',
      'a.size_bytes',
      'a.storage_key',
      'a.case_id',
      'a.draft_id',
      'c.customer_id as case_customer_id',
      'c.team_id as case_team_id',
      's.sensitivity as case_sensitivity',
      'd.binding_hash as draft_binding_hash',
      'd.staff_user_id as draft_staff_user_id',
    ])
    .where('a.id', '=', id)
    .executeTakeFirst();
}

// --- one-time codes ---

export async function insertOneTimeCode(db: Q, row: NewRow<'one_time_codes'>): Promise<string> {
  const { id } = await db.insertInto('one_time_codes').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function countCodesSince(db: Q, purpose: string, subject: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('one_time_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('purpose', '=', purpose)
    .where('subject', '=', subject)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export function lockOneTimeCode(trx: Tx, id: string) {
  return trx.selectFrom('one_time_codes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function recordCodeAttempt(db: Q, id: string, usedAt: Date | null): Promise<void> {
  await db
    .updateTable('one_time_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), ...(usedAt ? { used_at: usedAt } : {}) }))
    .where('id', '=', id)
    .execute();
}
