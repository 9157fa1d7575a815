/**
 * Queries shared by the modules that keep one record of their own per case (complaints, information requests,
 * compliments): adopting a case once, finding the record of a case, the cases no record was made for yet, and
 * the filters every timeliness report applies (a period of dates, a set of councils).
 *
 * The record tables differ only by name here, so the queries take the table name; Kysely cannot type a query
 * over a union of tables, so the builder is widened inside and the results are typed by hand.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { NewRow, Row } from './schema.ts';
import type { Db, Tx } from './transaction.ts';

/** Tables holding at most one record per case, keyed by a unique `case_id`. */
export type CaseRecordTable = 'complaints' | 'information_requests' | 'compliments';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one query over several record tables
type Untyped = Kysely<any>;
const untyped = (db: Db | Tx): Untyped => db;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any select over the caller's own joins
type AnySelect = SelectQueryBuilder<any, any, any>;

/** The case's columns the use-cases on a locked record need (its status, the letters' addressees). */
const lockedCaseColumns = [
  'c.reference',
  'c.status as case_status',
  'c.service_id as case_service_id',
  'c.guest_email',
  'c.guest_phone',
] as const;

/** What `lockWithCase` adds to the record's own columns. */
export interface LockedCaseColumns {
  reference: string;
  case_status: string;
  case_service_id: string;
  guest_email: string | null;
  guest_phone: string | null;
}

/**
 * Who a record is about, for lists and pages that join `cases as c` and `customers as cu`: the case
 * reference, the guest's name and the customer's name parts (see `personName`).
 */
export const personOfCaseColumns = [
  'c.reference',
  'c.guest_name',
  'cu.given_name',
  'cu.family_name',
  'cu.organisation_name',
] as const;

/**
 * The record with its case's columns, locked for the rest of the transaction (actions on one record
 * serialise).
 */
export async function lockWithCase<T extends 'complaints' | 'information_requests'>(
  trx: Tx,
  table: T,
  id: string,
): Promise<(Row<T> & LockedCaseColumns) | undefined> {
  const from: string = `${table} as x`;
  return (await untyped(trx)
    .selectFrom(from)
    .innerJoin('cases as c', 'c.id', 'x.case_id')
    .selectAll('x')
    .select(lockedCaseColumns)
    .where('x.id', '=', id)
    .forUpdate('x')
    .executeTakeFirst()) as (Row<T> & LockedCaseColumns) | undefined;
}

/**
 * Insert the record for a case unless the case already has one (the unique `case_id` decides, so two
 * adopters racing insert once). Returns the new id, or null when the case had a record.
 */
export async function insertOncePerCase<T extends 'complaints' | 'information_requests'>(
  trx: Tx,
  table: T,
  row: NewRow<T>,
): Promise<{ id: string } | null> {
  const inserted = (await untyped(trx)
    .insertInto(table)
    .values(row)
    .onConflict((oc) => oc.column('case_id').doNothing())
    .returning('id')
    .executeTakeFirst()) as { id: string } | undefined;
  return inserted ?? null;
}

/** The id of the case's record, if it has one. */
export async function recordIdOfCase(
  db: Db | Tx,
  table: CaseRecordTable,
  caseId: string,
): Promise<{ id: string } | undefined> {
  return await untyped(db).selectFrom(table).select(['id']).where('case_id', '=', caseId).executeTakeFirst();
}

/**
 * Cases of the given service kinds that no record was made for yet, oldest first (the safety net behind the
 * `case.created` event). `openOnly` leaves out closed cases.
 */
export async function casesWithoutRecord(
  db: Db | Tx,
  filter: { table: CaseRecordTable; kinds: string[]; openOnly: boolean; limit: number },
): Promise<{ id: string }[]> {
  let query = untyped(db)
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(['c.id'])
    .where('s.kind', 'in', filter.kinds)
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom(`${filter.table} as r`).select('r.id').whereRef('r.case_id', '=', 'c.id')),
      ),
    );
  if (filter.openOnly) query = query.where('c.closed_at', 'is', null);
  return await query.orderBy('c.received_at').limit(filter.limit).execute();
}

/** A report's scope: dates from and to (inclusive), and the councils it covers (all when absent). */
export interface ReportPeriod {
  from: string;
  to: string;
  authorityIds?: string[];
}

/**
 * Narrow a report query to the rows whose `columns.date` falls in the period and, when the period names
 * councils, to rows of those councils (`columns.authority`).
 */
export function inReportPeriod<Q extends AnySelect>(
  query: Q,
  columns: { date: string; authority: string },
  period: ReportPeriod,
): Q {
  const narrowed: AnySelect = query
    .where(columns.date, 'is not', null)
    .where(columns.date, '>=', period.from)
    .where(columns.date, '<=', period.to);
  return ofAuthorities(narrowed, columns.authority, period.authorityIds) as Q;
}

/** Narrow a query to the councils named, when any are (a report's or a queue's scope). */
export function ofAuthorities<Q extends AnySelect>(
  query: Q,
  column: string,
  authorityIds: string[] | undefined,
): Q {
  return authorityIds ? (query.where(column, 'in', authorityIds) as Q) : query;
}
