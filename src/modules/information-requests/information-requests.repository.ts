/**
 * SQL for information_requests, information_request_reviews and sar_bundles (owned here), with the joins its
 * pages need (cases for the reference, customers for the name, staff for the handler). The case itself is
 * read and moved through the cases module.
 */
import { sql } from 'kysely';
import * as records from '../../platform/db/case-records.ts';
import type { Db, NewRow, ReportPeriod, RowUpdate, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

/** FOI and SAR cases made through the forms engine that have no request record yet (oldest first). */
export function unadoptedRequestCases(db: Q, limit: number) {
  return records.casesWithoutRecord(db, {
    table: 'information_requests',
    kinds: ['foi', 'sar'],
    openOnly: true,
    limit,
  });
}

export const insertRequest = (trx: Tx, row: NewRow<'information_requests'>) =>
  records.insertOncePerCase(trx, 'information_requests', row);

export const findIdByCase = (db: Q, caseId: string) =>
  records.recordIdOfCase(db, 'information_requests', caseId);

export const lockRequest = (trx: Tx, id: string) => records.lockWithCase(trx, 'information_requests', id);

export type LockedRequest = NonNullable<Awaited<ReturnType<typeof lockRequest>>>;

export async function updateRequest(
  db: Q,
  id: string,
  values: RowUpdate<'information_requests'>,
): Promise<void> {
  await db.updateTable('information_requests').set(values).where('id', '=', id).execute();
}

export function findRequestRow(db: Q, id: string) {
  return db
    .selectFrom('information_requests as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .leftJoin('customers as cu', 'cu.id', 'r.customer_id')
    .leftJoin('staff_users as h', 'h.id', 'r.handler_id')
    .selectAll('r')
    .select([...records.personOfCaseColumns, 'h.display_name as handler_name'])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export type RequestRow = NonNullable<Awaited<ReturnType<typeof findRequestRow>>>;

export function findReview(db: Q, requestId: string) {
  return db
    .selectFrom('information_request_reviews as v')
    .leftJoin('staff_users as u', 'u.id', 'v.reviewer_id')
    .selectAll('v')
    .select('u.display_name as reviewer_name')
    .where('v.request_id', '=', requestId)
    .executeTakeFirst();
}

export async function insertReview(db: Q, row: NewRow<'information_request_reviews'>): Promise<boolean> {
  const inserted = await db
    .insertInto('information_request_reviews')
    .values(row)
    .onConflict((oc) => oc.column('request_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateReview(
  db: Q,
  requestId: string,
  values: RowUpdate<'information_request_reviews'>,
): Promise<void> {
  await db
    .updateTable('information_request_reviews')
    .set(values)
    .where('request_id', '=', requestId)
    .execute();
}

export function queue(db: Q, filter: { authorityIds: string[]; open: boolean; regime?: string | null }) {
  if (filter.authorityIds.length === 0) return Promise.resolve([]);
  let query = db
    .selectFrom('information_requests as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .leftJoin('customers as cu', 'cu.id', 'r.customer_id')
    .leftJoin('staff_users as h', 'h.id', 'r.handler_id')
    .leftJoin('information_request_reviews as v', 'v.request_id', 'r.id')
    .select([
      'r.id',
      'r.regime',
      'r.status',
      'r.received_on',
      'r.due_on',
      ...records.personOfCaseColumns,
      'h.display_name as handler_name',
      'v.due_on as review_due_on',
      'v.completed_on as review_completed_on',
    ])
    .where('r.authority_id', 'in', filter.authorityIds);
  query = filter.open
    ? query.where((eb) =>
        eb.or([
          eb('r.status', 'in', ['open', 'awaiting_clarification', 'awaiting_identity']),
          eb.and([eb('v.id', 'is not', null), eb('v.completed_on', 'is', null)]),
        ]),
      )
    : query.where('r.status', 'in', ['responded', 'withdrawn']);
  if (filter.regime) query = query.where('r.regime', '=', filter.regime as 'foi' | 'eir' | 'sar');
  return query
    .orderBy(sql`coalesce(v.due_on, r.due_on) asc nulls last`)
    .orderBy('r.received_on')
    .limit(500)
    .execute();
}

export type QueueRow = Awaited<ReturnType<typeof queue>>[number];

// ---- disclosure log

/** What the public disclosure log shows of a response. */
const disclosureColumns = [
  'r.id',
  'r.regime',
  'r.disclosure_title',
  'r.disclosure_summary',
  'r.published_at',
  'r.responded_on',
  'r.outcome',
  'c.reference',
] as const;

/** The text the disclosure log's search looks in (`prefix`: the table's alias and a dot, or nothing). */
const disclosureDocument = (prefix: '' | 'r.') =>
  sql`to_tsvector('english', coalesce(${sql.raw(prefix)}disclosure_title, '') || ' ' || coalesce(${sql.raw(prefix)}disclosure_summary, ''))`;

export function searchDisclosureLog(db: Q, filter: { q: string | null; limit: number; offset: number }) {
  const document = disclosureDocument('r.');
  let query = db
    .selectFrom('information_requests as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .select(disclosureColumns)
    .where('r.published_at', 'is not', null);
  if (filter.q)
    query = query.where(sql<boolean>`${document} @@ websearch_to_tsquery('english', ${filter.q})`);
  return query.orderBy('r.published_at', 'desc').limit(filter.limit).offset(filter.offset).execute();
}

export async function countDisclosureLog(db: Q, q: string | null): Promise<number> {
  const document = disclosureDocument('');
  let query = db
    .selectFrom('information_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('published_at', 'is not', null);
  if (q) query = query.where(sql<boolean>`${document} @@ websearch_to_tsquery('english', ${q})`);
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}

export function disclosureEntry(db: Q, id: string) {
  return db
    .selectFrom('information_requests as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .select(disclosureColumns)
    .where('r.id', '=', id)
    .where('r.published_at', 'is not', null)
    .executeTakeFirst();
}

// ---- SAR bundles

export async function insertBundle(db: Q, row: NewRow<'sar_bundles'>): Promise<string> {
  const { id } = await db.insertInto('sar_bundles').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export function findBundle(db: Q, id: string) {
  return db.selectFrom('sar_bundles').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockBundle(trx: Tx, id: string) {
  return trx.selectFrom('sar_bundles').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findBundleByTokenHash(db: Q, tokenHash: string) {
  return db
    .selectFrom('sar_bundles')
    .selectAll()
    .where('download_token_hash', '=', tokenHash)
    .where('status', '=', 'released')
    .executeTakeFirst();
}

export async function updateBundle(db: Q, id: string, values: RowUpdate<'sar_bundles'>): Promise<void> {
  await db.updateTable('sar_bundles').set(values).where('id', '=', id).execute();
}

export function bundlesOfRequest(db: Q, requestId: string) {
  return db
    .selectFrom('sar_bundles as b')
    .leftJoin('staff_users as g', 'g.id', 'b.generated_by')
    .leftJoin('staff_users as r', 'r.id', 'b.released_by')
    .select([
      'b.id',
      'b.status',
      'b.generated_at',
      'b.released_at',
      'b.review_note',
      'g.display_name as generated_by_name',
      'r.display_name as released_by_name',
    ])
    .where('b.request_id', '=', requestId)
    .orderBy('b.generated_at', 'desc')
    .execute();
}

// ---- reports

export function respondedRequests(db: Q, period: ReportPeriod) {
  const query = db
    .selectFrom('information_requests as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(['r.regime', 'r.responded_on', 'r.due_on', 'r.authority_id', 's.name as service_name'])
    .where('r.outcome', '!=', 'withdrawn');
  return records
    .inReportPeriod(query, { date: 'r.responded_on', authority: 'r.authority_id' }, period)
    .execute();
}

/**
 * Requests still open on a date (received by then, not answered by then, not withdrawn), for the "not yet
 * answered" columns of the timeliness report. `due_on` is null while the clock is stopped.
 */
export function openRequestsOn(db: Q, filter: { asOf: string; authorityIds?: string[] }) {
  const query = db
    .selectFrom('information_requests as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(['r.regime', 'r.due_on', 'r.authority_id', 's.name as service_name'])
    .where('r.received_on', '<=', filter.asOf)
    .where('r.status', '!=', 'withdrawn')
    .where((eb) => eb.or([eb('r.responded_on', 'is', null), eb('r.responded_on', '>', filter.asOf)]));
  return records.ofAuthorities(query, 'r.authority_id', filter.authorityIds).execute();
}

export function completedReviews(db: Q, period: ReportPeriod) {
  const query = db
    .selectFrom('information_request_reviews as v')
    .innerJoin('information_requests as r', 'r.id', 'v.request_id')
    .select(['r.regime', 'v.completed_on', 'v.due_on', 'r.authority_id']);
  return records
    .inReportPeriod(query, { date: 'v.completed_on', authority: 'r.authority_id' }, period)
    .execute();
}
