/** All SQL of the texts module: `inbound_texts`, and the reads of cases, customers and messages it needs. */
import type { Db, NewRow, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

export const inboundTextByNotifyId = (db: Q, notifyId: string) =>
  db
    .selectFrom('inbound_texts')
    .select(['id', 'outcome', 'case_id'])
    .where('notify_id', '=', notifyId)
    .executeTakeFirst();

/** Which of these Notify ids we already have. */
export async function knownNotifyIds(db: Q, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('inbound_texts')
    .select('notify_id')
    .where('notify_id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.notify_id));
}

/** Inserts a text once per Notify id; null when another run already stored it. */
export async function insertInboundText(db: Q, row: NewRow<'inbound_texts'>): Promise<string | null> {
  const inserted = await db
    .insertInto('inbound_texts')
    .values(row)
    .onConflict((oc) => oc.column('notify_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
}

/** The open or closed case with this reference, with its customer, team and service's sensitivity. */
export const caseByReference = (db: Q, reference: string) =>
  db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select([
      'c.id',
      'c.reference',
      'c.authority_id',
      'c.customer_id',
      'c.closed_at',
      'c.guest_phone',
      'c.team_id',
      's.sensitivity',
    ])
    .where('c.reference', '=', reference)
    .executeTakeFirst();

/** How many texts wait in triage for these councils. */
export async function triageCount(db: Q, authorityIds: readonly string[]): Promise<number> {
  if (authorityIds.length === 0) return 0;
  const row = await db
    .selectFrom('inbound_texts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('authority_id', 'in', authorityIds)
    .where('outcome', '=', 'triage')
    .where('handled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Did we text this number about this case, or is it one of the case's customer's numbers? */
export async function numberBelongsToCase(
  db: Q,
  input: { caseId: string; customerId: string | null; guestPhone: string | null; phone: string },
): Promise<boolean> {
  if (input.guestPhone === input.phone) return true;
  const texted = await db
    .selectFrom('messages')
    .select('id')
    .where('case_id', '=', input.caseId)
    .where('channel', '=', 'sms')
    .where('recipient', '=', input.phone)
    .limit(1)
    .executeTakeFirst();
  if (texted) return true;
  if (!input.customerId) return false;
  const contact = await db
    .selectFrom('contact_points')
    .select('id')
    .where('customer_id', '=', input.customerId)
    .where('kind', '=', 'phone')
    .where('normalised', '=', input.phone)
    .limit(1)
    .executeTakeFirst();
  return contact !== undefined;
}

/** The open case we most recently texted this number about, if any. */
export const latestOpenCaseTexted = (db: Q, phone: string) =>
  db
    .selectFrom('messages as m')
    .innerJoin('cases as c', 'c.id', 'm.case_id')
    .select(['c.id', 'c.authority_id', 'c.customer_id'])
    .where('m.channel', '=', 'sms')
    .where('m.recipient', '=', phone)
    .where('c.closed_at', 'is', null)
    .orderBy('m.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();

/** The one customer (not merged away) with this phone number, or undefined when none or several. */
export async function onlyCustomerWithPhone(db: Q, phone: string) {
  const rows = await db
    .selectFrom('contact_points as p')
    .innerJoin('customers as c', 'c.id', 'p.customer_id')
    .select(['c.id', 'c.authority_id'])
    .where('p.kind', '=', 'phone')
    .where('p.normalised', '=', phone)
    .where('c.merged_into', 'is', null)
    .groupBy(['c.id', 'c.authority_id'])
    .limit(2)
    .execute();
  return rows.length === 1 ? rows[0] : undefined;
}

export async function insertInteraction(db: Q, row: NewRow<'interactions'>): Promise<void> {
  await db.insertInto('interactions').values(row).execute();
}

/** Texts waiting in triage for these councils, oldest first. */
export const triageTexts = (db: Q, authorityIds: readonly string[], limit: number) =>
  authorityIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('inbound_texts as t')
        .leftJoin('customers as c', 'c.id', 't.customer_id')
        .leftJoin('cases as s', 's.id', 't.suggested_case_id')
        .select([
          't.id',
          't.from_number',
          't.body',
          't.received_at',
          't.reason',
          't.customer_id',
          'c.given_name',
          'c.family_name',
          's.reference as suggested_reference',
        ])
        .where('t.authority_id', 'in', authorityIds)
        .where('t.outcome', '=', 'triage')
        .where('t.handled_at', 'is', null)
        .orderBy('t.received_at')
        .limit(limit)
        .execute();

/** Locks a triage text of these councils for handling. */
export const lockTriageText = (trx: Tx, id: string, authorityIds: readonly string[]) =>
  trx
    .selectFrom('inbound_texts')
    .selectAll()
    .where('id', '=', id)
    .where('authority_id', 'in', authorityIds)
    .forUpdate()
    .executeTakeFirst();

export async function markHandled(
  trx: Tx,
  id: string,
  input: { at: Date; staffId: string; caseId: string | null },
): Promise<void> {
  await trx
    .updateTable('inbound_texts')
    .set({
      handled_at: input.at,
      handled_by: input.staffId,
      ...(input.caseId ? { case_id: input.caseId, outcome: 'threaded' as const } : {}),
    })
    .where('id', '=', id)
    .execute();
}
