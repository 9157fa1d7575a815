import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

/**
 * SQL: the team handles complaints — it owns a complaint service, or it is a council's `complaints` team (the
 * service catalogue's code for it: the city's complaints team owns no service, as both councils' complaints
 * come through one form).
 */
const handlesComplaints = (teamId: RawBuilder<unknown>) => sql<boolean>`(
  exists (select 1 from services hs where hs.team_id = ${teamId} and hs.kind = 'complaint')
  or exists (select 1 from teams ht where ht.id = ${teamId} and ht.code = 'complaints')
)`;

export function findStaffByEmail(db: Db | Tx, email: string) {
  return db
    .selectFrom('staff_users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
}

export function findStaffById(db: Db | Tx, id: string) {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function teamsOfStaff(db: Db | Tx, staffUserId: string) {
  return db
    .selectFrom('staff_team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .innerJoin('authorities as a', 'a.id', 't.authority_id')
    .select(['t.id', 't.name', 't.code', 'm.is_leader', 'a.name as authority_name', 'a.id as authority_id'])
    .select(handlesComplaints(sql.ref('t.id')).as('handles_complaints'))
    .where('m.staff_user_id', '=', staffUserId)
    .orderBy('t.name')
    .execute();
}

/** The lock-out state of one account, locked for the rest of the transaction (concurrent attempts queue). */
export function lockStateForUpdate(trx: Tx, id: string) {
  return trx
    .selectFrom('staff_users')
    .select(['failed_sign_ins', 'locked_until', 'lockout_count'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** Writes the outcome of a wrong password: the new failure count and, when it locks, until when. */
export async function recordFailedSignIn(
  trx: Tx,
  id: string,
  state: { failedSignIns: number; lock: { at: Date; until: Date; count: number } | null },
): Promise<void> {
  await trx
    .updateTable('staff_users')
    .set({
      failed_sign_ins: state.failedSignIns,
      ...(state.lock
        ? { locked_at: state.lock.at, locked_until: state.lock.until, lockout_count: state.lock.count }
        : { locked_at: null, locked_until: null }),
    })
    .where('id', '=', id)
    .execute();
}

export async function recordSuccessfulSignIn(trx: Tx, id: string, now: Date): Promise<void> {
  await trx
    .updateTable('staff_users')
    .set({ failed_sign_ins: 0, lockout_count: 0, locked_at: null, locked_until: null, last_sign_in_at: now })
    .where('id', '=', id)
    .execute();
}

/** Ends a lock-out now (an administrator unlocked the account); the next lock-out starts from the base period. */
export async function unlockStaff(db: Db | Tx, id: string): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ failed_sign_ins: 0, lockout_count: 0, locked_at: null, locked_until: null })
    .where('id', '=', id)
    .execute();
}

/** Staff of one council for the administrators' list, locked accounts first. */
export function listStaffOfAuthority(db: Db | Tx, authorityId: string) {
  return db
    .selectFrom('staff_users')
    .select([
      'id',
      'email',
      'display_name',
      'roles',
      'active',
      'locked_until',
      'lockout_count',
      'last_sign_in_at',
    ])
    .where('authority_id', '=', authorityId)
    .orderBy('display_name')
    .orderBy('id')
    .execute();
}

export function findStaffOfAuthorityForUpdate(trx: Tx, authorityId: string, id: string) {
  return trx
    .selectFrom('staff_users')
    .selectAll()
    .where('id', '=', id)
    .where('authority_id', '=', authorityId)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertStaffUser(
  trx: Tx,
  values: { authorityId: string; email: string; displayName: string; roles: string[] },
): Promise<string> {
  const row = await trx
    .insertInto('staff_users')
    .values({
      authority_id: values.authorityId,
      email: values.email,
      display_name: values.displayName,
      password_hash: null,
      roles: values.roles,
      languages: [],
      specialisms: [],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function addRolesToStaff(trx: Tx, id: string, roles: string[]): Promise<void> {
  await trx.updateTable('staff_users').set({ roles, active: true }).where('id', '=', id).execute();
}

export async function insertPasswordLink(
  trx: Tx,
  values: { authorityId: string; staffUserId: string; tokenSha256: string; now: Date; expiresAt: Date },
): Promise<void> {
  await trx
    .insertInto('staff_password_links')
    .values({
      authority_id: values.authorityId,
      staff_user_id: values.staffUserId,
      token_sha256: values.tokenSha256,
      created_at: values.now,
      expires_at: values.expiresAt,
    })
    .execute();
}

/** A live (unused, unexpired) password link by its token hash, with the account it is for. */
export function findLivePasswordLink(db: Db | Tx, tokenSha256: string, now: Date) {
  return db
    .selectFrom('staff_password_links as l')
    .innerJoin('staff_users as s', 's.id', 'l.staff_user_id')
    .select(['l.id', 'l.staff_user_id', 'l.authority_id', 's.email', 's.display_name', 's.active'])
    .where('l.token_sha256', '=', tokenSha256)
    .where('l.used_at', 'is', null)
    .where('l.expires_at', '>', now)
    .executeTakeFirst();
}

/** Claims the link (one statement, so two submissions cannot both use it); false if already used or expired. */
export async function claimPasswordLink(trx: Tx, id: string, now: Date): Promise<boolean> {
  const result = await trx
    .updateTable('staff_password_links')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sets a new password; any other unused links for the account stop working, and a lock-out ends. */
export async function setStaffPassword(trx: Tx, id: string, passwordHash: string, now: Date): Promise<void> {
  await trx
    .updateTable('staff_users')
    .set({
      password_hash: passwordHash,
      failed_sign_ins: 0,
      lockout_count: 0,
      locked_at: null,
      locked_until: null,
    })
    .where('id', '=', id)
    .execute();
  await trx
    .updateTable('staff_password_links')
    .set({ used_at: now })
    .where('staff_user_id', '=', id)
    .where('used_at', 'is', null)
    .execute();
}

export async function openCaseCountsForTeams(db: Db | Tx, teamIds: string[]) {
  if (teamIds.length === 0) return [];
  return db
    .selectFrom('cases')
    .select((eb) => [
      'team_id',
      eb.fn.countAll<number>().as('open'),
      eb.fn.count<number>('assignee_id').as('assigned'),
    ])
    .where('team_id', 'in', teamIds)
    .where('closed_at', 'is', null)
    .groupBy('team_id')
    .execute();
}

/** Whether routing may offer this member of staff new cases (they set it on their home page). */
export async function setAvailability(db: Db | Tx, id: string, available: boolean): Promise<void> {
  await db.updateTable('staff_users').set({ available }).where('id', '=', id).execute();
}

/** Active staff of the given councils, by name (the officer, owner and handler pickers of casework pages). */
/** Whether the member of staff leads a team that handles complaints. */
export async function leadsComplaintsTeam(db: Db | Tx, staffUserId: string): Promise<boolean> {
  const row = await db
    .selectFrom('staff_team_members as m')
    .select('m.team_id')
    .where('m.staff_user_id', '=', staffUserId)
    .where('m.is_leader', '=', true)
    .where(handlesComplaints(sql.ref('m.team_id')))
    .executeTakeFirst();
  return row !== undefined;
}

export function activeStaffOf(db: Db | Tx, authorityIds: readonly string[]) {
  if (authorityIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('staff_users')
    .select(['id', 'display_name', 'roles'])
    .select(
      sql<boolean>`exists (
        select 1 from staff_team_members lm
        where lm.staff_user_id = staff_users.id and lm.is_leader and ${handlesComplaints(sql.ref('lm.team_id'))}
      )`.as('leads_complaints'),
    )
    .where('authority_id', 'in', authorityIds)
    .where('active', '=', true)
    .orderBy('display_name')
    .execute();
}

// ---- answers kept after a staff session timed out (identity.pending-answers.ts)

export async function insertPendingAnswers(
  db: Db | Tx,
  row: { staff_user_id: string; action: string; fields: string; created_at: Date; expires_at: Date },
): Promise<string> {
  const inserted = await db
    .insertInto('pending_staff_answers')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** The newest answers a member of staff has waiting, if any have not expired. */
export function latestPendingAnswers(db: Db | Tx, staffUserId: string, now: Date) {
  return db
    .selectFrom('pending_staff_answers')
    .select(['id'])
    .where('staff_user_id', '=', staffUserId)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** One set of kept answers, only to the member of staff who sent them, while it lasts. */
export function findPendingAnswers(db: Db | Tx, id: string, staffUserId: string, now: Date) {
  return db
    .selectFrom('pending_staff_answers')
    .select(['id', 'action', 'fields', 'created_at', 'expires_at'])
    .where('id', '=', id)
    .where('staff_user_id', '=', staffUserId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function deletePendingAnswers(db: Db | Tx, id: string, staffUserId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('pending_staff_answers')
    .where('id', '=', id)
    .where('staff_user_id', '=', staffUserId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteExpiredPendingAnswers(db: Db | Tx, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('pending_staff_answers')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
