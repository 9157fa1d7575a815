/**
 * All SQL of the callbacks module: `callbacks` and `callback_attempts` (owned), plus the reads it needs of
 * customers, contact points, calls, cases, teams and their members, and `calls.callback_id` (the link
 * from an outbound call to the callback it was made for).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';
import type { CallbackAttemptOutcome, CallbackStatus, NewRow } from '../../platform/db/schema.ts';

type Conn = Db | Tx;

/** A new callback: the table's columns, with the idempotency key always given (null when there is none). */
export type NewCallbackRow = NewRow<'callbacks'> & { idempotency_key: string | null };

/** Inserts a callback; when its idempotency key was used before, returns the earlier one (created false). */
export async function insertCallback(
  db: Conn,
  row: NewCallbackRow,
): Promise<{ id: string; due_at: Date; created: boolean }> {
  const inserted = await db
    .insertInto('callbacks')
    .values(row)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning(['id', 'due_at'])
    .executeTakeFirst();
  if (inserted) return { ...inserted, created: true };
  const earlier = await db
    .selectFrom('callbacks')
    .select(['id', 'due_at'])
    .where('idempotency_key', '=', row.idempotency_key)
    .executeTakeFirstOrThrow();
  return { ...earlier, created: false };
}

const callbackColumns = [
  'cb.id',
  'cb.authority_id',
  'cb.customer_id',
  'cb.case_id',
  'cb.team_id',
  'cb.owner_id',
  'cb.phone',
  'cb.name',
  'cb.topic',
  'cb.best_time',
  'cb.source',
  'cb.origin_call_id',
  'cb.due_at',
  'cb.status',
  'cb.max_attempts',
  'cb.attempt_spacing_minutes',
  'cb.attempts',
  'cb.next_attempt_at',
  'cb.reminded_at',
  'cb.escalated_at',
  'cb.completed_at',
  'cb.kept_on_time',
  'cb.outcome',
  'cb.notes',
  'cb.created_at',
] as const;

function callbackQuery(db: Conn) {
  return db
    .selectFrom('callbacks as cb')
    .leftJoin('customers as c', 'c.id', 'cb.customer_id')
    .leftJoin('teams as t', 't.id', 'cb.team_id')
    .leftJoin('staff_users as o', 'o.id', 'cb.owner_id')
    .leftJoin('cases as k', 'k.id', 'cb.case_id')
    .select(callbackColumns)
    .select([
      'c.given_name',
      'c.family_name',
      't.name as team_name',
      'o.display_name as owner_name',
      'k.reference as case_reference',
    ]);
}

export type CallbackRow = NonNullable<Awaited<ReturnType<typeof findCallback>>>;

export async function findCallback(db: Conn, id: string) {
  return callbackQuery(db).where('cb.id', '=', id).executeTakeFirst();
}

/** Locks an open callback for an attempt (null when it is not open any more). */
export async function lockCallback(trx: Tx, id: string) {
  return trx
    .selectFrom('callbacks')
    .select(['id', 'status', 'due_at', 'attempts', 'max_attempts', 'attempt_spacing_minutes', 'authority_id'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** The open callback for a number in a council, oldest due first, locked. */
export async function lockOpenCallbackForPhone(trx: Tx, authorityId: string, phone: string) {
  return trx
    .selectFrom('callbacks')
    .select(['id', 'status', 'due_at', 'attempts', 'max_attempts', 'attempt_spacing_minutes', 'authority_id'])
    .where('authority_id', '=', authorityId)
    .where('phone', '=', phone)
    .where('status', '=', 'open')
    .orderBy('due_at')
    .orderBy('created_at')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export async function attemptForCall(db: Conn, callRowId: string) {
  return db
    .selectFrom('callback_attempts')
    .select(['callback_id'])
    .where('call_row_id', '=', callRowId)
    .executeTakeFirst();
}

export async function insertAttempt(
  trx: Tx,
  row: {
    callback_id: string;
    call_row_id: string | null;
    staff_id: string | null;
    at: Date;
    outcome: CallbackAttemptOutcome;
    note: string | null;
  },
): Promise<void> {
  await trx.insertInto('callback_attempts').values(row).execute();
}

export async function updateAfterAttempt(
  trx: Tx,
  id: string,
  change: {
    attempts: number;
    status: CallbackStatus;
    next_attempt_at: Date | null;
    completed_at: Date | null;
    kept_on_time: boolean | null;
    outcome: string | null;
  },
): Promise<void> {
  await trx.updateTable('callbacks').set(change).where('id', '=', id).execute();
}

/** Links the call to the callback it was made for (once: a call already linked keeps its link). */
export async function linkCall(trx: Tx, callRowId: string, callbackId: string): Promise<void> {
  await trx
    .updateTable('calls')
    .set({ callback_id: callbackId })
    .where('id', '=', callRowId)
    .where('callback_id', 'is', null)
    .execute();
}

export async function cancelCallback(
  trx: Tx,
  id: string,
  change: { completed_at: Date; outcome: string },
): Promise<boolean> {
  const done = await trx
    .updateTable('callbacks')
    .set({ status: 'cancelled', completed_at: change.completed_at, outcome: change.outcome })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}

export async function listAttempts(db: Conn, callbackId: string) {
  return db
    .selectFrom('callback_attempts as a')
    .leftJoin('staff_users as s', 's.id', 'a.staff_id')
    .leftJoin('calls as k', 'k.id', 'a.call_row_id')
    .select([
      'a.id',
      'a.at',
      'a.outcome',
      'a.note',
      'a.call_row_id',
      's.display_name as staff_name',
      'k.direction',
      'k.answered_at',
      'k.ended_at',
      'k.call_id',
    ])
    .where('a.callback_id', '=', callbackId)
    .orderBy('a.at')
    .execute();
}

/**
 * Open callbacks for a list: `mine` (owned by me), `teams` (owned by one of my teams), `overdue` (due
 * before `now`, mine or my teams', or any in my councils for managers), each in due order.
 */
export async function listOpenCallbacks(
  db: Conn,
  filter: {
    authorityIds: string[];
    staffId: string;
    teamIds: string[];
    view: 'mine' | 'teams' | 'overdue';
    allInAuthorities: boolean;
    now: Date;
    dueBefore?: Date;
    limit: number;
  },
) {
  let q = callbackQuery(db)
    .where('cb.status', '=', 'open')
    .where('cb.authority_id', 'in', filter.authorityIds.length ? filter.authorityIds : ['']);
  const teamIds = filter.teamIds.length ? filter.teamIds : ['00000000-0000-0000-0000-000000000000'];
  if (filter.view === 'mine') q = q.where('cb.owner_id', '=', filter.staffId);
  else if (filter.view === 'teams') q = q.where('cb.team_id', 'in', teamIds);
  else {
    q = q.where('cb.due_at', '<', filter.now);
    if (!filter.allInAuthorities)
      q = q.where((eb) => eb.or([eb('cb.owner_id', '=', filter.staffId), eb('cb.team_id', 'in', teamIds)]));
  }
  if (filter.dueBefore) q = q.where('cb.due_at', '<', filter.dueBefore);
  return q.orderBy('cb.due_at').limit(filter.limit).execute();
}

/** Mine or my teams' open callbacks due before `before` (overdue ones included), for the home panel. */
export async function callbacksDueFor(
  db: Conn,
  staffId: string,
  teamIds: string[],
  before: Date,
  limit: number,
) {
  const teams = teamIds.length ? teamIds : ['00000000-0000-0000-0000-000000000000'];
  return callbackQuery(db)
    .where('cb.status', '=', 'open')
    .where('cb.due_at', '<', before)
    .where((eb) =>
      eb.or([
        eb('cb.owner_id', '=', staffId),
        eb.and([eb('cb.owner_id', 'is', null), eb('cb.team_id', 'in', teams)]),
      ]),
    )
    .orderBy('cb.due_at')
    .limit(limit)
    .execute();
}

/**
 * Marks open callbacks not yet marked in `column` whose due time passes `due` (at or before it for
 * reminders, before it for escalations) as marked now, and returns them. Rows another worker holds are
 * skipped (it handles them).
 */
async function claim(
  trx: Tx,
  column: 'reminded_at' | 'escalated_at',
  due: { op: '<=' | '<'; at: Date },
  now: Date,
  limit: number,
) {
  const ids = await trx
    .selectFrom('callbacks')
    .select('id')
    .where('status', '=', 'open')
    .where(column, 'is', null)
    .where('due_at', due.op, due.at)
    .orderBy('due_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  if (ids.length === 0) return [];
  return trx
    .updateTable('callbacks')
    .set({ [column]: now })
    .where(
      'id',
      'in',
      ids.map((r) => r.id),
    )
    .returning(['id', 'owner_id', 'team_id', 'due_at', 'topic', 'name', 'customer_id'])
    .execute();
}

/** Open callbacks due at or before `dueBefore` never reminded: marked reminded now. */
export const claimReminders = (trx: Tx, dueBefore: Date, now: Date, limit: number) =>
  claim(trx, 'reminded_at', { op: '<=', at: dueBefore }, now, limit);

/** Overdue open callbacks never escalated: marked escalated now. */
export const claimEscalations = (trx: Tx, now: Date, limit: number) =>
  claim(trx, 'escalated_at', { op: '<', at: now }, now, limit);

export async function customerNames(db: Conn, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('customers')
    .select(['id', 'given_name', 'family_name'])
    .where('id', 'in', ids)
    .execute();
}

/** Active members of a team (leaders only when asked). */
export async function teamMemberIds(db: Conn, teamId: string, leadersOnly: boolean): Promise<string[]> {
  let q = db
    .selectFrom('staff_team_members as m')
    .innerJoin('staff_users as s', 's.id', 'm.staff_user_id')
    .select('m.staff_user_id')
    .where('m.team_id', '=', teamId)
    .where('s.active', '=', true);
  if (leadersOnly) q = q.where('m.is_leader', '=', true);
  return (await q.execute()).map((r) => r.staff_user_id);
}

/** Leaders of the teams a member of staff belongs to. */
export async function leadersOfStaffTeams(db: Conn, staffId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('staff_team_members as mine')
    .innerJoin('staff_team_members as l', 'l.team_id', 'mine.team_id')
    .innerJoin('staff_users as s', 's.id', 'l.staff_user_id')
    .select('l.staff_user_id')
    .distinct()
    .where('mine.staff_user_id', '=', staffId)
    .where('l.is_leader', '=', true)
    .where('s.active', '=', true)
    .execute();
  return rows.map((r) => r.staff_user_id);
}

export async function findCustomer(db: Conn, id: string) {
  return db
    .selectFrom('customers')
    .select(['id', 'authority_id', 'given_name', 'family_name', 'merged_into'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The customer's phone numbers, primary first. */
export async function customerPhones(db: Conn, customerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_points')
    .select('normalised')
    .where('customer_id', '=', customerId)
    .where('kind', '=', 'phone')
    .orderBy('is_primary', 'desc')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.normalised);
}

/** The customer's recent cases, for "About a case". */
export async function customerCases(db: Conn, customerId: string) {
  return db
    .selectFrom('cases')
    .select(['id', 'reference', 'authority_id'])
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
}

export async function findCall(db: Conn, id: string) {
  return db
    .selectFrom('calls')
    .select(['id', 'authority_id', 'caller_number', 'customer_id', 'interaction_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Customers of a council with this phone number (E.164), merged records left out; at most 2. */
export async function customersWithPhone(db: Conn, authorityId: string, phone: string): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_points as p')
    .innerJoin('customers as c', 'c.id', 'p.customer_id')
    .select('c.id')
    .distinct()
    .where('p.authority_id', '=', authorityId)
    .where('p.kind', '=', 'phone')
    .where('p.normalised', '=', phone)
    .where('c.merged_into', 'is', null)
    .limit(2)
    .execute();
  return rows.map((r) => r.id);
}

export async function listAuthorities(db: Conn) {
  return db.selectFrom('authorities').select(['id', 'name']).orderBy('name').execute();
}

/**
 * The team that takes a council's callbacks from the web: its team coded `contact-centre`, else the team of
 * its first phone queue; null when it has neither.
 */
export async function callbackTeamOf(db: Conn, authorityId: string): Promise<string | null> {
  const byCode = await db
    .selectFrom('teams')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('code', '=', 'contact-centre')
    .executeTakeFirst();
  if (byCode) return byCode.id;
  const queue = await db
    .selectFrom('phone_queues')
    .select('team_id')
    .where('authority_id', '=', authorityId)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return queue?.team_id ?? null;
}

export async function findTeam(db: Conn, id: string) {
  return db
    .selectFrom('teams')
    .select(['id', 'authority_id', 'name'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Callbacks due in [from, to) in these councils, cancelled ones left out, by outcome. */
export async function keptCounts(db: Conn, authorityIds: string[], from: Date, to: Date) {
  if (authorityIds.length === 0) return { due: 0, kept: 0, keptOnTime: 0, notReached: 0, open: 0 };
  const row = await db
    .selectFrom('callbacks')
    .select([
      sql<string>`count(*)`.as('due'),
      sql<string>`count(*) filter (where status = 'kept')`.as('kept'),
      sql<string>`count(*) filter (where status = 'kept' and kept_on_time)`.as('kept_on_time'),
      sql<string>`count(*) filter (where status = 'not_reached')`.as('not_reached'),
      sql<string>`count(*) filter (where status = 'open')`.as('open'),
    ])
    .where('authority_id', 'in', authorityIds)
    .where('due_at', '>=', from)
    .where('due_at', '<', to)
    .where('status', '<>', 'cancelled')
    .executeTakeFirstOrThrow();
  return {
    due: Number(row.due),
    kept: Number(row.kept),
    keptOnTime: Number(row.kept_on_time),
    notReached: Number(row.not_reached),
    open: Number(row.open),
  };
}

/**
 * New requests (since `since`) whose acknowledgement could not be sent to anyone (no email address, mobile
 * or postal address: the message is stored failed with no recipient) and that have no "call the resident"
 * callback yet, with a number to call (the guest's, or the customer's, primary first).
 */
export function unreachableNewCases(db: Conn, since: Date, limit: number) {
  return db
    .selectFrom('messages as m')
    .innerJoin('cases as c', 'c.id', 'm.case_id')
    .leftJoin('customers as p', 'p.id', 'c.customer_id')
    .select([
      'c.id',
      'c.reference',
      'c.authority_id',
      'c.team_id',
      'c.customer_id',
      'c.service_id',
      'c.guest_name',
      'c.guest_phone',
      'p.given_name',
      'p.family_name',
      (eb) =>
        eb
          .selectFrom('contact_points as k')
          .select('k.normalised')
          .whereRef('k.customer_id', '=', 'c.customer_id')
          .where('k.kind', '=', 'phone')
          .orderBy('k.is_primary', 'desc')
          .orderBy('k.created_at')
          .limit(1)
          .as('customer_phone'),
    ])
    .where('m.template', '=', 'case.acknowledgement')
    .where('m.status', '=', 'failed')
    .where('m.recipient', '=', '')
    .where('m.created_at', '>', since)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('callbacks as b')
            .select('b.id')
            .where('b.idempotency_key', '=', sql<string>`'unreachable:' || c.id::text`),
        ),
      ),
    )
    .orderBy('m.created_at')
    .limit(limit)
    .execute();
}
